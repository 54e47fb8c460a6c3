"""Inputs that real backends mishandle, sent on purpose every run rather than left to the fuzzer's luck:
control and invisible characters inside every free string, lengths met exactly in multi-byte characters,
every boolean and every nullable field, languages asked in other cases or outside the page's list. Each is
derived from schema/: the fields, their bounds and the languages are read there, never restated."""

from __future__ import annotations

import copy
from typing import Any

from engage_contract.contract import Contract
from engage_contract.judging.exchange import TIME_ZONE_FIELD

# Characters a storage layer or a driver trips on. C strings end at a NUL; C0 controls and invisible marks are
# dropped or escaped by careless sanitisers. A combining mark is sent alone, at the start of the value, where
# no Unicode normalisation composes it with anything.
CHARACTERS = {
    "nul": "\u0000",
    "c0-controls": "\u0001\u0007\u001b\u001f",
    "lone-combining-mark": "\u0301",
    "right-to-left-mark": "\u200f",
}
# One character of each width: 2 and 3 bytes in UTF-8, and one outside the Basic Multilingual Plane (4 bytes,
# two UTF-16 code units). A server that counts bytes or UTF-16 units instead of characters shows it at a bound.
WIDE = {"2-byte": "é", "3-byte": "客", "astral": "😀"}
# Well-formed RFC 5646 languages (ISO 639 Klingon, Serbian's old code, Esperanto): the first the page does not list.
UNLISTED_LANGUAGES = ("tlh", "sh", "eo")


def _types(schema: dict[str, Any]) -> list[str]:
    types = schema.get("type")
    return types if isinstance(types, list) else [types]


def free_strings(contract: Contract) -> list[str]:
    """Top-level string fields that take any text: no enum, pattern or format, and not the time zone (whose
    values the notes' conventions narrow to IANA names)."""
    found = []
    for name, schema in contract.request_fields.items():
        schema = contract.resolve(schema)
        if ("string" in _types(schema) and not {"enum", "pattern", "format"} & schema.keys()
                and name != TIME_ZONE_FIELD):
            found.append(name)
    return found


def character_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Kind of character -> a schema-valid body with it inside every free string and every translation value."""
    bodies = {}
    for kind, characters in CHARACTERS.items():
        def text(label: str) -> str:
            if kind == "lone-combining-mark":
                return f"{characters}{label}"
            return f"{label} a{characters}b"

        body = {name: text(name) for name in free_strings(contract)}
        location = contract.request_example["location"]
        for entries in location["translations"].values():
            for entry in entries:
                entry["value"] = text(entry["value"])
        body["location"] = location
        bodies[kind] = body
    return bodies


def length_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Name -> body: every top-level maxLength met exactly in wide characters (schema-valid, with every other
    minLength met by one such character), and one character past it (schema-invalid)."""
    bodies: dict[str, dict[str, Any]] = {}
    bounded = {name: contract.resolve(schema) for name, schema in contract.request_fields.items()
               if "string" in _types(contract.resolve(schema)) and name in free_strings(contract)}
    for width, character in WIDE.items():
        at_least = {name: character * schema["minLength"] for name, schema in bounded.items()
                    if "minLength" in schema and "maxLength" not in schema}
        for name, schema in bounded.items():
            if "maxLength" not in schema:
                continue
            bodies[f"{name}-at-max-length-{width}"] = {**at_least, name: character * schema["maxLength"]}
            bodies[f"{name}-past-max-length-{width}"] = {name: character * (schema["maxLength"] + 1)}
    return bodies


def boolean_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Name -> body: every boolean field sent false, true and (where nullable) null, alone."""
    bodies = {}
    for name, schema in contract.request_fields.items():
        types = _types(contract.resolve(schema))
        if "boolean" in types:
            for value in (False, True, None) if "null" in types else (False, True):
                bodies[f"{name}-{str(value).lower() if value is not None else 'null'}"] = {name: value}
    return bodies


def null_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Field -> the page's example with that nullable field null: accepted, the null must come back, and read
    back. The other fields stay set, so that the customer stays identifiable whatever the platform's rule."""
    bodies = {}
    for name, schema in contract.request_fields.items():
        schema = contract.resolve(schema)
        nullable = "null" in _types(schema) or any(contract.resolve(option).get("type") == "null"
                                                   for option in schema.get("anyOf", []))
        if nullable and "boolean" not in _types(schema):  # the booleans' null is boolean_bodies'
            bodies[name] = {**contract.request_example, name: None}
    return bodies


def language_headers(contract: Contract, first: str, second: str) -> dict[str, str]:
    """Name -> Accept-Language: the stored languages in upper and in mixed case (RFC 5646 tags know no case),
    and a well-formed language outside the page's list (no translation exists: null)."""
    unlisted = next(language for language in UNLISTED_LANGUAGES if language not in contract.languages)
    return {"upper-case": second.upper(), "mixed-case": first[0].upper() + first[1:].lower(), "unlisted": unlisted}


def with_other_changes(contract: Contract, body: dict[str, Any]) -> dict[str, Any]:
    """A body that may meet a listed 422, with changes to fields it does not touch (a free string, every
    boolean): a server that rejects it must store none of them."""
    changed = copy.deepcopy(body)
    for name in free_strings(contract):
        if name not in changed:
            changed[name] = f"{contract.request_example.get(name) or name} (changed with a business rule)"
    for name, schema in contract.request_fields.items():
        if "boolean" in _types(contract.resolve(schema)) and name not in changed:
            changed[name] = not contract.request_example.get(name, False)
    return changed
