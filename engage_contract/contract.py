"""The contract, loaded once from schema/: validators, the documented statuses, the listed 422 codes.

Everything the suite and the reference server know about constraints comes from here; nothing else
repeats a length, an enum or a status by hand.
"""

from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "customers.openapi.yaml"
OPERATION_PATH = "/customers/{id}"
_BASE_URI = "urn:engage-contract:customers.openapi"


class SchemaError(Exception):
    """The OpenAPI document is missing, unreadable or not the contract the suite expects."""


@dataclass(eq=False)  # identity equality, so instances can key caches
class Contract:
    """One OpenAPI document and the facts the suite derives from it."""

    path: Path
    document: dict[str, Any]
    _validators: dict[str, jsonschema.Draft202012Validator] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def _registry(self) -> referencing.Registry:
        resource = referencing.Resource(contents=self.document, specification=DRAFT202012)
        return referencing.Registry().with_resource(_BASE_URI, resource)

    def validator(self, pointer: str) -> jsonschema.Draft202012Validator:
        """A validator, with a real format checker, for the schema at a JSON pointer into the document."""
        if pointer not in self._validators:
            self._validators[pointer] = jsonschema.Draft202012Validator(
                {"$ref": _BASE_URI + pointer},
                registry=self._registry,
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            )
        return self._validators[pointer]

    def component(self, name: str) -> dict[str, Any]:
        return self.document["components"]["schemas"][name]

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow `$ref`s until a schema that is not only a reference."""
        while "$ref" in schema:
            schema = self._registry.resolver(_BASE_URI).lookup(schema["$ref"]).contents
        return schema

    def operation(self, method: str) -> dict[str, Any]:
        return self.document["paths"][OPERATION_PATH][method.lower()]

    @property
    def request_example(self) -> dict[str, Any]:
        """A copy of the reference page's request example: a known-good body."""
        examples = self.operation("PATCH")["requestBody"]["content"]["application/json"]["examples"]
        return copy.deepcopy(examples["seed"]["value"])

    def documented_statuses(self, method: str) -> frozenset[int]:
        return frozenset(int(code) for code in self.operation(method)["responses"])

    @functools.cached_property
    def business_error_codes(self) -> tuple[str, ...]:
        """The 422 codes the operation lists."""
        return tuple(self.component("BusinessErrorCode")["enum"])

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.component("Language")["enum"])

    @functools.cached_property
    def request_fields(self) -> dict[str, dict[str, Any]]:
        """The body's properties, by name, as the request schema defines them."""
        return dict(self.component("CustomerUpdate")["properties"])

    @functools.cached_property
    def server_set_fields(self) -> tuple[str, ...]:
        """The properties of a customer that only the server sets: the response has them, the request does not."""
        return tuple(name for name in self.component("Customer")["properties"] if name not in self.request_fields)

    @functools.cached_property
    def location_fields(self) -> tuple[str, ...]:
        """The properties the page names on a response's location (it allows others)."""
        return tuple(self.component("Location")["properties"])

    @functools.cached_property
    def server_chosen_on_null(self) -> tuple[str, ...]:
        """Fields a request may send as null but a response never carries as null: the server chooses."""
        response = self.component("Customer")["properties"]
        return tuple(name for name, schema in self.request_fields.items()
                     if name in response and _nullable(self.resolve(schema))
                     and not _nullable(self.resolve(response[name])))

    @functools.cached_property
    def header_validators(self) -> dict[str, jsonschema.Draft202012Validator]:
        """Header name -> a validator of its value, for every header parameter of the PATCH operation."""
        found = {}
        for parameter in [*self.document["paths"][OPERATION_PATH].get("parameters", []),
                          *self.operation("PATCH").get("parameters", [])]:
            pointer = parameter.get("$ref", "")
            parameter = self.resolve(parameter)
            if parameter.get("in") == "header" and pointer:
                found[parameter["name"]] = self.validator(pointer + "/schema")
        return found

    @property
    def request_body(self) -> jsonschema.Draft202012Validator:
        return self.validator("#/components/schemas/CustomerUpdate")

    @property
    def customer_envelope(self) -> jsonschema.Draft202012Validator:
        return self.validator("#/components/schemas/CustomerEnvelope")

    @property
    def error_envelope(self) -> jsonschema.Draft202012Validator:
        return self.validator("#/components/schemas/ErrorEnvelope")

    @property
    def business_error_envelope(self) -> jsonschema.Draft202012Validator:
        return self.validator("#/components/schemas/BusinessErrorEnvelope")


def _nullable(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    if types is not None:
        return "null" in (types if isinstance(types, list) else [types])
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def load(path: str | os.PathLike[str] | None = None) -> Contract:
    """Read and check the OpenAPI document; raise SchemaError with one line that says what is wrong."""
    path = Path(path) if path is not None else SCHEMA_PATH
    return _load(path.resolve())


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> Contract:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read the schema {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SchemaError(f"the schema {path} is not text (not UTF-8): is it the OpenAPI document?") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SchemaError(f"the schema {path} is not valid YAML{where}") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.1"):
        raise SchemaError(f"the schema {path} is not an OpenAPI 3.1 document")
    try:
        document["paths"][OPERATION_PATH]["patch"]["responses"]
        document["components"]["schemas"]["CustomerUpdate"]
        document["components"]["schemas"]["BusinessErrorCode"]["enum"]
    except (KeyError, TypeError) as exc:
        raise SchemaError(f"the schema {path} lacks {exc} of the PATCH {OPERATION_PATH} contract") from None
    contract = Contract(path=path, document=document)
    try:
        jsonschema.Draft202012Validator.check_schema(contract.component("CustomerUpdate"))
    except jsonschema.SchemaError as exc:
        raise SchemaError(f"the schema {path} has an invalid JSON Schema: {exc.message}") from None
    return contract
