"""The judge: sends each case through the client, reads the customer back, runs every check on the
exchange, and keeps what the suite knows of the test customer (its last representation, its first
createdAt) and the run's tallies."""

from __future__ import annotations

import collections
import dataclasses
import json
import threading
import time
import unittest
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, TypeVar, runtime_checkable
from urllib.parse import unquote

from schemathesis import Case

from engage_contract.contract import Contract
from engage_contract.http.client import Client
from engage_contract.http.errors import (
    AnswerBroken,
    ClientError,
    CredentialsRejected,
    TargetTimedOut,
    TargetUnreachable,
    TokenUnavailable,
)
from engage_contract.http.retries import MAX_RETRIES
from engage_contract.judging import checks
from engage_contract.judging.baseline import KnownDeviations
from engage_contract.judging.customer import data_of
from engage_contract.judging.relations import Read
from engage_contract.judging.exchange import INCONCLUSIVE_STATUSES, Body, Exchange, ReadBack, Sent
from engage_contract.judging.failures import Finding, evidence, leaves, request_evidence
from engage_contract.judging.turns import Turns

T = TypeVar("T")

# Between two updates that answered 409 even after their retries, a pause: the customer is busy, and the next
# case would only meet the same lock (and spend requests on a shared environment).
CONFLICT_PAUSE = 2.0
# A target that leaves this many requests in a row without a complete answer in time has stopped answering.
STOPPED_ANSWERING_AFTER = 3
UNREACHABLE_AFTER = 3


class CaseUnjudged(unittest.SkipTest):
    """The case got no verdict: the target could not be reached, or no token could be had."""


class TransportFinding(AssertionError):
    """A clause about the answer itself (its time, its completeness), broken on the request that got it."""

    check, clause = "", ""

    def __init__(self, message: str) -> None:
        super().__init__(f"{self.check}: {self.clause} {message}")
        self.finding = Finding(self.check, self.clause, message)


class RequestTimedOut(TransportFinding):
    """answers_in_time: a request got no complete answer within the per-request timeout."""

    check, clause = checks.ANSWERS_IN_TIME, checks.ANSWERS_IN_TIME_CLAUSE


class AnswerIncomplete(TransportFinding):
    """answers_completely: the answer was cut short, reset or could not be decoded."""

    check, clause = checks.ANSWERS_COMPLETELY, checks.ANSWERS_COMPLETELY_CLAUSE


@dataclass
class Tally:
    """What the run observed, for the summary and the JUnit properties."""

    cases: int = 0
    bodies: collections.Counter = field(default_factory=collections.Counter)  # Body -> updates sent
    accepted: collections.Counter = field(default_factory=collections.Counter)  # Body -> updates that got 200
    reached_200: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    # (kind, status) -> requests: kind is a generated update's body (valid, invalid, empty, foreign), "other" for
    # another generated request (without our token, say), or "probe" for a hand-made one
    statuses_by_kind: collections.Counter = field(default_factory=collections.Counter)
    business_codes: collections.Counter = field(default_factory=collections.Counter)
    inconclusive: collections.Counter = field(default_factory=collections.Counter)  # Body -> 409/429/401 after retries
    inconclusive_read_backs: int = 0
    inconclusive_cases: int = 0  # cases the platform gave no verdict on: 409/429/own 401, unreachable, no read-back
    unjudged: collections.Counter = field(default_factory=collections.Counter)  # why, for those cases
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

    @property
    def inconclusive_share(self) -> float:
        return self.inconclusive_cases / self.cases if self.cases else 0.0

    def why_unjudged(self) -> str:
        return ", ".join(f"{count} {why}" for why, count in self.unjudged.most_common())

    def exercised(self) -> str | None:
        """Why the run proved nothing (no schema-valid update was accepted), or None; raises LookupError when
        no update that could tell was sent at all (a run narrowed with -k, say)."""
        sent = self.bodies[Body.VALID] - self.inconclusive[Body.VALID]
        accepted = self.accepted[Body.VALID]
        if not sent:
            raise LookupError("no schema-valid update got an answer that tells")
        if not accepted:
            return (f"the contract could not be exercised: none of the {sent} schema-valid updates was accepted "
                    f"(statuses: {json.dumps({str(k): v for k, v in sorted(self.statuses.items())})})")
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


