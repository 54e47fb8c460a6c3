"""schema/ is valid OpenAPI 3.1, its examples hold, and every constraint of the seed is there."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest
from openapi_spec_validator import validate

from engage_contract import contract as contract_module
from engage_contract.contract import SchemaError

CONTRACT = contract_module.load()
PATCH = CONTRACT.operation("PATCH")


def _example(content: dict[str, Any]) -> Any:
    return copy.deepcopy(content["application/json"]["examples"]["seed"]["value"])


def request_example() -> dict[str, Any]:
    return CONTRACT.request_example


def ok_example() -> dict[str, Any]:
    return _example(CONTRACT.document["components"]["responses"]["Customer"]["content"])


def test_is_valid_openapi_3_1() -> None:
    validate(CONTRACT.document)
    assert CONTRACT.document["openapi"].startswith("3.1")


def test_seed_examples_validate() -> None:
    assert CONTRACT.request_body.is_valid(request_example())
    assert CONTRACT.customer_envelope.is_valid(ok_example())
    assert CONTRACT.error_envelope.is_valid(_example(PATCH["responses"]["404"]["content"]))
    assert CONTRACT.business_error_envelope.is_valid(_example(PATCH["responses"]["422"]["content"]))


def test_yaml_did_not_turn_norwegian_into_false() -> None:
    assert "no" in CONTRACT.languages and False not in CONTRACT.languages


def test_documented_statuses_and_codes() -> None:
    assert CONTRACT.documented_statuses("PATCH") == {200, 400, 401, 403, 404, 409, 422, 429}
    assert CONTRACT.business_error_codes == (
        "CUSTOMER_NOT_IDENTIFIABLE", "LOCATION_GEOCODING_FAILED", "LOCATION_TIME_ZONE_RESOLUTION_FAILED")


def _parent(document: dict, path: str) -> tuple[Any, Any]:
    """The container holding the last part of a dotted path, and that part (an index for lists)."""
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, int(last) if isinstance(node, list) else last


def _set(path: str, value: Any) -> Callable[[dict], dict]:
    def edit(document: dict) -> dict:
        node, key = _parent(document, path)
        node[key] = value
        return document
    return edit


def _drop(path: str) -> Callable[[dict], dict]:
    def edit(document: dict) -> dict:
        node, key = _parent(document, path)
        del node[key]
        return document
    return edit


# (what, edit of the request example, accepted)
REQUEST_CASES = [
    ("externalId of 255 characters", _set("externalId", "x" * 255), True),
    ("externalId of 256 characters", _set("externalId", "x" * 256), False),
    ("externalId empty", _set("externalId", ""), False),
    ("externalId null", _set("externalId", None), True),
    ("customerNumber empty", _set("customerNumber", ""), False),
    ("email empty", _set("email", ""), False),
    ("email a number", _set("email", 5), False),
    ("firstName empty", _set("firstName", ""), False),
    ("lastName null", _set("lastName", None), True),
    ("company empty", _set("company", ""), False),
    ("language no", _set("language", "no"), True),
    ("language pt", _set("language", "pt"), False),
    ("language null", _set("language", None), True),
    ("notes empty", _set("notes", ""), False),
    ("phoneNumber empty", _set("phoneNumber", ""), False),
    ("existing null", _set("existing", None), True),
    ("existing a string", _set("existing", "true"), False),
    ("timeZone empty", _set("timeZone", ""), False),
    ("timeZone null", _set("timeZone", None), True),
    ("unknown top-level property", _set("nickname", "Jo"), True),
    ("location null", _set("location", None), True),
    ("location a string", _set("location", "Ghent"), False),
    ("unknown property inside location", _set("location.floor", 3), False),
    ("location without countryCode", _drop("location.countryCode"), False),
    ("countryCode of 1 character", _set("location.countryCode", "B"), False),
    ("countryCode of 3 characters", _set("location.countryCode", "BEL"), False),
    ("postalCode empty", _set("location.postalCode", ""), False),
    ("postalCode null", _set("location.postalCode", None), True),
    ("geolocation null", _set("location.geolocation", None), True),
    ("location without geolocation", _drop("location.geolocation"), True),
    ("latitude 90", _set("location.geolocation.latitude", 90), True),
    ("latitude -90", _set("location.geolocation.latitude", -90), True),
    ("latitude 90.0001", _set("location.geolocation.latitude", 90.0001), False),
    ("latitude -90.0001", _set("location.geolocation.latitude", -90.0001), False),
    ("longitude 180", _set("location.geolocation.longitude", 180), True),
    ("longitude -180.0001", _set("location.geolocation.longitude", -180.0001), False),
    ("latitude missing", _drop("location.geolocation.latitude"), False),
    ("unknown property inside geolocation", _set("location.geolocation.altitude", 3), False),
    ("translations missing", _drop("location.translations"), False),
    ("unknown property inside translations", _set("location.translations.country", []), False),
    ("city empty", _set("location.translations.city", []), False),
    ("city missing", _drop("location.translations.city"), False),
    ("street1 empty", _set("location.translations.street1", []), False),
    ("state empty", _set("location.translations.state", []), True),
    ("state missing", _drop("location.translations.state"), True),
    ("street2 empty", _set("location.translations.street2", []), True),
    ("translation language pt", _set("location.translations.city.0.language", "pt"), False),
    ("translation value empty", _set("location.translations.street1.0.value", ""), False),
    ("translation without value", _drop("location.translations.city.0.value"), False),
]


@pytest.mark.parametrize(("edit", "accepted"), [(edit, ok) for _, edit, ok in REQUEST_CASES],
                         ids=[what for what, _, _ in REQUEST_CASES])
def test_request_constraint(edit: Callable[[dict], dict], accepted: bool) -> None:
    assert CONTRACT.request_body.is_valid(edit(request_example())) is accepted


OK_CASES = [
    ("extra property under data", _set("data.nickname", "Jo"), False),
    ("extra property inside location", _set("data.location.floor", 3), True),
    ("createdAt 17/08/2022", _set("data.createdAt", "17/08/2022"), False),
    ("updatedAt with a lowercase t", _set("data.updatedAt", "2022-08-17t19:05:21.362Z"), False),
    ("updatedAt with -00:00", _set("data.updatedAt", "2022-08-17T19:05:21-00:00"), False),
    ("updatedAt with +02:00", _set("data.updatedAt", "2022-08-17T19:05:21+02:00"), True),
    ("updatedAt on 30 February", _set("data.updatedAt", "2022-02-30T19:05:21Z"), False),
    ("deletedAt null", _set("data.deletedAt", None), True),
    ("deletedAt missing", _drop("data.deletedAt"), False),
    ("existing missing", _drop("data.existing"), False),
    ("timeZone null", _set("data.timeZone", None), False),
    ("location null", _set("data.location", None), True),
    ("location.city null", _set("data.location.city", None), True),
    ("location.city missing", _drop("data.location.city"), False),
    ("location.city with an extra property", _set("data.location.city.source", "x"), False),
    ("location.geolocation null", _set("data.location.geolocation", None), False),
    ("formattedAddress empty", _set("data.location.formattedAddress", ""), False),
    ("id empty", _set("data.id", ""), False),
]


@pytest.mark.parametrize(("edit", "accepted"), [(edit, ok) for _, edit, ok in OK_CASES],
                         ids=[what for what, _, _ in OK_CASES])
def test_ok_body_constraint(edit: Callable[[dict], dict], accepted: bool) -> None:
    assert CONTRACT.customer_envelope.is_valid(edit(ok_example())) is accepted


ERROR_CASES = [
    ({"errors": []}, False),
    ({"errors": [{"message": "m", "code": "c", "type": "t", "statusCode": "404"}]}, True),
    ({"errors": [{"message": "m", "code": "c", "type": "t", "statusCode": 404}]}, False),
    ({"errors": [{"message": "", "code": "c", "type": "t", "statusCode": "404"}]}, False),
    ({"errors": [{"message": "m", "code": "c", "type": "t", "statusCode": "404", "traceId": "x"}]}, True),
]


@pytest.mark.parametrize(("body", "accepted"), ERROR_CASES)
def test_error_envelope_constraint(body: dict, accepted: bool) -> None:
    assert CONTRACT.error_envelope.is_valid(body) is accepted


@pytest.mark.parametrize("code", ["CUSTOMER_NOT_IDENTIFIABLE", "SOMETHING_ELSE"])
def test_business_error_codes(code: str) -> None:
    body = {"errors": [{"message": "m", "code": code, "type": "t", "statusCode": "422", "arguments": None}]}
    assert CONTRACT.business_error_envelope.is_valid(body) is (code in CONTRACT.business_error_codes)


@pytest.mark.parametrize(("text", "says"), [
    ("openapi: 3.1.0\npaths: {}\n", "lacks"),
    ("openapi: 3.0.3\n", "not an OpenAPI 3.1 document"),
    ("openapi: [3.1\n", "not valid YAML at line"),
])
def test_malformed_schema_is_one_line(tmp_path, text: str, says: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(SchemaError) as error:
        contract_module.load(path)
    assert says in str(error.value) and "\n" not in str(error.value)


def test_missing_schema_is_one_line(tmp_path) -> None:
    with pytest.raises(SchemaError, match="cannot read the schema"):
        contract_module.load(tmp_path / "absent.yaml")
