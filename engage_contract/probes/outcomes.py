"""Hand-made requests that give the documented outcomes their best chance, derived from the schema: one
for each listed 422 code, and a location in two languages to see Accept-Language honoured."""

from __future__ import annotations

import copy
from typing import Any

from engage_contract.contract import Contract
from engage_contract.tzdb import zones

# No geocoder knows a user-assigned ISO 3166 code, and no IANA zone has a name without a region.
UNKNOWN_COUNTRY = "XX"
UNKNOWN_TIME_ZONE = "Engage/Nowhere"


def _nullable_strings(contract: Contract) -> list[str]:
    names = []
    for name, schema in contract.request_fields.items():
        types = contract.resolve(schema).get("type")
        if isinstance(types, list) and "string" in types and "null" in types:
            names.append(name)
    return names


def business_rule_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """Listed 422 code -> a schema-valid body most likely to meet it."""
    location = contract.request_example["location"]
    del location["geolocation"]
    location["countryCode"] = UNKNOWN_COUNTRY
    return {
        "LOCATION_GEOCODING_FAILED": {"location": location},
        "LOCATION_TIME_ZONE_RESOLUTION_FAILED": {"timeZone": UNKNOWN_TIME_ZONE},
        "CUSTOMER_NOT_IDENTIFIABLE": {name: None for name in _nullable_strings(contract)},
    }


def bilingual_location(contract: Contract) -> tuple[dict[str, Any], tuple[str, str, str]]:
    """A body whose location's city has translations in two languages, its state in the first only and its
    streets in neither; and the languages (first, second, one it lacks)."""
    first, second, absent = contract.languages[:3]
    location = copy.deepcopy(contract.request_example["location"])
    location["translations"] = {
        "city": [{"language": first, "value": f"City ({first})"}, {"language": second, "value": f"City ({second})"}],
        "state": [{"language": first, "value": f"State ({first})"}],
        "street1": [{"language": language, "value": f"Street ({language})"}
                    for language in contract.languages if language not in (first, second, absent)][:1],
        "street2": [],
    }
    # With the example's first field as well: an update that sends a few fields must leave the others alone,
    # and keeps the customer identifiable, whatever the platform's rule.
    first_field = next(iter(contract.request_example))
    return {first_field: contract.request_example[first_field], "location": location}, (first, second, absent)


# YAML 1.1 reads these as booleans: an enum value spelt like one is where a server's configuration trips.
YAML_BOOLEANS = {"y", "n", "yes", "no", "on", "off", "true", "false"}


def boundary_body(contract: Contract, long_text: str) -> dict[str, Any]:
    """One schema-valid body at every edge at once, from the schema: each bounded string at its maxLength,
    each unbounded one `long_text`, each enum at a value YAML would misread, and location cleared; the time
    zone the longest name of the tz database's zone table (a made-up one may be refused as malformed, and would
    excuse any 400; a backward-compatible alias may be unknown to a platform's library). A
    server may refuse it with a listed 422; it must not crash or answer 400."""
    body: dict[str, Any] = {}
    for name, schema in contract.request_fields.items():
        schema = contract.resolve(schema)
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "enum" in schema:
            tricky = [value for value in schema["enum"] if isinstance(value, str) and value.lower() in YAML_BOOLEANS]
            if tricky:
                body[name] = tricky[0]
        elif "string" in types:
            body[name] = "x" * schema["maxLength"] if "maxLength" in schema else long_text
    body["location"] = None
    if "timeZone" in body:
        body["timeZone"] = max(sorted(zone.name for zone in zones()), key=len)
    return body


def _walk(contract: Contract, schema: dict[str, Any], value: Any, path: tuple) -> list[tuple[tuple, dict, Any]]:
    """Every (path, schema, value) of the request example, the schema resolved (a nullable object's object)."""
    schema = contract.resolve(schema)
    for option in schema.get("anyOf", []):
        option = contract.resolve(option)
        if option.get("type") != "null" and isinstance(value, dict):
            schema = option
    found = [(path, schema, value)]
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in schema.get("properties", {}):
                found += _walk(contract, schema["properties"][key], inner, (*path, key))
    elif isinstance(value, list) and value and "items" in schema:
        found += _walk(contract, schema["items"], value[0], (*path, 0))  # one item stands for its list
    return found


def invalid_bodies(contract: Contract) -> dict[str, dict[str, Any]]:
    """One schema-invalid body per kind of constraint the faults of a server most often ignore, each from the
    page's example with one constraint broken: a number above its maximum, an unknown property where they
    are not allowed, each enum's value in the example in another case. Each also changes a free-text field, so that a server storing part of a rejected
    request shows it."""
    example = contract.request_example
    changed = next(name for name in contract.request_fields
                   if isinstance(example.get(name), str) and "enum" not in contract.resolve(contract.request_fields[name]))
    bodies: dict[str, dict[str, Any]] = {}
    enums: set[str] = set()
    for path, schema, value in _walk(contract, contract.component("CustomerUpdate"), example, ()):
        if "maximum" in schema and "above-maximum" not in bodies:
            bodies["above-maximum"] = _set(example, path, schema["maximum"] + 1)
        if schema.get("additionalProperties") is False and path and "unknown-property" not in bodies:
            bodies["unknown-property"] = _set(example, (*path, "engageContractUnknown"), 1)
        # An enum is matched as JSON Schema matches it, exactly: a listed value in another case is not listed.
        # One path for each enum: the same list elsewhere is most likely checked by the same code.
        recased = value.swapcase() if isinstance(value, str) and "enum" in schema else value
        if recased != value and recased not in schema["enum"] and repr(schema["enum"]) not in enums:
            enums.add(repr(schema["enum"]))
            bodies[f"{'.'.join(map(str, path))}-in-other-case"] = _set(example, path, recased)
    for body in bodies.values():
        body[changed] = f"{example[changed]} (changed by a rejected request)"
    return bodies


def _set(document: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document