def _carrying_headers(finding: TransportFinding, sent: Exception) -> TransportFinding:
    finding.sent_headers = getattr(sent, "sent_headers", {})  # the request's, for the failure's curl line
    return finding


@runtime_checkable
class ExchangeObserver(Protocol):
    """What looks at every exchange the judge has judged (the run's readings of the page's silences), given by
    whoever starts the run. It never raises into the verdict."""

    def exchange(self, x: Exchange) -> None:
        ...


class Judge:
    def __init__(self, contract: Contract, client: Client, customer_id: str,
                 known: KnownDeviations | None = None, cases_sent: CasesSent | None = None,
                 lock_seconds: float = 60.0, turns: Turns | None = None,
                 observer: ExchangeObserver | None = None) -> None:
        self.contract = contract
        self.observer = observer  # shown every judged exchange; the run's, shared by its lanes
        self.turns = turns if turns is not None else Turns()  # the run's, shared by its lanes
        # Writes a representation back to the test customer (the run's restore), for a case replayed from where it
        # started; None where nothing may be written back. Why it could not, or None.
        self.put_back: Callable[[dict[str, Any]], str | None] | None = None
        # Write events (an update sent, an update answered) of every lane, and of this one, when the read that the
        # known state came from was sent: a write of another lane after that may be missing from it.
        self._events_at_known = self._own_at_known = self._events_before_read = self._own_before_read = 0
        self._own_events = 0
        self._others_wrote = False  # during the case just judged, another lane sent an update
        self.client = client
        self.customer_id = customer_id
        self.cases_sent = cases_sent if cases_sent is not None else CasesSent()  # the run's, shared by its lanes
        self._shrinking = False  # a generated case failed: hypothesis replays cases, each must go out
        self._generating = False  # the case being judged is a generated one (else a hand-made probe)
        self.known: dict[str, Any] | None = None
        self.created_at: str | None = None
        self.tally = Tally()
        self._timeouts_in_a_row = self._unreachable_in_a_row = 0
        # Updates that answer 409 after their retries for this long, in a row, mean a locked customer.
        self.lock_seconds = lock_seconds
        self._conflicts_since: float | None = None  # when the first update of the current row of 409s was sent
        self._conflicts_in_a_row = 0
        self.stopped_by: str | None = None  # a signal asked the run to stop
        self.on_case: Callable[[], None] | None = None  # called after each case (live progress)
        # Called when the environment does not let the run judge (a locked customer, a target that stopped
        # answering): the run stops, saying why.
        self.give_up: Callable[[str], None] = lambda reason: None
        # What reading the customer back found wrong with the GET itself (a 5xx, a redirect, no complete answer),
        # by signature: findings of their own, never a verdict on the request before it.
        self.read_back_findings: dict[str, Finding] = {}
        self._pending: dict[str, Exchange] = {}
        self.deviations = known if known is not None else KnownDeviations(path=None)
        self.schemathesis_checks = checks.as_schemathesis_checks(checks.ALL, lambda case: self._pending[case.id],
                                                                 self.deviations, client.mask)
        # The clauses of an answer on its own, for updates whose state others change at the same moment.
        self._answer_checks = checks.as_schemathesis_checks(checks.RESPONSE_FORM, lambda case: self._pending[case.id],
                                                            self.deviations, client.mask)
        self._siblings: list[Client] = []

    def remember(self, data: dict[str, Any] | None) -> None:
        """Take a representation of the test customer as what the suite now knows of it (None: unknown)."""
        self.known = data
        self._events_at_known, self._own_at_known = self._events_before_read, self._own_before_read
        if self.created_at is None and data is not None:
            self.created_at = data.get("createdAt")

    def send(self, case: Case, *, authorized: bool = True, token: str | None = None,
             known_good: bool = False, read_only: bool = False, base_url: str | None = None,
             correlation_id: str | None = None) -> Exchange:
        """Send a case, read the customer back, and judge both; raise what schemathesis raises for failed checks,
        and CaseUnjudged (a skip) where the platform gave no verdict (unreachable, no token, 409 or 429 after the
        retries, a read-back that told nothing). With several lanes, a failure of a clause about what the suite
        knew before, while another lane wrote, is replayed with the target alone: only its replay's verdict counts
        (the change may have been another customer's update reaching this one: other_customers_untouched's)."""
        __tracebackhide__ = True
        arguments = dict(authorized=authorized, token=token, known_good=known_good, read_only=read_only,
                         base_url=base_url, correlation_id=correlation_id)
        failing, first_failure = self.tally.failing_cases, self.tally.first_failure_at
        before = self.known
        try:
            with self.turns.shared():
                return self._send(case, **arguments)
        except (AssertionError, BaseExceptionGroup) as exc:
            if (not self._others_wrote or self.turns.is_alone() or not _about_what_was_known(exc)
                    or before is None or self.put_back is None):
                raise
            replayable = exc
        with self.turns.alone():
            # From the same start: what the first send changed (a rejected update's partial write) shows again.
            if self.put_back(before) is not None:
                raise replayable
            self.known = None
            self._read_known()
            self._send(case, **arguments)  # failing alone, the failure is its own
        self.tally.failing_cases, self.tally.first_failure_at = failing, first_failure
        self._unjudged("changed meanwhile by another lane's request")
        raise CaseUnjudged("no verdict: the customer changed while another lane wrote, and replayed alone the case holds")

    def _send(self, case: Case, *, authorized: bool, token: str | None, known_good: bool, read_only: bool,
              base_url: str | None, correlation_id: str | None) -> Exchange:
        __tracebackhide__ = True
        if self.stopped_by is not None:
            # A skip, not an error: hypothesis stops at once instead of shrinking, and nothing reads as a failure.
            raise unittest.SkipTest(f"the run was stopped ({self.stopped_by})")
        if self.known is None:
            self._read_known()
        if self._conflicts_since is not None:
            self.client.pacer.pause(CONFLICT_PAUSE)
        sending = time.monotonic()
        writes = case.method.upper() != "GET"
        self._write_event(writes)
        try:
            response = self._answered(lambda: self.client.send(case, authorized=authorized, token=token, base_url=base_url,
                                                               correlation_id=correlation_id))
        except (TargetUnreachable, CredentialsRejected) as exc:
            self.tally.cases += 1
            self._unjudged("no token" if isinstance(exc, (TokenUnavailable, CredentialsRejected)) else "unreachable")
            self._unreachable_in_a_row += 1
            if isinstance(exc, CredentialsRejected):
                self.give_up(f"the token endpoint refused the client credentials mid-run ({exc})")
            elif self._unreachable_in_a_row >= UNREACHABLE_AFTER:
                self.give_up(f"{self._unreachable_in_a_row} requests in a row got no verdict ({exc})")
            self.remember(None)  # it may have been applied all the same: the next case reads the customer first
            self._case_done()
            raise CaseUnjudged(f"no verdict: {exc}") from None
        except TransportFinding as exc:
            self.tally.cases += 1
            self.remember(None)  # a timed-out or broken answer may still have changed the customer
            exc.finding = dataclasses.replace(exc.finding, evidence=request_evidence(
                case, getattr(exc, "sent_headers", {}), authorized and token is None, self.client.mask,
                self.client.base_url))
            self._failed()
            self._case_done()
            raise
        finally:
            self._write_event(writes)
        self._unreachable_in_a_row = 0
        exchange = self._exchange(case, response, known_good, read_only, elsewhere=base_url is not None)
        exchange.evidence_of = lambda: evidence(case, response, exchange.authorized, self.client.mask)
        exchange.after = self._read_back(exchange)
        self._others_wrote = (self.turns.events - self._events_at_known) - (self._own_events - self._own_at_known) > 0
        self._count(exchange)
        if self.observer is not None:
            self.observer.exchange(exchange)
        if exchange.targets_customer:
            # What could not be read is not known: the next case reads the customer first.
            self.remember(exchange.read_back_data if exchange.read_back_conclusive else None)
        self._pending[case.id] = exchange
        try:
            case.validate_response(response, checks=self.schemathesis_checks)
        except (AssertionError, BaseExceptionGroup):  # schemathesis' FailureGroup is no AssertionError
            self._failed()
            raise
        finally:
            del self._pending[case.id]
            self._case_done()
        self._watch_for_a_lock(exchange, sending)
        if exchange.inconclusive or (exchange.targets_customer and not exchange.read_back_conclusive):
            # Judged as far as it could be: a probe shows it as skipped, saying why.
            raise CaseUnjudged(f"no verdict: {exchange.status} after the retries" if exchange.inconclusive
                               else f"no verdict on what persisted: the read-back {exchange.after.inconclusive}")
        return exchange

    def _failed(self) -> None:
        self.tally.failing_cases += 1
        if self.tally.first_failure_at is None:
            self.tally.first_failure_at = self.client.sent

    def _case_done(self) -> None:
        if self.on_case is not None:
            self.on_case()

    def _unjudged(self, why: str) -> None:
        self.tally.inconclusive_cases += 1
        self.tally.unjudged[why] += 1

    def _watch_for_a_lock(self, exchange: Exchange, sent_at: float) -> None:
        """Updates that answer 409 in a row, even after the retries, for `lock_seconds`: the customer is locked,
        and the run would only wait out the retries of every case to come. A lock of a few seconds, as concurrent
        operations take, leaves a few cases inconclusive and nothing more."""
        if not exchange.is_update:
            return
        if exchange.status != 409:
            self._conflicts_since, self._conflicts_in_a_row = None, 0
            return
        if self._conflicts_since is None:
            self._conflicts_since = sent_at
        self._conflicts_in_a_row += 1
        lasted = time.monotonic() - self._conflicts_since
        if lasted >= self.lock_seconds:
            self.give_up(f"customer {self.customer_id} is locked: {self._conflicts_in_a_row} updates in a row "
                         f"answered 409 Conflict for {lasted:.0f} s, each after {MAX_RETRIES} retries")

    def send_generated(self, case: Case) -> Exchange | None:
        """Send a generated case, unless one alike was sent already (by any lane) and nothing has failed here: once
        a case fails (or errs), every case goes out, for hypothesis to shrink and replay it against the server."""
        __tracebackhide__ = True
        if self.stopped_by is None and not self._shrinking and not self.cases_sent.first(case, self.customer_id):
            self.tally.alike += 1
            return None
        self._generating = True
        try:
            return self.send(case)
        except CaseUnjudged:
            return None  # counted; a skip would end hypothesis' test, and the next case may well get a verdict
        except unittest.SkipTest:
            raise
        except BaseException:  # a failure or an error: hypothesis replays it, and it must go out again
            self._shrinking = True
            raise
        finally:
            self._generating = False

    def others_events(self) -> int:
        """The write events of the other lanes so far (turns.Turns.events, this lane's own aside)."""
        return self.turns.events - self._own_events

    def others_events_at_known(self) -> int:
        """The other lanes' write events when the read that the known state came from was sent: a sequence that
        starts from the known state was exposed to every one after that."""
        return self._events_at_known - self._own_at_known

    def refresh(self) -> None:
        """Read the customer again where another lane's request may have changed it since it was last read (a
        relation that compares with what was known starts from what is)."""
        if self.turns.lanes > 1 or self.known is None:
            self.known = None
            self._read_known()

    def observe(self, case: Case) -> Read:
        """A GET of a customer, for a relation: judged by nothing on its own, its answer and how to repeat it."""
        __tracebackhide__ = True
        self._events_before_read, self._own_before_read = self.turns.events, self._own_events
        with self.turns.shared():
            try:
                response = self._answered(lambda: self.client.send(case))
            except (TargetUnreachable, CredentialsRejected) as exc:
                raise CaseUnjudged(f"no verdict: {exc}") from None
        status = response.status_code
        told = status not in INCONCLUSIVE_STATUSES and status < 500 and not 300 <= status < 400
        return Read(str(case.path_parameters.get("id", "")), (case.headers or {}).get("Accept-Language"),
                    status if told else None, data_of(response) if told else None,
                    evidence(case, response, True, self.client.mask))

    def send_together(self, cases: list[Case], read: Case) -> tuple[list[Exchange], Read]:
        """Send updates of the test customer at the same moment, each on a session of its own, then read it once.
        Each is judged by the clauses of its answer alone (the others compare with a state that the other
        updates change meanwhile); the relation judges the rest."""
        __tracebackhide__ = True
        if self.known is None:
            self._read_known()
        clients = [self.client, *(self._sibling(index) for index in range(1, len(cases)))]
        barrier = threading.Barrier(len(cases))
        answers: list[Any] = [None] * len(cases)

        def go(index: int) -> None:
            try:
                barrier.wait(timeout=self.client.timeout)
                answers[index] = clients[index].send(cases[index], retry_conflicts=False)
            except Exception as exc:  # noqa: BLE001 - raised in the judge's thread below
                answers[index] = exc

        with self.turns.shared():
            for _ in cases:
                self._write_event(True)
            threads = [threading.Thread(target=go, args=(index,), daemon=True) for index in range(len(cases))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for _ in cases:
                self._write_event(True)
        for answer in answers:
            if isinstance(answer, (TargetUnreachable, CredentialsRejected, threading.BrokenBarrierError)):
                self.remember(None)
                raise CaseUnjudged(f"no verdict: {answer}")
            if isinstance(answer, (TargetTimedOut, AnswerBroken)):
                self.remember(None)
                raise (RequestTimedOut if isinstance(answer, TargetTimedOut) else AnswerIncomplete)(str(answer))
            if isinstance(answer, BaseException):
                raise answer
        after = self.observe(read)
        exchanges = []
        for case, response in zip(cases, answers):
            exchange = self._exchange(case, response, False)
            exchange.simultaneous = tuple(answer.status_code for answer in answers) if len(cases) > 1 else ()
            exchange.after = ReadBack(after.status, after.data, after.accept_language,
                                      inconclusive=None if after.status is not None else "no answer that tells")
            exchange.evidence_of = lambda case=case, response=response, exchange=exchange: evidence(
                case, response, exchange.authorized, self.client.mask)
            self._count(exchange)
            if self.observer is not None:
                self.observer.exchange(exchange)
            self._pending[case.id] = exchange
            try:
                case.validate_response(response, checks=self._answer_checks)
            finally:
                del self._pending[case.id]
            exchanges.append(exchange)
        self.remember(after.data)
        return exchanges, after

    def _sibling(self, index: int) -> Client:
        while len(self._siblings) < index:
            self._siblings.append(self.client.sibling())
        return self._siblings[index - 1]

    def _exchange(self, case: Case, response: Any, known_good: bool, read_only: bool = False,
                  elsewhere: bool = False) -> Exchange:
        request = response.request
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        return Exchange(
            contract=self.contract,
            # An odd id goes out percent-encoded, as the client's read-back sends it; the id is the decoded one.
            sent=Sent(method=request.method, path_id=unquote(str(case.path_parameters.get("id", ""))),
                      headers=request.headers, body=body, url=request.url),
            status=response.status_code,
            headers={name: values[0] if values else "" for name, values in response.headers.items()},
            content=response.content,
            customer_id=self.customer_id,
            # What was sent decides: schemathesis itself drops the token from some coverage cases.
            authorized=self.client.sent_our_token(request.headers),
            before=self.known,
            created_at=self.created_at,
            known_good=known_good,
            read_only=read_only,
            elsewhere=elsewhere,
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

    def _write_event(self, writes: bool) -> None:
        if writes:
            self.turns.write_event()
            self._own_events += 1

    def _read(self, customer_id: str, accept_language: str | None) -> ReadBack:
        """One GET of a customer. 409 or 429 (after the client's retries) tell nothing; a 5xx, a redirect, no
        complete answer in time or a broken one tell nothing of the request before it either, and are findings
        about the GET itself."""
        self._events_before_read, self._own_before_read = self.turns.events, self._own_events
        try:
            response = self._answered(lambda: self.client.read(customer_id, accept_language))
        except (TransportFinding, ClientError) as exc:  # a finding about the GET, whatever broke
            finding = exc.finding if isinstance(exc, TransportFinding) else Finding(
                checks.READ_BACK_ANSWERS, checks.READ_BACK_ANSWERS_CLAUSE, str(exc))
            self._read_back_finding(finding.check if isinstance(exc, TransportFinding) else "error", finding)
            return ReadBack(None, None, accept_language, inconclusive=str(exc).splitlines()[0])
        except (TargetUnreachable, CredentialsRejected) as exc:
            return ReadBack(None, None, accept_language, inconclusive=str(exc).splitlines()[0])
        status = response.status_code
        if status in INCONCLUSIVE_STATUSES:
            return ReadBack(status, None, accept_language, inconclusive=f"answered {status}")
        if status >= 500 or 300 <= status < 400:
            where = f" to {response.headers.get('Location')}" if 300 <= status < 400 else ""
            self._read_back_finding(str(status), Finding(
                checks.READ_BACK_ANSWERS, checks.READ_BACK_ANSWERS_CLAUSE,
                f"GET {response.request.url} answered {status}{where}\n"
                f"X-Correlation-Id: {response.request.headers.get('X-Correlation-Id')}"))
            return ReadBack(status, None, accept_language, inconclusive=f"answered {status}")
        return ReadBack(status, data_of(response), accept_language)

    def _read_back_finding(self, signature: str, finding: Finding) -> None:
        if finding.check != checks.READ_BACK_ANSWERS:
            finding = Finding(checks.READ_BACK_ANSWERS, checks.READ_BACK_ANSWERS_CLAUSE,
                              f"{finding.check}: {finding.message}")
        self.read_back_findings.setdefault(signature, finding)

    def _answered(self, send: Callable[[], T]) -> T:
        """Send; a request that got no complete answer in time, or a broken one, breaks a clause of its own. A
        target that leaves several requests in a row without an answer has stopped answering: the run stops."""
        try:
            response = send()
        except TargetTimedOut as exc:
            self._timeouts_in_a_row += 1
            if self._timeouts_in_a_row >= STOPPED_ANSWERING_AFTER:
                self.give_up(f"the target stopped answering: {self._timeouts_in_a_row} requests in a row got no "
                             f"complete answer within {self.client.timeout:g} s")
            raise _carrying_headers(RequestTimedOut(str(exc)), exc) from None
        except AnswerBroken as exc:
            self._timeouts_in_a_row = 0
            raise _carrying_headers(AnswerIncomplete(str(exc)), exc) from None
        self._timeouts_in_a_row = 0
        return response

    def _count(self, exchange: Exchange) -> None:
        tally = self.tally
        tally.cases += 1
        if exchange.method == "PATCH":  # the operation's statuses: never_reached is about them
            tally.statuses[exchange.status] += 1
        kind = (exchange.body.value if exchange.is_update else "other") if self._generating else "probe"
        tally.statuses_by_kind[(kind, exchange.status)] += 1
        if exchange.is_update:
            tally.bodies[exchange.body] += 1
            if exchange.status == 200:
                tally.accepted[exchange.body] += 1
            if exchange.inconclusive:
                tally.inconclusive[exchange.body] += 1
        if exchange.inconclusive:
            self._unjudged(f"answered {exchange.status} after the retries")
        elif exchange.targets_customer and not exchange.read_back_conclusive:
            self._unjudged("read back without an answer that tells")
        if exchange.status == 200:
            tally.reached_200 += 1
        if exchange.status == 422 and isinstance(exchange.json, dict):
            for error in exchange.json.get("errors") or []:
                if isinstance(error, dict) and error.get("code") in self.contract.business_error_codes:
                    tally.business_codes[error["code"]] += 1


# The clauses that compare what a request did with what the suite knew of the customer before it, or its answer with
# the read-back after it: another lane's update reaching this customer meanwhile would break them too.
ABOUT_WHAT_WAS_KNOWN = frozenset({
    "unsent_fields_kept", "rejected_request_changes_nothing", "empty_update_changes_nothing",
    "timestamps_are_consistent", "change_persists",
})


def _about_what_was_known(error: BaseException) -> bool:
    """Whether every clause the error breaks compares with what was known before the request."""
    found = [getattr(leaf, "check", None) for leaf in leaves(error)]
    return bool(found) and all(name in ABOUT_WHAT_WAS_KNOWN for name in found)
