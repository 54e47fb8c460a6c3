"""One run of the suite against one target: start (or find) the target, read the test customer first,
restore it at the end, and tell what was covered."""

from __future__ import annotations

import contextlib
import json
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_contract import contract as contract_module
from engage_contract import customer, journal
from engage_contract.baseline import BaselineError, KnownDeviations
from engage_contract.client import (
    Client,
    ClientError,
    CredentialsRejected,
    TargetTimedOut,
    TargetUnreachable,
)
from engage_contract.config import PRODUCTION_HOSTS, ConfigError, ExitCode, Target
from engage_contract.contract import Contract, SchemaError
from engage_contract.exchange import Body
from engage_contract.judge import Judge

EMBEDDED_CUSTOMER_ID = "1001"
# What CI runners, terminals and Ctrl-C send to stop a run: each stops it as Ctrl-C does, and it restores.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Run:
    target: Target
    contract: Contract
    client: Client
    judge: Judge
    original: dict[str, Any]
    server: Any = None
    journal_path: Path | None = None  # None for the embedded server: nothing there outlives the run
    restore_problem: str | None = None  # after restore(): None, or why it failed
    restore_attempted: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def customer_id(self) -> str:
        return self.judge.customer_id

    @classmethod
    def start(cls, target: Target, say: Callable[[str], None] = print) -> "Run":
        """Everything before the first case; ConfigError (one sentence, an exit code) when it cannot go on."""
        try:
            contract = contract_module.load(target.schema_path)
        except SchemaError as exc:
            raise ConfigError(str(exc), ExitCode.BAD_SCHEMA) from None
        try:
            known = KnownDeviations.load(target.baseline, update=target.baseline_update)
        except BaselineError as exc:
            raise ConfigError(str(exc)) from None
        server = journal_path = None
        if target.embedded:
            from engage_contract import reference

            token = secrets.token_urlsafe(24)
            customer_id = EMBEDDED_CUSTOMER_ID
            server = reference.start(token=token, customer_ids=(customer_id,))
            client = Client(server.base_url, token, timeout=target.timeout)
        else:
            _refuse_production(target)
            customer_id = target.customer_ids[0]
            client = Client(target.base_url, target.token, timeout=target.timeout,
                            per_minute=target.requests_per_minute, credentials=target.credentials)
            journal_path = journal.path_for(target.journal_dir, target.base_url, customer_id)
        try:
            if journal_path is not None:
                _recover(target, client, contract, customer_id, journal_path, say)
            original = _read_test_customer(client, contract, customer_id)
            if journal_path is not None:
                journal.write(journal_path, target.base_url, customer_id, original)  # before the first write
        except ConfigError:
            if server is not None:
                server.shutdown()
            raise
        judge = Judge(contract, client, customer_id, known)
        judge.remember(original)
        return cls(target=target, contract=contract, client=client, judge=judge, original=original, server=server,
                   journal_path=journal_path)

    def stop(self, reason: str) -> None:
        """Stop after the request in flight: no new case starts, nothing waits for pacing or a retry."""
        self.judge.stopped_by = reason
        self.client.stopping = True

    def restore(self, *, urgent: bool = False, say: Callable[[str], None] = print) -> str | None:
        """Write the original values back and verify them, once, whatever happens meanwhile (a second Ctrl-C,
        a SIGTERM, an exception of any kind); a problem comes back as a message, with the original to send by
        hand, and the journal is kept. `urgent`: the run is being stopped, so no pacing and no waiting."""
        if self.restore_attempted:
            return self.restore_problem
        self.restore_attempted = True
        say(f"\nengage-contract: restoring customer {self.customer_id} ...")
        self.judge.hung = None  # restoring is worth one more try, even after a timeout
        with _signals_held():
            try:
                problem = restore_customer(self.client, self.contract, self.customer_id, self.original, urgent=urgent)
            except BaseException as exc:  # noqa: BLE001 - the restore's outcome must be reported, whatever it is
                problem = f"{type(exc).__name__}: {self.client.mask(str(exc))}"
        if problem is None:
            if self.journal_path is not None:
                journal.remove(self.journal_path)
            return None
        self.restore_problem = self._restore_failed(problem)
        return self.restore_problem

    def _restore_failed(self, reason: str) -> str:
        kept = f" (also kept in {self.journal_path})" if self.journal_path is not None else ""
        body = json.dumps(customer.restorable(self.original, self.contract.request_fields), indent=2,
                          ensure_ascii=False)
        return (f"RESTORE FAILED for customer {self.customer_id}: {reason}. To restore it by hand, PATCH "
                f"{self.client.customer_url(self.customer_id)} with this body{kept}:\n{body}")

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.client.session.close()

    def summary(self) -> dict[str, Any]:
        tally = self.judge.tally
        documented = sorted(self.contract.documented_statuses("PATCH"))
        codes = self.contract.business_error_codes
        return {
            "target": self.client.base_url + (" (embedded reference server)" if self.target.embedded else ""),
            "profile": self.target.profile.name,
            "seed": self.target.seed,
            "requests": self.client.sent,
            "seconds": round(time.monotonic() - self.started, 2),
            "cases": tally.cases,
            "valid_bodies": tally.bodies[Body.VALID],
            "invalid_bodies": tally.bodies[Body.INVALID],
            "empty_bodies": tally.bodies[Body.EMPTY],
            "valid_accepted": tally.accepted[Body.VALID],
            "reached_200": tally.reached_200,
            "retries": self.client.retries,
            "first_failure_at": tally.first_failure_at,
            "inconclusive_read_backs": tally.inconclusive_read_backs,
            "statuses": dict(sorted(tally.statuses.items())),
            "business_codes": {code: tally.business_codes.get(code, 0) for code in codes},
            "never_reached": [str(s) for s in documented if s not in tally.statuses]
            + [code for code in codes if not tally.business_codes.get(code)],
        }


