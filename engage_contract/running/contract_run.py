"""One run of the suite against one target: start (or find) the target, read the test customer first,
restore it at the end, and tell what was covered."""

from __future__ import annotations

import concurrent.futures
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_contract import contract as contract_module
from engage_contract.config import ConfigError, ExitCode, Target
from engage_contract.contract import Contract, SchemaError
from engage_contract.http.client import Client
from engage_contract.judging import customer
from engage_contract.judging.baseline import BaselineError, KnownDeviations
from engage_contract.judging.exchange import Body
from engage_contract.judging.judge import CasesSent, Judge, Tally
from engage_contract.judging.silences import Readings
from engage_contract.judging.turns import Turns
from engage_contract.reporting import readings as readings_module
from engage_contract.running import journal, preflight, restore

# A stopped run's restore waits this long for the requests still in flight before it starts.
DRAIN_WHEN_URGENT = 1.0
# The embedded reference server's customers: as many as the platform lets run side by side.
EMBEDDED_CUSTOMER_IDS = ("1001", "1002", "1003", "1004")
@dataclass
class Lane:
    """One test customer and what the run knows of it: its client (a session of its own), its judge, the
    values it had before the run, and its journal."""

    number: int
    customer_id: str
    client: Client
    judge: Judge
    original: dict[str, Any]
    claim: journal.Claim | None = None  # its journal; None for the embedded server: nothing there outlives the run
    restore_problem: str | None = None  # after restore(): None, or why it failed
    restore_attempted: bool = False

    def restore(self, contract: Contract, urgent: bool, again: bool = False, patience: float = 0.0) -> str | None:
        """Write the original values back and verify them, once (`again`: read once more, and write again if it
        differs; `patience`: seconds to keep trying a write that answers 409); a problem comes back as a message,
        with the original to send by hand, and the journal is kept."""
        if self.restore_attempted and not again:
            return self.restore_problem
        if again and self.restore_problem:
            return self.restore_problem
        self.restore_attempted = True
        # A session of its own: a lane stopped hard may still be using its own. A lane that never sent a write
        # is read once, and written to only if it differs (something else wrote to it).
        restorer = self.client.sibling()
        try:
            problem = restore.restore_customer(restorer, contract, self.customer_id, self.original, urgent=urgent,
                                       read_first=again or not self.client.writes, patience=patience)
        except BaseException as exc:  # noqa: BLE001 - the restore's outcome must be reported, whatever it is
            problem = f"{type(exc).__name__}: {self.client.mask(str(exc))}"
        finally:
            restorer.session.close()
        if problem is None:
            if self.claim is not None:
                self.claim.release()
            return None
        if self.claim is not None:
            self.claim.keep()
        kept = f" (also kept in {self.claim.path})" if self.claim is not None else ""
        body = json.dumps(customer.restorable(self.original, contract.request_fields), indent=2, ensure_ascii=False)
        self.restore_problem = (f"RESTORE FAILED for customer {self.customer_id}: {problem}. To restore it by hand, "
                                f"PATCH {self.client.customer_url(self.customer_id)} with this body{kept}:\n{body}")
        return self.restore_problem


