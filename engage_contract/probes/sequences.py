"""The requests of the relations (judging/relations.py), derived from the schema: the free text fields and the
values to write in them, the id spelled otherwise, the properties only the server sets."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from engage_contract.contract import Contract
from engage_contract.judging.customer import restorable
from engage_contract.judging.exchange import TIME_ZONE_FIELD

# A time long before any customer was created: a server that takes it from a body cannot have set it itself.
LONG_AGO = "2001-01-01T00:00:00.000Z"


def text_fields(contract: Contract) -> list[str]:
    """The request's free text fields: strings with no enum, pattern or format, whose value the example gives (the
    time zone aside: its values follow a naming convention, and a change of case is another name)."""
    example = contract.request_example
    found = []
    for name, schema in contract.request_fields.items():
        resolved = contract.resolve(schema)
        types = resolved.get("type")
        types = types if isinstance(types, list) else [types]
        if ("string" in types and name != TIME_ZONE_FIELD and isinstance(example.get(name), str)
                and not {"enum", "pattern", "format", "const"} & set(resolved)):
            found.append(name)
    return found


def _fits(contract: Contract, name: str, value: str) -> str:
    """The value cut to its field's maxLength, if the schema gives one."""
    limit = contract.resolve(contract.request_fields[name]).get("maxLength")
    return value[:limit] if isinstance(limit, int) else value


def other_case(value: str) -> str:
    """The value with every letter in the other case (one without letters is itself)."""
    return value.swapcase()


def near_values(contract: Contract) -> dict[str, dict[str, Any]]:
    """The bodies of the relation stored_whatever_was_there: the example's text (`original`), the same in other
    letter case (`case`) and with spaces around (`spaces`), and values unlike any of them (`elsewhere`)."""
    example = contract.request_example
    fields = text_fields(contract)
    return {
        "original": {name: example[name] for name in fields},
        "case": {name: _fits(contract, name, other_case(example[name])) for name in fields},
        "spaces": {name: _fits(contract, name, f" {example[name]} ") if len(example[name]) + 2 <= (
            contract.resolve(contract.request_fields[name]).get("maxLength") or len(example[name]) + 2)
            else example[name] for name in fields},
        "elsewhere": {name: _fits(contract, name, f"Engage contract {index}") for index, name in enumerate(fields)},
        # Only spaces: a value of minLength 1 that a trimming server must not store as "".
        "blank": {name: " " for name in fields},
    }


def repeated_update(contract: Contract) -> dict[str, Any]:
    """An update of every kind of field at once (text, boolean, enum, location), as the page's example gives it but
    with text and a location's translations of its own: unlike what earlier requests left."""
    body = {**copy.deepcopy(contract.request_example), **near_values(contract)["elsewhere"]}
    for name, entries in body["location"]["translations"].items():
        for entry in entries:
            entry["value"] = f"Engage contract {name}"
    return body


def same_as(data: dict[str, Any], contract: Contract) -> dict[str, Any]:
    """The body that writes another customer's values, every field the request has, onto the test customer."""
    return restorable(data, contract.request_fields)


def unlike(others: list[dict[str, Any]], contract: Contract, but_text: bool = False) -> dict[str, Any]:
    """An update of every kind of field to values none of the other customers has (a language none speaks);
    `but_text`: the free text fields left as they are."""
    body = repeated_update(contract)
    if but_text:
        body = {name: value for name, value in body.items() if name not in text_fields(contract)}
    spoken = {data.get("language") for data in others}
    body["language"] = next((language for language in contract.languages if language not in spoken), body["language"])
    return body


def filled(data: dict[str, Any], contract: Contract, mark: str) -> dict[str, Any]:
    """The body that gives each free text field `data` leaves empty (null) a value of its own, marked `mark`, and
    an empty location the page's example one: a backend that updates or copies rows by value (an address row
    shared by its postal code, say) can only be seen through a neighbour that has one."""
    body: dict[str, Any] = {name: _fits(contract, name, f"Engage contract {mark} {name}")
                            for name in text_fields(contract) if data.get(name) is None}
    if data.get("location") is None and contract.request_example.get("location") is not None:
        body["location"] = copy.deepcopy(contract.request_example["location"])
    return body


def inverse_of(start: dict[str, Any], update: dict[str, Any], contract: Contract) -> dict[str, Any]:
    """The body that writes back, as `start` had them, the fields `update` sent (as the restore writes them)."""
    return restorable(start, [name for name in contract.request_fields if name in update])


# Digits other scripts write: a backend that parses an id as a number reads them as 0-9.
_OTHER_DIGITS = {"arabic-indic-digits": 0x0660, "fullwidth-digits": 0xFF10}


def id_spellings(customer_id: str) -> dict[str, str]:
    """The id written as other strings a backend might parse to the same row; only those that differ from it."""
    spellings = {
        "leading-zero": "0" + customer_id,
        "plus-sign": "+" + customer_id,
        "spaces-around": f" {customer_id} ",
        "other-case": customer_id.swapcase(),
        "trailing-dot-zero": customer_id + ".0" if customer_id.isdigit() else customer_id,
    }
    for name, zero in _OTHER_DIGITS.items():
        spellings[name] = "".join(chr(zero + int(ch)) if ch.isdigit() and ch.isascii() else ch for ch in customer_id)
    spellings["compatibility-form"] = "".join(
        chr(0xFF01 + ord(ch) - 0x21) if ch.isascii() and ch.isalpha() else ch for ch in customer_id)
    return {name: spelling for name, spelling in spellings.items()
            if spelling != customer_id and unicodedata.normalize("NFC", spelling) != customer_id}


def percent_encoded(customer_id: str) -> str:
    """The id with every byte percent-encoded: the same URI (RFC 3986, 6.2.2.2)."""
    return "".join(f"%{byte:02X}" for byte in customer_id.encode("utf-8"))


def server_set_properties(contract: Contract, fresh_id: str) -> dict[str, Any]:
    """What only the server sets (the response's properties the request schema lacks), with values a server could
    not have chosen itself: an unknown id, a time long ago."""
    response = contract.component("Customer")["properties"]
    named: dict[str, Any] = {}
    for name in contract.server_set_fields:
        schema = response[name]
        if name == "id":
            named[name] = fresh_id
        elif _is_date_time(contract, schema):
            named[name] = LONG_AGO
    return named


def _is_date_time(contract: Contract, schema: dict[str, Any]) -> bool:
    resolved = contract.resolve(schema)
    branches = [contract.resolve(branch) for branch in resolved.get("anyOf", [])] or [resolved]
    return any(branch.get("format") == "date-time" for branch in branches)


def two_fields(contract: Contract) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two updates of different text fields, for the same moment."""
    first, second = text_fields(contract)[:2]
    return {first: _fits(contract, first, "Engage contract at once A")}, \
        {second: _fits(contract, second, "Engage contract at once B")}
