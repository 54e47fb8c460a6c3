"""Hand-made requests that give the documented outcomes their best chance, derived from the schema: one
for each listed 422 code, and a location in two languages to see Accept-Language honoured."""

from __future__ import annotations

import copy
from typing import Any

from engage_contract.contract import Contract

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
    """A location body whose city has translations in two languages, its state in the first only and its
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
    return {"location": location}, (first, second, absent)
