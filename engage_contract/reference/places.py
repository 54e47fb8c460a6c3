"""An offline geocoder and time-zone resolver for the reference server, on the tz database's zone table."""

from __future__ import annotations

import math

from engage_contract.tzdb import country_names, zone_names, zones

__all__ = ["country_names", "geocode", "time_zone_at", "zone_names"]

# Beyond this distance from every zone's principal place a point is taken to be nowhere (open sea).
MAX_ZONE_DISTANCE_KM = 2000.0
_EARTH_RADIUS_KM = 6371.0


def geocode(country_code: str) -> tuple[float, float] | None:
    """The coordinates of a country's first listed zone, or None for a country the table lacks."""
    for zone in zones():
        if zone.country_code == country_code.upper():
            return zone.latitude, zone.longitude
    return None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def time_zone_at(latitude: float, longitude: float) -> str | None:
    """The zone whose principal place is nearest, or None when none is within MAX_ZONE_DISTANCE_KM."""
    distance, zone = min((_distance_km(latitude, longitude, z.latitude, z.longitude), z.name) for z in zones())
    return zone if distance <= MAX_ZONE_DISTANCE_KM else None
