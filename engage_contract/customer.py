"""What the suite knows of a customer representation, and the parts of it that must hold still."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

TRANSLATABLE = ("city", "state", "street1", "street2")
# These follow the request's Accept-Language (or an unknown formatting rule), so two reads in
# different languages may differ without the customer having changed.
LANGUAGE_DEPENDENT = (*TRANSLATABLE, "formattedAddress")
# The response types of these are not nullable: a null sent lets the server choose.
SERVER_CHOSEN_ON_NULL = ("existing", "timeZone")


def data_of(response: Any) -> dict[str, Any] | None:
    """The customer in a 200 response (`{"data": {...}}`), or None for any other status or body."""
    if response.status_code != 200:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else None


def translations(location: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """A location's translations, order aside, with absent optional lists as []."""
    given = location.get("translations") or {}
    return {
        name: sorted((entry.get("language"), entry.get("value")) for entry in given.get(name) or [])
        for name in TRANSLATABLE
    }


def stable_view(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A representation without updatedAt and without what depends on the request's language."""
    if data is None:
        return None
    view = {key: value for key, value in data.items() if key != "updatedAt"}
    location = view.get("location")
    if location is not None:
        location = {key: value for key, value in location.items() if key not in LANGUAGE_DEPENDENT}
        location["translations"] = translations(location)
        view["location"] = location
    else:
        view["location"] = None
    return view


def differences(expected: dict[str, Any], actual: dict[str, Any], prefix: str = "") -> list[str]:
    """Human-readable field paths where two representations differ."""
    found = []
    for key in sorted(set(expected) | set(actual)):
        left, right = expected.get(key), actual.get(key)
        path = f"{prefix}{key}"
        if isinstance(left, dict) and isinstance(right, dict):
            found.extend(differences(left, right, path + "."))
        elif left != right:
            found.append(f"{path}: expected {_short(left)}, got {_short(right)}")
    return found


def restorable(data: dict[str, Any]) -> dict[str, Any]:
    """A PATCH body that writes a representation's values back."""
    body = {key: copy.deepcopy(value) for key, value in data.items()
            if key not in ("id", "createdAt", "updatedAt", "deletedAt", "location")}
    location = data.get("location")
    if location is not None:
        body["location"] = {
            "postalCode": location.get("postalCode"),
            "countryCode": location["countryCode"],
            "geolocation": location.get("geolocation"),
            "translations": copy.deepcopy(location["translations"]),
        }
    else:
        body["location"] = None
    return body


def parse_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
