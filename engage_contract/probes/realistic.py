"""Realistic values where the platform expects them, so that most valid generated requests can succeed.

Random schema-valid data mostly bounces off business rules (a made-up time zone, a country that does
not geocode). This schemathesis `flatmap_body` hook keeps each generated body valid and replaces, most
of the time, its time zone with an IANA name and its location's country and coordinates with a real
place whose country, coordinates and time zone belong together. Invalid bodies (negative generation)
pass through untouched.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from hypothesis import strategies as st

from engage_contract.contract import Contract
from engage_contract.tzdb import Zone, zones

# One body in this many is left as generated, so business errors stay reachable.
LEFT_AS_GENERATED = 8


def realistic_bodies(contract: Contract, body: Any) -> st.SearchStrategy:
    if not isinstance(body, dict) or not contract.request_body.is_valid(body):
        return st.just(body)
    return _places().map(lambda drawn: body if drawn[0] == 0 else _placed(body, drawn[1]))


@functools.cache
def _places() -> st.SearchStrategy:
    # Built once: hypothesis validates a new strategy on its first draw, and this hook runs for every body.
    return st.tuples(st.integers(0, LEFT_AS_GENERATED - 1), st.sampled_from(zones()))


def _placed(body: dict[str, Any], place: Zone) -> dict[str, Any]:
    body = copy.deepcopy(body)
    if body.get("timeZone") is not None:
        body["timeZone"] = place.name
    location = body.get("location")
    if isinstance(location, dict):
        location["countryCode"] = place.country_code
        if location.get("geolocation") is not None:
            location["geolocation"] = {"latitude": place.latitude, "longitude": place.longitude}
    return body
