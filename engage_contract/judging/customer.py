"""What the suite knows of a customer representation, the parts of it that must hold still, and how two
representations differ."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TRANSLATABLE = ("city", "state", "street1", "street2")
# These follow the request's Accept-Language (or an unknown formatting rule), so two reads in
# different languages may differ without the customer having changed.
LANGUAGE_DEPENDENT = (*TRANSLATABLE, "formattedAddress")
# The page's example coordinates carry 7 decimals: a server may store numbers with no more precision than
# that, so numbers that differ by less than this are the same value.
NUMBER_TOLERANCE = 1e-7


def data_in(status: int | None, body: Any) -> dict[str, Any] | None:
    """The customer in a parsed 200 body (`{"data": {...}}`), or None for any other status or body."""
    if status != 200 or not isinstance(body, dict):
        return None
    data = body.get("data")
    return data if isinstance(data, dict) else None


def data_of(response: Any) -> dict[str, Any] | None:
    """The customer in a 200 response, or None for any other status or body."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return data_in(response.status_code, body)


def translations(location: dict[str, Any], names: tuple[str, ...] = TRANSLATABLE) -> dict[str, list[tuple[str, str]]]:
    """A location's translations as sets of (language, value): order, repeats and extra properties of an item
    aside, absent lists as []."""
    given = location.get("translations") or {}
    return {
        name: sorted({(entry.get("language"), entry.get("value")) for entry in given.get(name) or []
                      if isinstance(entry, dict)}, key=lambda pair: tuple(map(str, pair)))
        for name in names
    }


def stable_view(data: dict[str, Any] | None, location_fields: Iterable[str] | None = None) -> dict[str, Any] | None:
    """A representation without updatedAt and without what depends on the request's language: the picked
    translations, formattedAddress and, given the location's named fields, any property the page does not
    name (it allows them, and says nothing of whether they follow the language)."""
    if data is None:
        return None
    view = {key: value for key, value in data.items() if key != "updatedAt"}
    location = view.get("location")
    named = set(location_fields) if location_fields is not None else None
    if location is not None:
        location = {key: value for key, value in location.items()
                    if key not in LANGUAGE_DEPENDENT and (named is None or key in named)}
        location["translations"] = translations(location)
        view["location"] = location
    else:
        view["location"] = None  # a null location may also be left out
    return view


@dataclass(frozen=True)
class Difference:
    """One place where two representations differ."""

    path: tuple[str, ...]
    expected: Any
    got: Any

    @property
    def field(self) -> str:
        """The top-level field it is in."""
        return self.path[0]

    @property
    def where(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        return f"{self.where}: expected {as_json(self.expected)}, got {as_json(self.got)}"


def differences(expected: dict[str, Any], actual: dict[str, Any], path: tuple[str, ...] = ()) -> list[Difference]:
    """Where two representations differ, field by field (a field absent counts as null)."""
    found = []
    for key in sorted(set(expected) | set(actual)):
        left, right = expected.get(key), actual.get(key)
        if isinstance(left, dict) and isinstance(right, dict):
            found.extend(differences(left, right, (*path, key)))
        elif not same(left, right):
            found.append(Difference((*path, key), left, right))
    return found


def same(left: Any, right: Any) -> bool:
    """Equal, with numbers equal within NUMBER_TOLERANCE (booleans are not numbers here), and date-times equal
    when they are the same instant (`Z` or `+00:00`, three or six decimals)."""
    if _is_number(left) and _is_number(right):
        return abs(left - right) <= NUMBER_TOLERANCE
    if isinstance(left, str) and isinstance(right, str) and left != right and _DATE_TIME.match(left) \
            and _DATE_TIME.match(right):
        # As instants only when both are: two strings that look like date-times and are none are two strings.
        instants = parse_time(left), parse_time(right)
        return None not in instants and instants[0] == instants[1]
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    return left == right


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def restorable(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A PATCH body that writes a representation's values back: every field of the request schema, a field
    the representation leaves out (a null the response does not require) as null."""
    body = {name: copy.deepcopy(data.get(name)) for name in fields if name != "location"}
    location = data.get("location")
    if location is not None:
        given = location.get("translations") or {}
        body["location"] = {
            "postalCode": location.get("postalCode"),
            "countryCode": location["countryCode"],
            "geolocation": location.get("geolocation"),
            # Every list, an empty one too: a server that merges a location would keep what is left out.
            "translations": {name: copy.deepcopy(given.get(name) or []) for name in TRANSLATABLE},
        }
    else:
        body["location"] = None
    return body


def parse_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def as_json(value: Any, limit: int = 80) -> str:
    """A value as JSON, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
