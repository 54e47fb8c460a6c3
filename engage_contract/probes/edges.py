"""Requests at the edges the contract does not state: very long values where no maxLength is given,
characters outside the Basic Multilingual Plane. Each is schema-valid, so it must get 200 or a listed 422."""

from __future__ import annotations

from typing import Any

from engage_contract.contract import Contract

LONG_LENGTH = 10_000
# Words, so that it reads as text; no space at either end, which a server may trim.
LONG_TEXT = ("engage-contract-" * (LONG_LENGTH // 16 + 1))[:LONG_LENGTH - 1] + "x"
ASTRAL = "𝔈𝔫𝔤𝔞𝔤𝔢 😀 客户 𠀋"


def unbounded_strings(contract: Contract) -> list[str]:
    """Top-level fields of the request body that are free strings with no maxLength (and no enum)."""
    found = []
    for name, schema in contract.component("CustomerUpdate")["properties"].items():
        schema = contract.resolve(schema)
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "string" in types and "maxLength" not in schema and "enum" not in schema:
            found.append(name)
    return found


def edge_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Name -> body, one edge each."""
    long_text = LONG_TEXT
    bodies: dict[str, dict[str, Any]] = {}
    for name in unbounded_strings(contract):
        bodies[f"{name}-{LONG_LENGTH}-characters"] = {name: long_text}
        bodies[f"{name}-astral-characters"] = {name: ASTRAL}
    location = contract.request_example["location"]
    location["translations"]["city"] = [{"language": language, "value": ASTRAL} for language in contract.languages]
    bodies["location-city-astral-in-every-language"] = {"location": location}
    # The page says nothing of one language twice in a list: a server keyed on language keeps one of them.
    location = contract.request_example["location"]
    language = contract.languages[0]
    location["translations"]["city"] = [{"language": language, "value": f"City ({language}, {which})"}
                                        for which in ("one", "two")]
    bodies["location-city-one-language-twice"] = {"location": location}
    # The page gives a country code a length, not a case: a server may keep the case sent or normalise it.
    location = contract.request_example["location"]
    location["countryCode"] = location["countryCode"].lower()
    bodies["location-country-code-in-lower-case"] = {"location": location}
    if contract.component("Translation").get("additionalProperties", True) is not False:
        # The page says nothing of other properties of a translation item: a server may keep them or drop them.
        location = contract.request_example["location"]
        for entry in location["translations"]["city"]:
            entry["engageContractNote"] = "an unknown property of a translation item"
        bodies["location-translation-item-with-unknown-property"] = {"location": location}
    return bodies
