"""An offline geocoder and time-zone resolver for the reference server, on the tz database's zone table."""

from __future__ import annotations

from engage_contract.tzdb import country_names, distance_km, zone_names, zones

__all__ = ["country_names", "geocode", "time_zone_at", "zone_names"]

# Beyond this distance from every zone's principal place a point is taken to be nowhere (open sea).
MAX_ZONE_DISTANCE_KM = 2000.0


def geocode(country_code: str) -> tuple[float, float] | None:
    """The coordinates of a country's first listed zone, or None for a country the table lacks."""
    for zone in zones():
        if zone.country_code == country_code.upper():
            return zone.latitude, zone.longitude
    return None


def time_zone_at(latitude: float, longitude: float) -> str | None:
    """The zone whose principal place is nearest, or None when none is within MAX_ZONE_DISTANCE_KM."""
    distance, zone = min((distance_km(latitude, longitude, z.latitude, z.longitude), z.name) for z in zones())
    return zone if distance <= MAX_ZONE_DISTANCE_KM else None
