"""One request to the target and what the suite knew around it: what every check judges."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import requests
from schemathesis import Case
from schemathesis.core import NotSet
from schemathesis.core.transport import Response

from engage_contract.contract import Contract
from engage_contract.customer import data_of

JSON_MEDIA_TYPES = ("application/json",)


@dataclass
class Exchange:
    contract: Contract
    case: Case
    response: Response
    customer_id: str
    authorized: bool  # the suite's own token went with the request
    before: dict[str, Any] | None  # the customer's data as last read, before this request
    created_at: str | None  # createdAt as first read in this run
    read: Callable[[str, str | None], requests.Response] = field(repr=False)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def path_id(self) -> str:
        return str(self.case.path_parameters.get("id", ""))

    @property
    def targets_customer(self) -> bool:
        return self.path_id == self.customer_id

    @property
    def is_update(self) -> bool:
        """An authorized PATCH of the test customer: the requests whose body decides the outcome."""
        return self.authorized and self.targets_customer and self.case.method.upper() == "PATCH"

    @property
    def sent_body(self) -> Any:
        return self.case.body

    @property
    def has_json_body(self) -> bool:
        # The header sent decides, not the case's media type: coverage cases send JSON as text/plain too.
        sent = self.response.request.headers.get("Content-Type") or ""
        media_type = sent.split(";")[0].strip().lower()
        return not isinstance(self.case.body, NotSet) and media_type in JSON_MEDIA_TYPES

    @functools.cached_property
    def body_is_valid(self) -> bool:
        """The schema accepts the body, sent as JSON."""
        return self.has_json_body and self.contract.request_body.is_valid(self.case.body)

    @functools.cached_property
    def json(self) -> Any:
        try:
            return json.loads(self.response.content)
        except ValueError:
            return None

    @property
    def content_type(self) -> str:
        values = self.response.headers.get("content-type") or [""]
        return values[0].split(";")[0].strip().lower()

    @property
    def data(self) -> dict[str, Any] | None:
        return data_of(self.response)

    @property
    def correlation_id(self) -> str | None:
        return self.response.request.headers.get("X-Correlation-Id")

    @property
    def accept_language(self) -> str | None:
        return self.response.request.headers.get("Accept-Language")

    @functools.cached_property
    def read_back(self) -> requests.Response:
        """The target customer read again, in the request's language (the checks that need it share one read)."""
        return self.read(self.path_id, self.accept_language)

    @property
    def read_back_data(self) -> dict[str, Any] | None:
        return data_of(self.read_back)