def restore_customer(client: Client, contract: Contract, customer_id: str, original: dict[str, Any],
                     urgent: bool = False) -> str | None:
    """One write of the original values and one read to verify them; why it failed, or None. Where the
    platform lets a location decide the time zone, a second write sets the time zone alone."""
    written = client.write(customer_id, customer.restorable(original, contract.request_fields), urgent=urgent)
    read = client.read(customer_id, urgent=urgent)
    after = customer.data_of(read)
    if after is None:
        return f"writing it back got {written.status_code}, reading it back got {read.status_code}"
    fields = contract.location_fields
    left = customer.differences(customer.stable_view(original, fields), customer.stable_view(after, fields))
    if [d.field for d in left] == ["timeZone"] and written.status_code == 200:
        written = client.write(customer_id, {"timeZone": original.get("timeZone")}, urgent=urgent)
        after = customer.data_of(client.read(customer_id, urgent=urgent)) or {}
        left = customer.differences(customer.stable_view(original, fields), customer.stable_view(after, fields))
    if left:
        # A refused write is no problem when the customer was never changed.
        problem = "it reads back different" if written.status_code == 200 else \
            f"writing it back got {written.status_code}, and it reads back different"
        return f"{problem}: " + "; ".join(map(str, left[:5]))
    return None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait while the customer is restored (only the main thread can hold them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)


def _recover(target: Target, client: Client, contract: Contract, customer_id: str, path: Path,
             say: Callable[[str], None]) -> None:
    """Restore what an earlier run left in the journal (it was killed), unless that run is still going."""
    try:
        found = journal.read(path, target.base_url, customer_id)
    except journal.JournalError as exc:
        raise ConfigError(str(exc), ExitCode.JOURNAL_UNUSABLE) from None
    if found is None:
        return
    if found.live and not target.force:
        raise ConfigError(f"another run ({found.describe()}) is using customer {customer_id}, by its journal {path}; "
                          "wait for it, or set ENGAGE_FORCE=1 if it is gone", ExitCode.RUN_IN_PROGRESS)
    try:
        problem = restore_customer(client, contract, customer_id, found.original)
    except (TargetTimedOut, TargetUnreachable, CredentialsRejected, ClientError) as exc:
        problem = str(exc)
    if problem:
        raise ConfigError(f"customer {customer_id} could not be restored from the journal {path} of an earlier run "
                          f"({found.describe()}): {problem.splitlines()[0]}; the journal is kept",
                          ExitCode.JOURNAL_UNUSABLE)
    journal.remove(path)
    say(f"engage-contract: restored customer {customer_id} from the journal of an earlier run that did not finish "
        f"({found.describe()})")


def _refuse_production(target: Target) -> None:
    if target.is_production and not target.allow_production:
        raise ConfigError(f"ENGAGE_BASE_URL points at production ({', '.join(PRODUCTION_HOSTS)}); "
                          "set ENGAGE_ALLOW_PRODUCTION=1 if you really mean it", ExitCode.PRODUCTION_REFUSED)


def _read_test_customer(client: Client, contract: Contract, customer_id: str) -> dict[str, Any]:
    try:
        response = client.read(customer_id)
    except CredentialsRejected as exc:
        raise ConfigError(str(exc), ExitCode.CREDENTIALS_REJECTED) from None
    except (TargetUnreachable, ClientError) as exc:
        raise ConfigError(str(exc), ExitCode.TARGET_UNREACHABLE) from None
    except TargetTimedOut as exc:
        raise ConfigError(f"the target did not answer the first read of customer {customer_id} "
                          f"within {client.timeout:g} s", ExitCode.TARGET_TIMED_OUT) from None
    if response.status_code in (401, 403):
        raise ConfigError(f"the target rejected the credentials ({response.status_code} on the first read of "
                          f"customer {customer_id}); check ENGAGE_TOKEN", ExitCode.CREDENTIALS_REJECTED)
    if response.status_code == 404 and not contract.error_envelope.is_valid(_json_or_none(response)):
        raise ConfigError(f"the first read of customer {customer_id} got a 404 without the platform's error "
                          f"envelope; is ENGAGE_BASE_URL the API's base URL (.../enterprises/<name>), not "
                          f"{client.base_url}?", ExitCode.BAD_CONFIGURATION)
    if response.status_code == 404:
        raise ConfigError(f"the test customer {customer_id!r} does not exist at {client.base_url} (404); "
                          "check ENGAGE_CUSTOMER_ID", ExitCode.CUSTOMER_NOT_FOUND)
    data = customer.data_of(response)
    if data is None:
        raise ConfigError(f"the first read of customer {customer_id} got {response.status_code} without a "
                          "customer in it; is ENGAGE_BASE_URL the API's base URL?", ExitCode.TARGET_UNREACHABLE)
    return data


def _json_or_none(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None
