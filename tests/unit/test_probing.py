"""Hand-made probes as data: declared with `probe`, sent by the run, each reported by a pytest item of its own; a
probe without a verdict is sent once more, and still without one it is a reason the run could not judge."""

from __future__ import annotations

import re
import subprocess
import sys
import unittest
from pathlib import Path
from types import SimpleNamespace

import pytest

from engage_contract.judging.judge import CaseUnjudged
from engage_contract.probes.probe import probe
from engage_contract.running import probing

ROOT = Path(__file__).resolve().parents[2]


def test_a_declared_sequence_is_a_probe_a_variant() -> None:
    @probe({"one": 1, "two": 2}, smoke=lambda variant: variant == "two")
    def sums_stored(run, judge, value):
        """A sum is stored.

        More words."""

    assert [item.name for item in sums_stored] == ["test_sums_stored[one]", "test_sums_stored[two]"]
    assert [item.sent_in(thorough=False) for item in sums_stored] == [False, True]
    assert all(item.sent_in(thorough=True) for item in sums_stored)
    assert {item.clause for item in sums_stored} == {"A sum is stored."}


def test_a_probe_without_variants_is_sent_with_the_run_and_judge_only() -> None:
    calls = []

    @probe(smoke=True)
    def alone(run, judge):
        calls.append((run, judge))

    (only,) = alone
    only.send("run", "judge")
    assert only.name == "test_alone" and calls == [("run", "judge")]


def _run(thorough: bool = True) -> SimpleNamespace:
    judge = SimpleNamespace(stopped_by=None)
    return SimpleNamespace(target=SimpleNamespace(profile=SimpleNamespace(thorough=thorough, name="smoke")),
                           judge=judge, customerless_judge=judge, unjudged_probes=[])


def _item(family) -> SimpleNamespace:
    (one,) = family
    return SimpleNamespace(probe=one, nodeid=f"tests/contract/x.py::{one.name}", name=one.name)


def test_a_probe_without_a_verdict_in_pytests_turn_is_sent_twice_then_counts_against_the_run(monkeypatch) -> None:
    sent = []

    @probe(smoke=True)
    def throttled(run, judge):
        sent.append(1)
        raise CaseUnjudged("no verdict: 429 after the retries")

    run = _run()
    monkeypatch.setattr(probing.suite, "started", lambda: run)
    with pytest.raises(CaseUnjudged):
        probing.Probes([]).report(_item(throttled))
    assert len(sent) == 2
    assert run.unjudged_probes == ["test_throttled (no verdict: 429 after the retries)"]


def test_a_profile_that_does_not_send_a_probe_skips_it_unsent(monkeypatch) -> None:
    sent = []

    @probe()
    def thorough_only(run, judge):
        sent.append(1)

    run = _run(thorough=False)
    monkeypatch.setattr(probing.suite, "started", lambda: run)
    with pytest.raises(pytest.skip.Exception, match="not in the smoke profile"):
        probing.Probes([]).report(_item(thorough_only))
    # Ahead of pytest, likewise: a skip is kept for its item, and nothing is sent.
    probes, item = probing.Probes([]), _item(thorough_only)
    assert probes.send([item], run, run.judge, go_on=lambda: True, failed=lambda: None) == []
    assert isinstance(probes.outcomes[item.nodeid], unittest.SkipTest) and probes.count == 0
    assert sent == []


def test_a_probe_sent_ahead_reports_what_it_found_then(monkeypatch) -> None:
    @probe(smoke=True)
    def broken(run, judge):
        raise AssertionError("the clause, broken")

    run, failures = _run(), []
    monkeypatch.setattr(probing.suite, "started", lambda: run)
    probes, item = probing.Probes([]), _item(broken)
    probes.send([item], run, run.judge, go_on=lambda: True, failed=lambda: failures.append(1))
    assert failures == [1] and probes.count == 1
    with pytest.raises(AssertionError, match="the clause, broken"):
        probes.report(item)


def test_no_test_function_but_the_generated_cases_and_the_runs_own_check() -> None:
    """Every other item of the contract suite is a probe's: no test function is called outside pytest."""
    collected = subprocess.run([sys.executable, "-m", "pytest", "tests/contract", "--collect-only", "-p",
                                "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                               env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)})
    kinds = re.findall(r"<(\w+) (test_\w+)", collected.stdout)
    assert kinds, collected.stdout[-2000:] + collected.stderr[-2000:]
    functions = {name for kind, name in kinds if kind not in ("ProbeItem", "Module")}
    assert functions == {"test_update_customer", "test_contract_exercised"}, functions
    assert sum(kind == "ProbeItem" for kind, _ in kinds) > 50  # noqa: PLR2004
