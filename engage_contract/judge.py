"""The judge: sends each case through the client, runs every check on the exchange, and keeps what the
suite knows of the test customer (its last representation, its first createdAt) and the run's tallies."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from schemathesis import Case

from engage_contract import checks
from engage_contract.client import Client, TargetTimedOut
from engage_contract.contract import Contract
from engage_contract.exchange import Exchange


T = TypeVar("T")


class RequestTimedOut(AssertionError):
    """answers_in_time: a request got no answer within the per-request timeout."""


@dataclass
class Tally:
    """What the run observed, for the summary and the JUnit properties."""

    cases: int = 0
    valid_bodies: int = 0
    invalid_bodies: int = 0
    reached_200: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    business_codes: collections.Counter = field(default_factory=collections.Counter)


class Judge:
    def __init__(self, contract: Contract, client: Client, customer_id: str) -> None:
        self.contract = contract
        self.client = client
        self.customer_id = customer_id
        self.known: dict[str, Any] | None = None
        self.created_at: str | None = None
        self.tally = Tally()
        self.hung: str | None = None
        self.interrupted = False
        self._pending: dict[str, Exchange] = {}
        self._checks = checks.as_schemathesis_checks(checks.ALL, lambda case: self._pending[case.id])

    def remember(self, data: dict[str, Any]) -> None:
        """Take a representation of the test customer as what the suite now knows of it."""
        self.known = data
        if self.created_at is None:
            self.created_at = data.get("createdAt")

    def run(self, case: Case, *, authorized: bool = True, token: str | None = None) -> Exchange:
        """Send a case and judge the response; raise what schemathesis raises for failed checks."""
        __tracebackhide__ = True
        if self.interrupted:
            raise KeyboardInterrupt  # a Ctrl-C swallowed on its way up (see conftest): raise it again
        response = self._unless_hung(lambda: self.client.send(case, authorized=authorized, token=token))
        exchange = Exchange(
            contract=self.contract,
            case=case,
            response=response,
            customer_id=self.customer_id,
            # What was sent decides: schemathesis itself drops the token from some coverage cases.
            authorized=self.client.sent_our_token(response.request.headers),
            before=self.known,
            created_at=self.created_at,
            read=self._read,
        )
        self._count(exchange)
        self._pending[case.id] = exchange
        try:
            case.validate_response(response, checks=self._checks)
        finally:
            del self._pending[case.id]
            if exchange.targets_customer:
                after = exchange.read_back_data
                if after is not None:
                    self.remember(after)
        return exchange

    def _read(self, customer_id: str, accept_language: str | None) -> Any:
        return self._unless_hung(lambda: self.client.read(customer_id, accept_language))

    def _unless_hung(self, send: Callable[[], T]) -> T:
        """Send, unless the target already hung: then every further request would wait out the timeout too,
        and hypothesis would shrink against it for ever."""
        prefix = f"{checks.ANSWERS_IN_TIME}: {checks.ANSWERS_IN_TIME_CLAUSE}"
        if self.hung is not None:
            raise RequestTimedOut(f"{prefix} Earlier, {self.hung}")
        try:
            return send()
        except TargetTimedOut as exc:
            self.hung = str(exc)
            raise RequestTimedOut(f"{prefix} {exc}") from None

    def _count(self, exchange: Exchange) -> None:
        tally = self.tally
        tally.cases += 1
        tally.statuses[exchange.status] += 1
        if exchange.is_update:
            if exchange.body_is_valid:
                tally.valid_bodies += 1
            else:
                tally.invalid_bodies += 1
        if exchange.status == 200:
            tally.reached_200 += 1
        if exchange.status == 422 and isinstance(exchange.json, dict):
            for error in exchange.json.get("errors") or []:
                if isinstance(error, dict) and error.get("code") in self.contract.business_error_codes:
                    tally.business_codes[error["code"]] += 1
