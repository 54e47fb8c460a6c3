"""The judge: sends each case through the client, reads the customer back, runs every check on the
exchange, and keeps what the suite knows of the test customer (its last representation, its first
createdAt) and the run's tallies."""

from __future__ import annotations

import collections
import json
import threading
import unittest
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar
from urllib.parse import unquote

from schemathesis import Case

from engage_contract import checks
from engage_contract.baseline import KnownDeviations
from engage_contract.client import Client, TargetTimedOut
from engage_contract.contract import Contract
from engage_contract.customer import data_of
from engage_contract.exchange import INCONCLUSIVE_STATUSES, Body, Exchange, ReadBack, Sent
from engage_contract.failures import Finding

T = TypeVar("T")


class RequestTimedOut(AssertionError):
    """answers_in_time: a request got no answer within the per-request timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{checks.ANSWERS_IN_TIME}: {checks.ANSWERS_IN_TIME_CLAUSE} {message}")
        self.finding = Finding(checks.ANSWERS_IN_TIME, checks.ANSWERS_IN_TIME_CLAUSE, message)


@dataclass
class Tally:
    """What the run observed, for the summary and the JUnit properties."""

    cases: int = 0
    bodies: collections.Counter = field(default_factory=collections.Counter)  # Body -> updates sent
    accepted: collections.Counter = field(default_factory=collections.Counter)  # Body -> updates that got 200
    reached_200: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    business_codes: collections.Counter = field(default_factory=collections.Counter)
    inconclusive: collections.Counter = field(default_factory=collections.Counter)  # Body -> 409/429/401 after retries
    inconclusive_read_backs: int = 0
    failing_cases: int = 0
    alike: int = 0  # generated cases not sent: one alike had been sent already
    first_failure_at: int | None = None  # requests sent when the first case failed (before any shrinking)

    @classmethod
    def of_lanes(cls, tallies: list["Tally"]) -> "Tally":
        """The run's tally: every lane's added up; the first failure is the earliest."""
        total = cls()
        for tally in tallies:
            for name, value in vars(tally).items():
                if name == "first_failure_at":
                    firsts = [first for first in (total.first_failure_at, value) if first is not None]
                    total.first_failure_at = min(firsts, default=None)
                else:
                    setattr(total, name, getattr(total, name) + value)
        return total

    def exercised(self) -> str | None:
        """Why the run proved nothing (no schema-valid update was accepted), or None; raises LookupError when
        no update that could tell was sent at all (a run narrowed with -k, say)."""
        sent = self.bodies[Body.VALID] - self.inconclusive[Body.VALID]
        accepted = self.accepted[Body.VALID]
        if not sent:
            raise LookupError("no schema-valid update got an answer that tells")
        if not accepted:
            return (f"the contract could not be exercised: none of the {sent} schema-valid updates was accepted "
                    f"(statuses: {dict(sorted(self.statuses.items()))})")
        return None


class CasesSent:
    """What the run's generated cases sent, as they go out (to whichever test customer): schemathesis generates
    the same request from different draws (an empty object 150 times in a release run), and one alike was
    judged already."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: set[str] = set()

    def first(self, case: Case, customer_id: str) -> bool:
        """Whether no case alike was sent before; it counts as sent from now on."""
        key = _identity(case, customer_id)
        with self._lock:
            if key in self._sent:
                return False
            self._sent.add(key)
            return True


def _identity(case: Case, customer_id: str) -> str:
    """A case as it would go out, credentials included (a curl line masks them), the test customer's id aside."""
    path = {name: None if value == customer_id else value for name, value in case.path_parameters.items()}
    parts = (case.method, path, dict(case.headers or {}), case.query, case.cookies, case.body, case.media_type)
    return json.dumps(parts, sort_keys=True, default=repr)


