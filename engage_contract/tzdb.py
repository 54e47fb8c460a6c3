"""The IANA tz database's tables, read offline from the pinned tzdata package: every zone's name, and
each zone's principal place (country code and coordinates). Real places whose country, coordinates and
time zone belong together, for the reference server's geocoder and the suite's realistic requests."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources

_COORDINATES = re.compile(r"^([+-]\d{4,6})([+-]\d{5,7})$")


@dataclass(frozen=True)
class Zone:
    name: str
    country_code: str
    latitude: float
    longitude: float


def _text(*parts: str) -> str:
    return resources.files("tzdata").joinpath(*parts).read_text(encoding="utf-8")


def _rows(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _text("zoneinfo", name).splitlines() if line and not line.startswith("#")]


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
    """Each zone of zone.tab with its country code and the coordinates of its principal place."""
    result = []
    for row in _rows("zone.tab"):
        match = _COORDINATES.match(row[1])
        if match:
            result.append(Zone(row[2], row[0], _degrees(match.group(1)), _degrees(match.group(2))))
    return tuple(result)


@functools.cache
def zone_names() -> frozenset[str]:
    return frozenset(_text("zones").split())


@functools.cache
def country_names() -> dict[str, str]:
    return {row[0]: row[1] for row in _rows("iso3166.tab")}


_EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
