"""One request to the target, as it went over the wire, and what the suite knew around it: what every
check judges. It holds plain data, so that a check can be tried on a hand-made exchange."""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from engage_contract.contract import Contract
from engage_contract.http.retries import RETRIED_STATUSES
from engage_contract.judging.customer import data_in, stable_view
from engage_contract.judging.failures import Evidence
from engage_contract.tzdb import zone_names

JSON_MEDIA_TYPE = "application/json"
# api-notes, "Data conventions": time zones are IANA names. The field whose schema-valid values may still break it.
TIME_ZONE_FIELD = "timeZone"


class Body(enum.Enum):
    """What a PATCH body is, judged by the bytes and the Content-Type that were sent."""

    EMPTY = "empty"  # none at all, or zero bytes: the page does not make the body Required, so an empty update
    VALID = "valid"  # JSON that the request schema accepts
    INVALID = "invalid"  # JSON that the request schema rejects, or bytes sent as JSON that are not JSON
    FOREIGN = "foreign"  # sent in a media type the page does not describe: the contract says nothing of it


@dataclass(frozen=True)
class Sent:
    """A request as it was sent."""

    method: str
    path_id: str
    headers: Mapping[str, str]  # case-insensitive, as requests keeps them
    body: bytes | None
    url: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def media_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class ReadBack:
    """The customer read again after a request, in the request's language; `inconclusive` says why it tells
    nothing (the platform answered 409 or 429 even after the retries, or did not answer in time)."""

    status: int | None
    data: dict[str, Any] | None
    accept_language: str | None = None  # as sent with the read-back
    inconclusive: str | None = None


# Retried by the client; still there after the retries, they say nothing about the request.
INCONCLUSIVE_STATUSES = RETRIED_STATUSES