class Judge:
    def __init__(self, contract: Contract, client: Client, customer_id: str,
                 known: KnownDeviations | None = None, cases_sent: CasesSent | None = None) -> None:
        self.contract = contract
        self.client = client
        self.customer_id = customer_id
        self.cases_sent = cases_sent if cases_sent is not None else CasesSent()  # the run's, shared by its lanes
        self._shrinking = False  # a generated case failed: hypothesis replays cases, each must go out
        self.known: dict[str, Any] | None = None
        self.created_at: str | None = None
        self.tally = Tally()
        self.hung: str | None = None
        self.stopped_by: str | None = None  # a signal asked the run to stop
        self.on_case: Callable[[], None] | None = None  # called after each case (live progress)
        self._pending: dict[str, Exchange] = {}
        self.deviations = known if known is not None else KnownDeviations(path=None)
        self.schemathesis_checks = checks.as_schemathesis_checks(checks.ALL, lambda case: self._pending[case.id],
                                                                 self.deviations, client.mask)

    def remember(self, data: dict[str, Any] | None) -> None:
        """Take a representation of the test customer as what the suite now knows of it (None: unknown)."""
        self.known = data
        if self.created_at is None and data is not None:
            self.created_at = data.get("createdAt")

    def run(self, case: Case, *, authorized: bool = True, token: str | None = None,
            known_good: bool = False) -> Exchange:
        """Send a case, read the customer back, and judge both; raise what schemathesis raises for failed checks."""
        __tracebackhide__ = True
        if self.stopped_by is not None:
            # A skip, not an error: hypothesis stops at once instead of shrinking, and nothing reads as a failure.
            raise unittest.SkipTest(f"the run was stopped ({self.stopped_by})")
        if self.known is None:
            self._read_known()
        response = self._unless_hung(lambda: self.client.send(case, authorized=authorized, token=token))
        exchange = self._exchange(case, response, known_good)
        exchange.after = self._read_back(exchange)
        self._count(exchange)
        if exchange.targets_customer:
            # What could not be read is not known: the next case reads the customer first.
            self.remember(exchange.read_back_data if exchange.read_back_conclusive else None)
        self._pending[case.id] = exchange
        try:
            case.validate_response(response, checks=self.schemathesis_checks)
        except (AssertionError, BaseExceptionGroup):  # schemathesis' FailureGroup is no AssertionError
            self.tally.failing_cases += 1
            if self.tally.first_failure_at is None:
                self.tally.first_failure_at = self.client.sent
            raise
        finally:
            del self._pending[case.id]
            if self.on_case is not None:
                self.on_case()
        return exchange

    def run_generated(self, case: Case) -> Exchange | None:
        """Run a generated case, unless one alike was sent already (by any lane) and nothing has failed here: once
        a case fails (or errs), every case goes out, for hypothesis to shrink and replay it against the server."""
        __tracebackhide__ = True
        if self.stopped_by is None and not self._shrinking and not self.cases_sent.first(case, self.customer_id):
            self.tally.alike += 1
            return None
        try:
            return self.run(case)
        except unittest.SkipTest:
            raise
        except BaseException:  # a failure or an error: hypothesis replays it, and it must go out again
            self._shrinking = True
            raise

    def _exchange(self, case: Case, response: Any, known_good: bool) -> Exchange:
        request = response.request
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        return Exchange(
            contract=self.contract,
            # An odd id goes out percent-encoded, as the client's read-back sends it; the id is the decoded one.
            sent=Sent(method=request.method, path_id=unquote(str(case.path_parameters.get("id", ""))),
                      headers=request.headers, body=body),
            status=response.status_code,
            headers={name: values[0] if values else "" for name, values in response.headers.items()},
            content=response.content,
            customer_id=self.customer_id,
            # What was sent decides: schemathesis itself drops the token from some coverage cases.
            authorized=self.client.sent_our_token(request.headers),
            before=self.known,
            created_at=self.created_at,
            known_good=known_good,
            operation=case.operation.label,
        )

    def _read_known(self) -> None:
        read = self._read(self.customer_id, None)
        if read.inconclusive is None:
            self.remember(read.data)

    def _read_back(self, exchange: Exchange) -> ReadBack:
        # A malformed Accept-Language may be refused with 400: the read-back then goes without it.
        language = exchange.accept_language if exchange.headers_are_valid else None
        read = self._read(exchange.path_id, language)
        if read.inconclusive is not None:
            self.tally.inconclusive_read_backs += 1
        return read

    def _read(self, customer_id: str, accept_language: str | None) -> ReadBack:
        """One GET of a customer; 409, 429 (after the client's retries) or no answer in time tell nothing."""
        try:
            response = self.client.read(customer_id, accept_language)
        except TargetTimedOut as exc:
            return ReadBack(None, None, accept_language, inconclusive=f"no answer in time ({exc})")
        if response.status_code in INCONCLUSIVE_STATUSES:
            return ReadBack(response.status_code, None, accept_language,
                            inconclusive=f"answered {response.status_code}")
        return ReadBack(response.status_code, data_of(response), accept_language)

    def _unless_hung(self, send: Callable[[], T]) -> T:
        """Send, unless the target already hung: then every further request would wait out the timeout too,
        and hypothesis would shrink against it for ever."""
        if self.hung is not None:
            raise RequestTimedOut(f"earlier, {self.hung}")
        try:
            return send()
        except TargetTimedOut as exc:
            self.hung = str(exc)
            raise RequestTimedOut(str(exc)) from None

    def _count(self, exchange: Exchange) -> None:
        tally = self.tally
        tally.cases += 1
        tally.statuses[exchange.status] += 1
        if exchange.is_update:
            tally.bodies[exchange.body] += 1
            if exchange.status == 200:
                tally.accepted[exchange.body] += 1
            if exchange.inconclusive:
                tally.inconclusive[exchange.body] += 1
        if exchange.status == 200:
            tally.reached_200 += 1
        if exchange.status == 422 and isinstance(exchange.json, dict):
            for error in exchange.json.get("errors") or []:
                if isinstance(error, dict) and error.get("code") in self.contract.business_error_codes:
                    tally.business_codes[error["code"]] += 1
