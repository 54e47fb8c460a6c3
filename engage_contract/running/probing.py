"""The hand-made probes at work: each sent by the run (by the lanes, ahead of pytest and beside the generated cases,
or in pytest's turn when nothing sent it ahead) and reported by a pytest item of its own (`ProbeItem`), which
shows what its probe found when pytest reaches it. A probe that got no verdict (a 429 after the retries, say) is
sent once more after what its lane sends; still without one, it is a reason the run could not judge."""

from __future__ import annotations

import unittest
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engage_contract.judging.judge import CaseUnjudged
from engage_contract.probes.probe import Probe
from engage_contract.running import suite

if TYPE_CHECKING:
    from engage_contract.running.contract_run import ContractRun

SHARED_OUT = "_engage_contract_shared_out"


def is_shared_out(item: Any) -> bool:
    """Whether an item is the schemathesis test whose cases the lanes share out (lanes.shared_out)."""
    return getattr(getattr(item, "test_function", None), SHARED_OUT, False)


class ProbeItem(pytest.Item):
    """The pytest item that reports one probe: what it found when the lanes sent it, or what it finds now."""

    def __init__(self, *, probe: Probe, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.probe = probe
        self.user_properties.append(("clause", probe.clause))

    def runtest(self) -> None:
        __tracebackhide__ = True
        self.config.stash[SENDER].report(self)

    def reportinfo(self) -> tuple[Path, int, str]:
        code = self.probe.sequence.__code__
        return Path(code.co_filename), code.co_firstlineno - 1, self.name


def not_in_profile(run: "ContractRun", probe: Probe) -> str | None:
    """Why the run's profile does not send a probe, if it does not."""
    return None if probe.sent_in(run.target.profile.thorough) else f"not in the {run.target.profile.name} profile"


def judge_of(run: "ContractRun", probe: Probe) -> Any:
    """The judge a probe is sent with in pytest's turn: the first lane's, or the one of no test customer."""
    return run.customerless_judge if probe.customerless else run.judge


class Probes:
    """The probes of a session: those the lanes send ahead of pytest, and every probe's outcome until its item
    reports it."""

    def __init__(self, items: list[Any]) -> None:
        # Those pytest reaches after the generated cases: what comes before has run by then.
        first = next((index for index, item in enumerate(items) if is_shared_out(item)), len(items))
        self.items = [item for item in items[first + 1:] if isinstance(item, ProbeItem)]
        self.outcomes: dict[str, BaseException | None] = {}
        self._sent = 0

    def shares(self, lanes: int) -> tuple[list[ProbeItem], list[list[ProbeItem]]]:
        """The probes for the thread beside the lanes, and each lane's share of the others; once."""
        items, self.items = self.items, []
        customerless = [item for item in items if item.probe.customerless]
        others = [item for item in items if not item.probe.customerless]
        return customerless, [others[index::lanes] for index in range(lanes)]

    @property
    def count(self) -> int:
        """How many probes were sent ahead of pytest (those outside the profile, or that skipped, aside)."""
        return self._sent

    def send(self, items: list[ProbeItem], run: "ContractRun", judge: Any, go_on: Callable[[], bool],
             failed: Callable[[], None]) -> list[ProbeItem]:
        """Send each probe; those the platform gave no verdict on, for `send_again`."""
        return [item for item in items if self._send_one(item, run, judge, go_on, failed)]

    def send_again(self, items: list[ProbeItem], run: "ContractRun", judge: Any, go_on: Callable[[], bool],
                   failed: Callable[[], None]) -> None:
        """The probes that got no verdict, once more after everything else the lane sent; still without one, each is
        a reason the run could not judge."""
        for item in items:
            if self._send_one(item, run, judge, go_on, failed) and judge.stopped_by is None:
                _unjudged(run, item, self.outcomes[item.nodeid])

    def _send_one(self, item: ProbeItem, run: "ContractRun", judge: Any, go_on: Callable[[], bool],
                  failed: Callable[[], None]) -> bool:
        """Send a probe; whether it went out and got no verdict."""
        if not go_on() or judge.stopped_by is not None:
            return False  # left to pytest, which sends (or skips) it in its turn
        outside = not_in_profile(run, item.probe)
        if outside is not None:
            self.outcomes[item.nodeid] = unittest.SkipTest(outside)
            return False
        try:
            item.probe.send(run, judge)
        except CaseUnjudged as exc:
            self.outcomes[item.nodeid] = exc
            return True
        except BaseException as exc:  # noqa: BLE001 - its item raises it when pytest reaches it
            self.outcomes[item.nodeid] = exc
            if not isinstance(exc, (unittest.SkipTest, pytest.skip.Exception)):
                self._sent += 1
                failed()
        else:
            self.outcomes[item.nodeid] = None
            self._sent += 1
        return False

    def report(self, item: ProbeItem) -> None:
        """What the probe found: sent ahead, as it was then; otherwise sent now (twice if the first got no
        verdict)."""
        __tracebackhide__ = True
        if item.nodeid in self.outcomes:
            raised = self.outcomes.pop(item.nodeid)
            if raised is not None:
                raise raised
            return
        run = suite.started()
        if run is None:
            pytest.fail("engage-contract: a probe needs the run the plugin starts (engage_contract/plugin.py)",
                        pytrace=False)
        judge = judge_of(run, item.probe)
        if judge.stopped_by is not None:
            pytest.skip(f"the run was stopped ({judge.stopped_by})")
        outside = not_in_profile(run, item.probe)
        if outside is not None:
            pytest.skip(outside)
        try:
            item.probe.send(run, judge)
        except CaseUnjudged:
            try:
                item.probe.send(run, judge)
            except CaseUnjudged as exc:
                if judge.stopped_by is None:
                    _unjudged(run, item, exc)
                raise


def _unjudged(run: "ContractRun", item: ProbeItem, exc: BaseException) -> None:
    run.unjudged_probes.append(f"{item.name} ({str(exc).splitlines()[0][:120]})")


SENDER = pytest.StashKey[Probes]()


def collected(collector: pytest.Collector, family: Iterable[Probe]) -> list[ProbeItem]:
    """The items of one declared sequence's probes, a variant each."""
    return [ProbeItem.from_parent(collector, name=probe.name, probe=probe) for probe in family]
