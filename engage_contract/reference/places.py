"""An offline geocoder and time-zone resolver, built on the IANA tz database's zone table.

The reference server needs geocoding and time-zone resolution that are deterministic and need no
network. The tz database ships, beside the zones, a table of each zone's principal place (country
code and coordinates) and the ISO 3166 country names; that is enough for both.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources

# Beyond this distance from every zone's principal place a point is taken to be nowhere (open sea).
MAX_ZONE_DISTANCE_KM = 2000.0
_EARTH_RADIUS_KM = 6371.0
_COORDINATES = re.compile(r"^([+-]\d{4,6})([+-]\d{5,7})$")


@dataclass(frozen=True)
class Zone:
    name: str
    country_code: str
    latitude: float
    longitude: float


def _table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _degrees(value: str) -> float:
    sign = -1.0 if value[0] == "-" else 1.0
    digits = value[1:]
    width = 2 if len(digits) in (4, 6) else 3
    degrees, rest = int(digits[:width]), digits[width:]
    minutes = int(rest[:2])
    seconds = int(rest[2:4]) if len(rest) > 2 else 0
    return sign * (degrees + minutes / 60 + seconds / 3600)


@functools.cache
def zones() -> tuple[Zone, ...]:
    result = []
    for row in _table("zone.tab"):
        match = _COORDINATES.match(row[1])
        assert match, row
        result.append(Zone(row[2], row[0], _degrees(match.group(1)), _degrees(match.group(2))))
    return tuple(result)


@functools.cache
def zone_names() -> frozenset[str]:
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(text.split())


@functools.cache
def country_names() -> dict[str, str]:
    return {row[0]: row[1] for row in _table("iso3166.tab")}


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