@dataclass
class ContractRun:
    target: Target
    contract: Contract
    lanes: list[Lane]
    customerless_judge: Judge  # for the probes that touch no test customer, sent beside the lanes on a session of its own
    server: Any = None
    started: float = field(default_factory=time.monotonic)
    gave_up: str | None = None  # why the environment did not let the run go on (a locked customer, say)
    unjudged: list[str] = field(default_factory=list)  # what the run could not judge, said by its tests
    unjudged_probes: list[str] = field(default_factory=list)  # hand-made probes without a verdict, sent twice
    narrowed: bool = False  # pytest was asked for some of the contract tests only (-k, -m, --deselect)
    readonly_token: str | None = None  # a token with the read-only scope: ENGAGE_READONLY_TOKEN, or the embedded one
    readings: Readings = field(default_factory=Readings)  # what the target chose at the page's silences
    earlier_readings: dict[str, Any] | None = None  # ENGAGE_READINGS' (None: no file, or none there yet)
    earlier_target: str | None = None  # the target those readings are of
    _heartbeat: "journal.Heartbeat | None" = field(default=None, repr=False)  # says the journals' run is alive

    # The first lane is the one the hand-made probes use; the generated cases are shared out among all.
    @property
    def customer_id(self) -> str:
        return self.lanes[0].customer_id

    @property
    def client(self) -> Client:
        return self.lanes[0].client

    @property
    def judge(self) -> Judge:
        return self.lanes[0].judge

    @property
    def customer_ids(self) -> list[str]:
        return [lane.customer_id for lane in self.lanes]

    @property
    def restore_problem(self) -> str | None:
        problems = [lane.restore_problem for lane in self.lanes if lane.restore_problem]
        return "\n\n".join(problems) or None

    @property
    def unrestored(self) -> list[str]:
        return [lane.customer_id for lane in self.lanes if lane.restore_problem]

    def secrets(self) -> list[str]:
        """Every credential the run holds: those given, and the tokens issued to it (the embedded server's too)."""
        return [*self.target.secrets(), *self.client.tokens.secrets(), *filter(None, [self.readonly_token])]

    def tally(self) -> Tally:
        return Tally.of_lanes([lane.judge.tally for lane in self.lanes] + [self.customerless_judge.tally])

    @classmethod
    def start(cls, target: Target, say: Callable[[str], None] = print) -> "ContractRun":
        """Everything before the first case; ConfigError (one sentence, an exit code) when it cannot go on."""
        try:
            contract = contract_module.load(target.schema_path)
        except SchemaError as exc:
            raise ConfigError(str(exc), ExitCode.BAD_SCHEMA) from None
        try:
            known = KnownDeviations.load(target.baseline, update=target.baseline_update)
        except BaselineError as exc:
            raise ConfigError(str(exc)) from None
        try:
            earlier = readings_module.load(target.readings) if target.readings else None
        except readings_module.ReadingsFileError as exc:
            raise ConfigError(str(exc)) from None
        if earlier is None and target.readings_strict and not target.readings_update:
            # A mistyped path would otherwise be a gate that compares nothing and passes.
            raise ConfigError(f"ENGAGE_READINGS {target.readings} does not exist: ENGAGE_READINGS_STRICT=1 needs the "
                              "readings to compare with (write them with ENGAGE_READINGS_UPDATE=1)")
        if earlier is None and target.readings:
            say(f"engage-contract: ENGAGE_READINGS {target.readings} does not exist yet: nothing is compared")
        if earlier is not None and target.readings_update and earlier["target"] != readings_target(target):
            raise ConfigError(f"ENGAGE_READINGS {target.readings} holds the readings of another target "
                              f"({earlier['target']}): ENGAGE_READINGS_UPDATE=1 would write this one's over them; "
                              "point ENGAGE_READINGS at a file of this target's")
        server = None
        if target.embedded:
            from engage_contract import reference

            token, readonly_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            customer_ids = EMBEDDED_CUSTOMER_IDS[:target.most_lanes]
            server = reference.start(token=token, readonly_token=readonly_token, customer_ids=customer_ids)
            client = Client(server.base_url, token, timeout=target.timeout, max_in_flight=target.max_in_flight)
        else:
            readonly_token = target.readonly_token
            preflight.refuse_production(target)
            customer_ids = target.customer_ids[:target.lanes]
            if len(target.customer_ids) > target.lanes:
                say(f"engage-contract: {target.lanes} lanes (ENGAGE_MAX_IN_FLIGHT={target.max_in_flight}): customers "
                    f"{', '.join(target.customer_ids[target.lanes:])} are left alone")
            client = Client(target.base_url, target.token, timeout=target.timeout, max_in_flight=target.max_in_flight,
                            per_minute=target.requests_per_minute, credentials=target.credentials)
        readings = Readings()  # what the target chose at the silences: every lane's client and judge show it theirs
        client.observer = readings
        clients = [client, *(client.sibling() for _ in customer_ids[1:])]
        journals = [None if target.embedded else journal.path_for(target.journal_dir, target.base_url, customer_id)
                    for customer_id in customer_ids]
        claimed: dict[str, journal.Claim] = {}
        try:
            for customer_id, path in zip(customer_ids, journals):
                if path is not None:
                    restore.recover(target, client, contract, customer_id, path, say)
            originals = [preflight.read_test_customer(client, contract, customer_id) for customer_id in customer_ids]
            # In one order, whatever the order given: two runs with overlapping customers cannot each hold one
            # the other waits for.
            for customer_id, path, original in sorted(zip(customer_ids, journals, originals), key=lambda row: row[0]):
                if path is not None:
                    claimed[customer_id] = _claim(target, customer_id, path, original)
        except ConfigError:
            for claim in claimed.values():
                claim.release()
            if server is not None:
                server.shutdown()
            raise
        lanes, cases_sent, turns = [], CasesSent(), Turns(len(customer_ids))
        claims = [claimed.get(customer_id) for customer_id in customer_ids]
        for number, (customer_id, lane_client, claim, original) in enumerate(
                zip(customer_ids, clients, claims, originals), start=1):
            judge = Judge(contract, lane_client, customer_id, known, cases_sent, lock_seconds=target.lock_seconds,
                          turns=turns, observer=readings)
            judge.remember(original)
            judge.put_back = lambda data, lane_client=lane_client, customer_id=customer_id: restore.restore_customer(
                lane_client, contract, customer_id, data)
            lanes.append(Lane(number, customer_id, lane_client, judge, original, claim))
        customerless = Judge(contract, client.sibling(), customer_ids[0], known, turns=turns, observer=readings)
        customerless.remember(originals[0])  # what it knows of a customer it never sends to: no read needed
        run = cls(target=target, contract=contract, lanes=lanes, customerless_judge=customerless, server=server,
                  readonly_token=readonly_token, readings=readings,
                  earlier_readings=earlier["readings"] if earlier else None,
                  earlier_target=earlier["target"] if earlier else None)
        run._heartbeat = journal.Heartbeat(list(claimed.values()))
        return run

    def give_up(self, reason: str) -> None:
        """Stop starting cases because the environment does not let the run judge: the requests in flight end as
        they would, and the restore is patient with a customer that is locked."""
        if self.gave_up is None:
            self.gave_up = reason
        for judge in [lane.judge for lane in self.lanes] + [self.customerless_judge]:
            judge.stopped_by = judge.stopped_by or reason

    def cannot_judge(self) -> str | None:
        """Why this run gives no verdict though nothing failed: it gave up, its tests said so, or the platform left
        more of its cases without a verdict than ENGAGE_MAX_INCONCLUSIVE allows; None when it could judge."""
        tally = self.tally()
        reasons = ([self.gave_up] if self.gave_up else []) + self.unjudged
        if self.unjudged_probes:
            reasons.append(f"{len(self.unjudged_probes)} hand-made probe{'s' if len(self.unjudged_probes) > 1 else ''} "
                           f"got no verdict, sent twice: {', '.join(self.unjudged_probes[:5])}")
        if tally.cases and tally.inconclusive_share > self.target.max_inconclusive:
            reasons.append(f"{tally.inconclusive_cases} of {tally.cases} cases ({tally.inconclusive_share:.0%}, more "
                           f"than ENGAGE_MAX_INCONCLUSIVE={self.target.max_inconclusive:.0%}) got no verdict: "
                           f"{tally.why_unjudged()}")
        return "; ".join(reasons) or None

    def stop(self, reason: str) -> None:
        """Stop after the requests in flight: no new case starts, nothing waits for pacing or a retry."""
        for judge in [lane.judge for lane in self.lanes] + [self.customerless_judge]:
            judge.stopped_by = reason
        self.client.stopping = True

    def restore(self, *, urgent: bool = False, say: Callable[[str], None] = print) -> str | None:
        """Every lane's customer written back and verified, side by side, whatever happens meanwhile (a second
        Ctrl-C, a SIGTERM, an exception of any kind); `urgent`: the run is being stopped, so no pacing and no
        waiting. The problems, or None."""
        say(f"\nengage-contract: restoring customer{'s' if len(self.lanes) > 1 else ''} "
            f"{', '.join(self.customer_ids)} ...")
        with restore.signals_held():
            # A stop that came after the caller looked is urgent too: no restore request may be refused as stopped.
            urgent = urgent or self.client.stopping
            # A lane stopped hard may have a request in flight: the restore's write should come after it; if it
            # is still going, each customer is read (and written) again once it is over.
            drained = self.client.pacer.drain(DRAIN_WHEN_URGENT if urgent else self.client.timeout)
            patience = 0.0 if urgent or self.gave_up is None else restore.LOCK_PATIENCE
            self._each_lane(lambda lane: lane.restore(self.contract, urgent, patience=patience))
            if not drained and self.client.pacer.drain(self.client.timeout):
                self._each_lane(lambda lane: lane.restore(self.contract, urgent, again=True))
        return self.restore_problem

    def _each_lane(self, each: Callable[[Lane], Any]) -> None:
        if len(self.lanes) == 1:
            each(self.lanes[0])
            return
        # Side by side: CI gives seconds between SIGTERM and SIGKILL. Each lane's restore reports its own
        # exceptions, so the pool has nothing to raise.
        with concurrent.futures.ThreadPoolExecutor(len(self.lanes)) as pool:
            list(pool.map(each, self.lanes))

    def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for client in [lane.client for lane in self.lanes] + [self.customerless_judge.client]:
            client.session.close()

    def summary(self) -> dict[str, Any]:
        tally = self.tally()
        documented = sorted(self.contract.documented_statuses("PATCH"))
        codes = self.contract.business_error_codes
        return {
            "target": self.client.base_url,
            "profile": self.target.profile.name,
            "seed": self.target.seed,
            "customers": ", ".join(self.customer_ids),
            "requests": self.client.sent,
            "seconds": round(time.monotonic() - self.started, 2),
            "cases": tally.cases,
            "alike_not_sent": tally.alike,
            "valid_bodies": tally.bodies[Body.VALID],
            "invalid_bodies": tally.bodies[Body.INVALID],
            "empty_bodies": tally.bodies[Body.EMPTY],
            "valid_accepted": tally.accepted[Body.VALID],
            "reached_200": tally.reached_200,
            "retries": self.client.retries,
            "first_failure_at": tally.first_failure_at,
            "inconclusive": tally.inconclusive_cases,
            "inconclusive_why": dict(tally.unjudged.most_common()),
            "inconclusive_read_backs": tally.inconclusive_read_backs,
            "transient_5xx": self.client.pacer.transient_5xx,
            "statuses": {str(status): count for status, count in sorted(tally.statuses.items())},
            "statuses_by_kind": _by_kind(tally),
            "latency_ms": self.client.timings.summary(),
            "business_codes": {code: tally.business_codes.get(code, 0) for code in codes},
            "never_reached": [str(s) for s in documented if s not in tally.statuses]
            + [code for code in codes if not tally.business_codes.get(code)],
        }


def _by_kind(tally: Tally) -> dict[str, dict[str, int]]:
    kinds = [body.value for body in Body] + ["other", "probe"]
    found: dict[str, dict[str, int]] = {}
    for (kind, status), count in sorted(tally.statuses_by_kind.items(), key=lambda item: (kinds.index(item[0][0]),
                                                                                          item[0][1])):
        found.setdefault(kind, {})[str(status)] = count
    return found


def _claim(target: Target, customer_id: str, path: Path, original: dict[str, Any]) -> journal.Claim:
    """This run's journal of the customer, on disk and synced before the first write; of two runs that got here
    at once, the second stops."""
    try:
        return journal.claim(path, target.base_url, customer_id, original)
    except journal.Taken as taken:
        raise ConfigError(f"another run ({taken}) claimed customer {customer_id} a moment before this one, by its "
                          f"journal {path}; wait for it", ExitCode.RUN_IN_PROGRESS) from None


def readings_target(target: Target) -> str:
    """The target as a readings file names it."""
    return "embedded" if target.embedded else target.base_url
