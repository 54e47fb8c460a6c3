"""schema/ is valid OpenAPI 3.1, its examples hold, and it says what the reference page says and nothing
else: each statement of the page is in it, each constraint in it is on the page or in the platform notes."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from openapi_spec_validator import validate

from engage_contract import contract as contract_module
from engage_contract.contract import SchemaError

from . import page_statements as page

CONTRACT = contract_module.load()
PATCH = CONTRACT.operation("PATCH")
# The published page, where a checkout has it beside it (CI does); ENGAGE_REFERENCE_PAGE names another copy.
PAGE_PATH = Path(os.environ.get("ENGAGE_REFERENCE_PAGE")
                 or Path(__file__).resolve().parents[3] / "shared" / "seed" / "update-customer.txt")
CONSTRAINTS = ("minLength", "maxLength", "minimum", "maximum", "minItems", "enum", "format")


def _read(schema: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """A schema's types, and the schema with anyOf-null and allOf folded into one."""
    schema = CONTRACT.resolve(schema)
    if "anyOf" in schema:
        options = [CONTRACT.resolve(option) for option in schema["anyOf"]]
        types = {t for option in options for t in _read(option)[0]}
        (node,) = [_read(option)[1] for option in options if option.get("type") != "null"]
        return tuple(sorted(types)), node
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in (CONTRACT.resolve(part) for part in schema["allOf"]):
            for key, value in part.items():
                if key == "properties":
                    for name, sub in value.items():
                        merged["properties"].setdefault(name, {"allOf": []})["allOf"].append(sub)
                elif key == "required":
                    merged["required"] += value
                else:
                    merged[key] = value
        return _read(merged)
    types = schema.get("type")
    return tuple(sorted(types if isinstance(types, list) else [types])), schema


def _constraints(schema: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for part in [CONTRACT.resolve(p) for p in schema.get("allOf", [])] or [schema]:
        for key in CONSTRAINTS:
            if key in part:
                found[key] = tuple(v for v in part[key] if v is not None) if key == "enum" else part[key]
    return found


def schema_statements(schema: dict[str, Any], path: str = "", required: bool = False) -> dict[str, dict]:
    """What schema/ says of each field, in the page table's terms (allowed and silent read alike)."""
    types, node = _read(schema)
    if "allOf" in node:  # a property merged from several parts (a 422 code: non-empty, and one of the listed)
        types = tuple(sorted({t for part in node["allOf"] for t in _read(part)[0] if t}))
    facts = page.row(types, required, **_constraints(node))
    if "object" in types:
        facts["additional"] = "NOT allowed" if node.get("additionalProperties") is False else "allowed or silent"
    found = {path: facts}
    prefix = f"{path}." if path else ""
    for name, sub in node.get("properties", {}).items():
        found.update(schema_statements(sub, prefix + name, name in node.get("required", [])))
    if "items" in node:
        found.update(schema_statements(node["items"], path + "[]"))
    return found


def _as_schema_reads(table: dict[str, dict]) -> dict[str, dict]:
    """The table with "allowed" and "silent" alike: JSON Schema allows additional properties either way."""
    return {path: {**facts, "additional": "allowed or silent"} if facts.get("additional") in ("allowed", "silent")
            else facts for path, facts in table.items()}


def _schema_of(response: str) -> dict[str, Any]:
    content = CONTRACT.resolve(PATCH["responses"][response])["content"]["application/json"]
    return content["schema"]


SECTIONS = {
    "request": (page.REQUEST, lambda: PATCH["requestBody"]["content"]["application/json"]["schema"]),
    "200": (page.OK, lambda: _schema_of("200")),
    "404": (page.NOT_FOUND, lambda: _schema_of("404")),
    "422": (page.BUSINESS, lambda: _schema_of("422")),
}
STATEMENTS = [(section, path) for section, (table, _) in SECTIONS.items() for path in table]


@pytest.mark.parametrize(("section", "path"), STATEMENTS, ids=[f"{s}:{p or '(root)'}" for s, p in STATEMENTS])
def test_schema_states_what_the_page_states(section: str, path: str) -> None:
    table, schema = SECTIONS[section]
    assert schema_statements(schema()).get(path) == _as_schema_reads(table)[path]


@pytest.mark.parametrize("section", list(SECTIONS))
def test_schema_states_nothing_the_page_does_not(section: str) -> None:
    table, schema = SECTIONS[section]
    assert set(schema_statements(schema())) == set(table), "fields in schema/ that the page does not describe"


def test_body_is_not_required_as_the_page_does_not_mark_it() -> None:
    assert PATCH["requestBody"].get("required", False) is False


def test_path_id_as_on_the_page() -> None:
    parameter = CONTRACT.resolve(CONTRACT.document["paths"]["/customers/{id}"]["parameters"][0])
    assert parameter["required"] and schema_statements(parameter["schema"], required=True)[""] == page.PATH_ID


def test_statuses_are_the_pages_and_the_platforms() -> None:
    from_page = set(page.STATUSES)
    # api-notes, "Status codes (platform-wide)": 405 is for a method the path does not support, so not PATCH's.
    platform = {400, 401, 403, 404, 409, 422, 429}
    assert CONTRACT.documented_statuses("PATCH") == from_page | platform
    assert "api-notes" in PATCH["x-source"] and "page" in PATCH["x-source"]


def test_listed_codes_are_the_pages() -> None:
    assert CONTRACT.business_error_codes == page.CODES


def _sourced_nodes(node: Any, source: str | None = None, where: str = "") -> list[tuple[str, str | None, dict]]:
    """Every mapping with a constraint keyword, with the nearest x-source above or on it."""
    found = []
    if isinstance(node, dict):
        source = node.get("x-source", source)
        if any(key in node for key in (*CONSTRAINTS, "pattern", "required", "additionalProperties", "type")):
            found.append((where, source, node))
        for key, value in node.items():
            found.extend(_sourced_nodes(value, source, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_sourced_nodes(value, source, f"{where}/{index}"))
    return found


CONSTRAINED = [item for item in _sourced_nodes(CONTRACT.document["components"]) if "/examples/" not in item[0]]


@pytest.mark.parametrize(("where", "source", "node"), CONSTRAINED, ids=[where for where, _, _ in CONSTRAINED])
def test_every_constraint_says_its_source(where: str, source: str | None, node: dict) -> None:
    assert source is not None and (source.startswith("page") or source.startswith("api-notes")), where
    if "pattern" in node:  # the page states no pattern: the date and language-list forms are the platform's
        assert "api-notes" in source, where


@pytest.mark.skipif(not PAGE_PATH.is_file(), reason="the reference page is not beside this checkout "
                    "(set ENGAGE_REFERENCE_PAGE to a copy)")
def test_the_table_is_the_page() -> None:
    read = page.read_page(PAGE_PATH.read_text(encoding="utf-8"))
    for section, table in (("request", page.REQUEST), ("200", page.OK), ("404", page.NOT_FOUND),
                           ("422", page.BUSINESS)):
        assert read[section] == table, section
    assert read["path id"] == page.PATH_ID
    assert tuple(read["statuses"]) == page.STATUSES and read["codes"] == page.CODES


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
