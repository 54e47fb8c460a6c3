"""The reference page's statements, as a table, and a reader of the page itself to hold the table to it.

Each row is one field the page describes: its path (`[]` for the items of an array), its types, whether
the page marks it Required, the constraints the page states, and what the page says of additional
properties (`NOT allowed`, `allowed`, or nothing: `silent`). The table is written by hand from the page;
`read_page` reads the same facts from the page's text, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

LANGUAGES = ("da", "de", "el", "en", "es", "fr", "ja", "nl", "no", "pl")
S, SN, ON = ("string",), ("null", "string"), ("null", "object")


def row(types: tuple[str, ...], required: bool = False, additional: str | None = None, **constraints: Any) -> dict:
    facts = {"types": tuple(sorted(types)), "required": required, "constraints": constraints}
    if "object" in types:
        facts["additional"] = additional or "silent"
    return facts


def _translations(prefix: str) -> dict[str, dict]:
    rows = {f"{prefix}translations": row(("object",), True, "NOT allowed")}
    for name, required, least in (("city", True, 1), ("state", False, 0), ("street1", True, 1), ("street2", False, 0)):
        rows[f"{prefix}translations.{name}"] = row(("array",), required, minItems=least)
        rows[f"{prefix}translations.{name}[]"] = row(("object",), False, "silent")
        rows[f"{prefix}translations.{name}[].language"] = row(S, True, enum=LANGUAGES)
        rows[f"{prefix}translations.{name}[].value"] = row(S, True, minLength=1)
    return rows


def _customer_fields(prefix: str) -> dict[str, dict]:
    rows = {f"{prefix}externalId": row(SN, minLength=1, maxLength=255)}
    for name in ("customerNumber", "email", "firstName", "lastName", "company"):
        rows[f"{prefix}{name}"] = row(SN, minLength=1)
    rows[f"{prefix}language"] = row(SN, enum=LANGUAGES)
    for name in ("notes", "phoneNumber"):
        rows[f"{prefix}{name}"] = row(SN, minLength=1)
    return rows


REQUEST = {
    "": row(("object",), False, "silent"),
    **_customer_fields(""),
    "existing": row(("boolean", "null")),
    "timeZone": row(SN, minLength=1),
    "location": row(ON, False, "NOT allowed"),
    "location.postalCode": row(SN, minLength=1),
    "location.countryCode": row(S, True, minLength=2, maxLength=2),
    "location.geolocation": row(ON, False, "NOT allowed"),
    "location.geolocation.latitude": row(("number",), True, minimum=-90, maximum=90),
    "location.geolocation.longitude": row(("number",), True, minimum=-180, maximum=180),
    **_translations("location."),
}

_picked = {}
for _name in ("city", "state", "street1", "street2"):
    _picked[f"data.location.{_name}"] = row(ON, True, "NOT allowed")
    _picked[f"data.location.{_name}.language"] = row(S, True, enum=LANGUAGES)
    _picked[f"data.location.{_name}.value"] = row(S, True)

OK = {
    "": row(("object",), False, "silent"),
    "data": row(("object",), True, "NOT allowed"),
    "data.id": row(S, True, minLength=1),
    **_customer_fields("data."),
    "data.existing": row(("boolean",), True),
    "data.timeZone": row(S, True, minLength=1),
    "data.createdAt": row(S, True, format="date-time", minLength=1),
    "data.updatedAt": row(S, True, format="date-time", minLength=1),
    "data.deletedAt": row(SN, True, format="date-time", minLength=1),
    "data.location": row(ON, False, "allowed"),
    **_picked,
    "data.location.postalCode": row(SN, minLength=1),
    "data.location.countryCode": row(S, True, minLength=2, maxLength=2),
    "data.location.formattedAddress": row(S, True, minLength=1),
    "data.location.geolocation": row(("object",), True, "NOT allowed"),
    "data.location.geolocation.latitude": row(("number",), True, minimum=-90, maximum=90),
    "data.location.geolocation.longitude": row(("number",), True, minimum=-180, maximum=180),
    **_translations("data.location."),
}


def _errors(business: bool) -> dict[str, dict]:
    rows = {"": row(("object",), False, "silent"),
            "errors": row(("array",), True, minItems=1),
            "errors[]": row(("object",), False, "silent")}
    for name in ("message", "code", "type", "statusCode"):
        rows[f"errors[].{name}"] = row(S, True, minLength=1)
    if business:
        rows["errors[].code"]["constraints"]["enum"] = CODES
        rows["errors[].arguments"] = row(ON, False, "allowed")
    return rows


CODES = ("CUSTOMER_NOT_IDENTIFIABLE", "LOCATION_GEOCODING_FAILED", "LOCATION_TIME_ZONE_RESOLUTION_FAILED")
NOT_FOUND = _errors(business=False)
BUSINESS = _errors(business=True)
PATH_ID = row(S, True, minLength=1)
STATUSES = (200, 404, 422)


# ---- reading the page ----------------------------------------------------------------------------------

_BULLET = re.compile(r"^(?P<indent> *)• (?P<name>\S+) (?P<type>.+?)(?P<required> Required)?$")


def _types(text: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    extra = {}
    types = []
    for part in (p.strip() for p in text.split("|")):
        found = re.fullmatch(r"(\w+)(?:\((?P<format>[\w-]+)\)|\[\w+\])?", part)
        types.append(found.group(1))
        if found.group("format"):
            extra["format"] = found.group("format")
    return tuple(sorted(types)), extra


_BOUNDS = {("minimum", "length"): "minLength", ("maximum", "length"): "maxLength",
           ("minimum", "value"): "minimum", ("maximum", "value"): "maximum"}


def _constraint(sentence: str, facts: dict) -> None:
    constraints = facts["constraints"]
    for found in re.finditer(r"(minimum|maximum) (length|value) is (-?\d+)", sentence, re.I):
        constraints[_BOUNDS[found.group(1).lower(), found.group(2)]] = int(found.group(3))
    found = re.fullmatch(r"At least (\d+) elements?\.", sentence)
    if found:
        constraints["minItems"] = int(found.group(1))
    found = re.fullmatch(r"Values are (.+)\.", sentence)
    if found:
        constraints["enum"] = tuple(v.strip() for v in re.split(r",|\bor\b", found.group(1)) if v.strip())
    if sentence == "Additional properties are NOT allowed.":
        facts["additional"] = "NOT allowed"
    elif sentence == "Additional properties are allowed.":
        facts["additional"] = "allowed"


def _tree(lines: list[str]) -> dict[str, dict]:
    """Bulleted field descriptions -> path -> facts."""
    rows: dict[str, dict] = {}
    stack: list[tuple[int, str]] = []  # (indent, path prefix for children)
    current = None
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            indent = len(bullet.group("indent"))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            prefix = stack[-1][1] if stack else ""
            types, extra = _types(bullet.group("type"))
            path = prefix + bullet.group("name")
            current = row(types, bool(bullet.group("required")), **extra)
            rows[path] = current
            if "array" in types:  # the bullets under an array describe its items
                rows[path + "[]"] = row(("object",))
                stack.append((indent, path + "[]."))
            else:
                stack.append((indent, path + "."))
        elif current is not None and line.strip():
            _constraint(line.strip(), current)
    return rows


def read_page(text: str) -> dict[str, Any]:
    """The page's statements: the body, each response, the path id, the statuses and the 422 codes."""
    lines = text.splitlines()
    start_body, start_responses = lines.index("Body"), lines.index("Responses")
    sections: dict[str, list[str]] = {}
    name = None
    for line in lines[start_responses + 1:]:
        found = re.match(r"^  • (\d{3}) application/json$", line)
        if found:
            name = found.group(1)
            sections[name] = []
        elif line.startswith("PATCH /customers"):
            break
        elif name:
            sections[name].append(line[2:])
    path_lines = lines[lines.index("Path parameters"):start_body]
    codes = tuple(line.strip()[2:] for line in sections["422"] if re.fullmatch(r" *• [A-Z_]+", line))
    business = {"": row(("object",)), **_tree([line for line in sections["422"] if not re.fullmatch(r" *• [A-Z_]+", line)])}
    business["errors[].code"]["constraints"]["enum"] = codes  # "Business validation failed: • CODE ..."
    return {
        "request": {"": row(("object",)), **_tree(lines[start_body + 1:start_responses])},
        "200": {"": row(("object",)), **_tree(sections["200"])},
        "404": {"": row(("object",)), **_tree(sections["404"])},
        "422": business,
        "path id": _tree(path_lines)["id"],
        "statuses": sorted(int(status) for status in sections),
        "codes": codes,
    }