@dataclass
class Exchange:
    contract: Contract
    sent: Sent
    status: int
    headers: Mapping[str, str]  # response headers, lower-case names
    content: bytes
    customer_id: str
    authorized: bool  # the suite's own token went with the request
    before: dict[str, Any] | None = None  # the customer's data as last read, before this request
    created_at: str | None = None  # createdAt as first read in this run
    after: ReadBack | None = None  # the read-back, when the judge made one
    known_good: bool = False  # the reference page's own example request
    read_only: bool = False  # a token with the read-only scope went with the request (ENGAGE_READONLY_TOKEN)
    elsewhere: bool = False  # sent under another enterprise than the target's
    operation: str = field(default="PATCH /customers/{id}")
    # Sent at the same moment as other updates of the customer: the statuses all of them got; () for any other
    simultaneous: tuple[int, ...] = ()
    # How a failure shows this exchange (curl line, correlation id), made only when one does: relations show several.
    evidence_of: Callable[[], Evidence] | None = field(default=None, repr=False, compare=False)

    @property
    def method(self) -> str:
        return self.sent.method.upper()

    @property
    def path_id(self) -> str:
        return self.sent.path_id

    @property
    def targets_customer(self) -> bool:
        return self.path_id == self.customer_id

    @property
    def is_update(self) -> bool:
        """An authorized PATCH of the test customer, under its own enterprise: the requests whose body decides the
        outcome."""
        return self.authorized and self.targets_customer and self.method == "PATCH" and not self.elsewhere

    @property
    def inconclusive(self) -> bool:
        """The status says nothing of the request: 409 or 429 after the retries, or our own token refused
        after a refresh (its lifetime is the platform's business, not this operation's)."""
        # Under another enterprise, a 401 for our token is an answer (it is not valid there), if the token is still
        # good at home: the read-back of the test customer says so.
        at_home = self.elsewhere and self.after is not None and self.after.status == 200
        return self.status in INCONCLUSIVE_STATUSES or (self.status == 401 and self.authorized and not at_home)

    @functools.cached_property
    def body(self) -> Body:
        raw = self.sent.body
        if not raw:
            return Body.EMPTY
        if self.sent.media_type != JSON_MEDIA_TYPE:
            return Body.FOREIGN
        parsed = _parse_json(raw)
        if parsed is _NOT_JSON:
            return Body.INVALID
        return Body.VALID if self.contract.request_body.is_valid(parsed) else Body.INVALID

    @functools.cached_property
    def sent_is_json(self) -> bool:
        """The bytes sent parse as JSON, whatever the Content-Type said."""
        return bool(self.sent.body) and _parse_json(self.sent.body) is not _NOT_JSON

    @property
    def sent_is_valid_json(self) -> bool:
        """The bytes sent are JSON that the request schema accepts, whatever the Content-Type said."""
        return self.sent_is_json and self.contract.request_body.is_valid(_parse_json(self.sent.body))

    @functools.cached_property
    def broken_keyword(self) -> str:
        """The one kind of constraint a schema-invalid JSON body breaks (type, maxLength, required,
        additionalProperties...), looking inside the anyOf branch its value's type selects; "" for any other
        body, and for one that breaks constraints of several kinds."""
        parsed = _parse_json(self.sent.body) if self.sent.body else _NOT_JSON
        if parsed is _NOT_JSON:
            return ""
        kinds = set().union(*(_kinds(error) for error in self.contract.request_body.iter_errors(parsed)))
        return kinds.pop() if len(kinds) == 1 else ""

    @functools.cached_property
    def sent_body(self) -> dict[str, Any]:
        """The fields of a valid body (an empty update sends none)."""
        if self.body is not Body.VALID:
            return {}
        return _parse_json(self.sent.body)

    @functools.cached_property
    def sent_fields(self) -> dict[str, Any]:
        """What the body sent of the fields the request schema defines: unknown properties, which the page
        allows at the top level, are not fields of the customer whatever they are called."""
        known = self.contract.request_fields
        return {name: value for name, value in self.sent_body.items() if name in known}

    @property
    def breaks_a_convention(self) -> bool:
        """The body is schema-valid but not as the platform notes its data: a time zone that is no IANA
        name. A server may refuse it as malformed (400) as well as with its listed 422."""
        zone = self.sent_body.get(TIME_ZONE_FIELD)
        return isinstance(zone, str) and zone not in zone_names()

    @property
    def names_server_set(self) -> bool:
        """The body names a property only the server sets (an id, a timestamp): it may be refused for that."""
        return any(name in self.sent_body for name in self.contract.server_set_fields)

    @property
    def plain_id(self) -> bool:
        """The path id has only unreserved URL characters: no server can call it malformed."""
        return re.fullmatch(r"[A-Za-z0-9._~-]+", self.path_id) is not None

    @functools.cached_property
    def headers_are_valid(self) -> bool:
        """Every header the contract describes, where sent, is as described (Accept-Language a tag list)."""
        return all(validator.is_valid(self.sent.header(name))
                   for name, validator in self.contract.header_validators.items()
                   if self.sent.header(name) is not None)

    @functools.cached_property
    def json(self) -> Any:
        parsed = _parse_json(self.content)
        return None if parsed is _NOT_JSON else parsed

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    @property
    def data(self) -> dict[str, Any] | None:
        return data_in(self.status, self.json)

    @property
    def correlation_id(self) -> str | None:
        return self.sent.header("X-Correlation-Id")

    @property
    def accept_language(self) -> str | None:
        return self.sent.header("Accept-Language")

    def stable(self, data: dict[str, Any] | None) -> dict[str, Any] | None:
        """What of a representation must hold still while the customer does (customer.stable_view)."""
        return stable_view(data, self.contract.location_fields)

    @property
    def read_back_data(self) -> dict[str, Any] | None:
        return self.after.data if self.after is not None else None

    @property
    def read_back_conclusive(self) -> bool:
        return self.after is not None and self.after.inconclusive is None


_NOT_JSON = object()


def _kinds(error: jsonschema.ValidationError) -> set[str]:
    """The keywords an error comes down to: for anyOf (a nullable object, say), the errors of the branch whose
    type the value has; a value no branch takes by its type is a type error."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return {str(error.validator)}
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    typed = [errors for errors in branches.values()
             if not any(inner.validator == "type" and inner.absolute_path == error.absolute_path for inner in errors)]
    if len(typed) != 1:
        return {"type"}
    return set().union(*(_kinds(inner) for inner in typed[0]))


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, TypeError):
        return _NOT_JSON
