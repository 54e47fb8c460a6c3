"""The run's verdict as one decision: a table of facts and the outcome, exit code and words each gets, covering every
exit code the README lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engage_contract.config import ExitCode
from engage_contract.running.verdict import Facts, decide

README = Path(__file__).resolve().parents[2] / "README.md"
VIOLATED = ("sent_values_stored",)

TABLE = [
    # (what happened, facts, outcome, exit code, words the last line has)
    ("every case judged and passed", Facts(), "holds", 0, "the contract holds"),
    ("narrowed, judged", Facts(narrowed=True), "holds", 0, "the contract holds in the tests asked for"),
    ("known deviations only", Facts(known_deviations=2), "holds", 0, "but for 2 known deviations"),
    ("a reading changed, not strict", Facts(readings_changed="1 reading changed since r.json"), "holds", 0,
     "1 reading changed since r.json (a warning)"),
    ("a clause broken", Facts(pytest_status=1, violated=VIOLATED), "violated", 1, "1 clause (sent_values_stored)"),
    ("clauses broken twice", Facts(pytest_status=1, violated=("b", "a", "b")), "violated", 1, "2 clauses (a, b)"),
    ("a clause broken and a suite error", Facts(pytest_status=1, violated=VIOLATED, suite_errors=("t: KeyError",)),
     "violated", 1, "contract violated"),
    ("a clause broken, then the run gave up",
     Facts(pytest_status=2, violated=VIOLATED, cannot_judge="the customer is locked"), "violated", 1, "violated"),
    ("a reading changed under strict", Facts(readings_changed="1 reading changed since r.json",
                                             readings_strict=True), "readings-changed", 1, "ENGAGE_READINGS_STRICT=1"),
    ("stopped by a signal", Facts(customers=("1001",), pytest_status=2, stopped_by="SIGTERM"), "interrupted", 2,
     "interrupted by SIGTERM, customer 1001 restored"),
    ("stopped after a failure", Facts(pytest_status=2, stopped_by="SIGINT", violated=VIOLATED), "interrupted", 2,
     "interrupted by SIGINT"),
    ("pytest's collection errors", Facts(pytest_status=2), "error", 2, "pytest exit status 2"),
    ("the suite's own error", Facts(pytest_status=1, suite_errors=("test_x: KeyError: 'request'",)), "error", 3,
     "the suite itself failed, no verdict on the API: test_x: KeyError"),
    ("the suite's error while it could not judge", Facts(pytest_status=1, suite_errors=("t: E",), cannot_judge="x"),
     "error", 3, "the suite itself failed"),
    ("a failure without a finding", Facts(pytest_status=1), "error", 3, "without a finding"),
    ("pytest's internal error", Facts(pytest_status=3), "error", 3, "pytest exit status 3"),
    ("a usage error", Facts(pytest_status=4, judged=0), "error", 4, "pytest exit status 4"),
    ("no tests collected", Facts(pytest_status=5, judged=0), "error", 5, "pytest exit status 5"),
    ("too many cases inconclusive", Facts(cannot_judge="30 of 100 cases got no verdict"), "could-not-judge", 75,
     "could not judge (exit 75: 30 of 100 cases got no verdict)"),
    ("probes unjudged, sent twice", Facts(pytest_status=1, cannot_judge="2 hand-made probes got no verdict"),
     "could-not-judge", 75, "2 hand-made probes got no verdict"),
    ("gave up (a locked customer)", Facts(pytest_status=2, cannot_judge="the customer is locked"), "could-not-judge",
     75, "the customer is locked"),
    ("narrowed, nothing judged", Facts(narrowed=True, judged=0), "could-not-judge", 75, "no test asked for gave a verdict"),
    ("restore failed", Facts(pytest_status=1, restore_problem="409 on the write", unrestored=("1001",)),
     "restore-failed", 1, "RESTORE FAILED for customer 1001: restore it by hand"),
    ("restore failed when stopped", Facts(pytest_status=2, stopped_by="SIGINT", restore_problem="x",
                                          unrestored=("1001", "1002")), "restore-failed", 1, "restore them by hand"),
    *[(f"did not start: {code.name}", Facts(did_not_start=(int(code), "a sentence")), "did-not-start", int(code),
       "a sentence") for code in ExitCode if code >= 64],
]


@pytest.mark.parametrize(("facts", "outcome", "exit_code", "words"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
def test_the_verdict(facts: Facts, outcome: str, exit_code: int, words: str) -> None:
    decided = decide(facts)
    assert (decided.outcome, decided.exit_code) == (outcome, exit_code), decided
    assert words in decided.says, decided.says


def test_the_table_covers_every_exit_code_the_readme_lists() -> None:
    listed = set()
    table = README.read_text().split("### Exit codes of `./ci/contract.sh`", 1)[1].split("\n## ", 1)[0]
    for first, last in re.findall(r"^\| (\d+)(?:-(\d+))? \|", table, re.MULTILINE):
        listed |= set(range(int(first), int(last or first) + 1))
    assert listed and listed == {row[3] for row in TABLE}


def test_a_run_that_judged_nothing_never_holds() -> None:
    for row in TABLE:
        if row[1].judged == 0:
            assert decide(row[1]).exit_code != 0, row[0]
