"""The run's verdict, decided once: from what the run found (the facts the plugin gathers) to its outcome, its exit
code and the words of its last line. Nothing else decides; the plugin renders what this returns."""

from __future__ import annotations

from dataclasses import dataclass

from engage_contract.config import ExitCode

# pytest's own exit statuses that say nothing of the API (collection errors, a usage error, no tests).
_PYTEST_INTERRUPTED, _PYTEST_USAGE_ERROR, _PYTEST_NO_TESTS = 2, 4, 5
SUITE_ERROR_CODE = 3  # pytest's INTERNAL_ERROR: the suite's own fault, no verdict on the API


@dataclass(frozen=True)
class Facts:
    """What a run found, as the plugin gathered it; every field a plain value."""

    customers: tuple[str, ...] = ()
    pytest_status: int = 0  # pytest's own exit status as its session ended, before the run's own cases
    judged: int = 1  # tests that gave a verdict (passed, or failed on a clause)
    violated: tuple[str, ...] = ()  # the clauses that failed: verdicts on the API
    suite_errors: tuple[str, ...] = ()  # failures that are no clause's ("test: first line"): the suite's own fault
    cannot_judge: str | None = None  # why the environment did not let the run judge (the run's own words)
    stopped_by: str | None = None  # the signal that stopped the run
    restore_problem: str | None = None
    unrestored: tuple[str, ...] = ()
    narrowed: bool = False  # pytest was asked for some tests only
    known_deviations: int = 0  # failures the baseline accepts
    readings_changed: str = ""  # "2 readings changed since readings.json", or nothing
    readings_strict: bool = False
    did_not_start: tuple[int, str] | None = None  # a configuration stop: its exit code and its sentence


@dataclass(frozen=True)
class Verdict:
    outcome: str  # holds, violated, readings-changed, could-not-judge, interrupted, restore-failed, error, did-not-start
    exit_code: int
    says: str  # the last line's words
    reasons: tuple[str, ...] = ()


def _customers(ids: tuple[str, ...]) -> str:
    return f"customer{'s' if len(ids) > 1 else ''} {', '.join(ids)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def decide(facts: Facts) -> Verdict:
    """The verdict: a customer left changed first (someone must act), then a stop, a violated clause, the suite's
    own fault, a run that could not judge, a changed reading under strict; a run that judged nothing never holds."""
    if facts.did_not_start is not None:
        code, why = facts.did_not_start
        return Verdict("did-not-start", int(code), why, (why,))
    if facts.restore_problem:
        them = "it" if len(facts.unrestored) == 1 else "them"
        return Verdict("restore-failed", int(ExitCode.CONTRACT_VIOLATED),
                       f"RESTORE FAILED for {_customers(facts.unrestored)}: restore {them} by hand (the body is above)",
                       (facts.restore_problem,))
    if facts.stopped_by:
        return Verdict("interrupted", _PYTEST_INTERRUPTED,
                       f"interrupted by {facts.stopped_by}, {_customers(facts.customers)} restored", (facts.stopped_by,))
    if facts.violated:
        clauses = sorted(set(facts.violated))
        return Verdict("violated", int(ExitCode.CONTRACT_VIOLATED),
                       f"contract violated: {_plural(len(clauses), 'clause')} ({', '.join(clauses)})", tuple(clauses))
    if facts.suite_errors:
        return Verdict("error", SUITE_ERROR_CODE,
                       f"the suite itself failed, no verdict on the API: {facts.suite_errors[0]}", facts.suite_errors)
    if facts.pytest_status in (_PYTEST_USAGE_ERROR, _PYTEST_NO_TESTS):
        return Verdict("error", facts.pytest_status, f"pytest exit status {facts.pytest_status}: no verdict")
    if facts.pytest_status not in (0, 1, _PYTEST_INTERRUPTED):  # pytest's internal error, or one no pytest documents
        return Verdict("error", SUITE_ERROR_CODE, f"pytest exit status {facts.pytest_status}: no verdict")
    # A run that gave up stops pytest as an interruption would: it could not judge, and says why.
    unjudged = facts.cannot_judge or (None if facts.judged else "no test asked for gave a verdict")
    if unjudged:
        return Verdict("could-not-judge", int(ExitCode.CANNOT_JUDGE),
                       f"could not judge (exit {int(ExitCode.CANNOT_JUDGE)}: {unjudged})", (unjudged,))
    if facts.pytest_status == _PYTEST_INTERRUPTED:  # errors during collection, say
        return Verdict("error", _PYTEST_INTERRUPTED, f"pytest exit status {_PYTEST_INTERRUPTED}: no verdict")
    if facts.pytest_status == 1:  # a failure the run saw no finding of: no clause to name, so no verdict
        return Verdict("error", SUITE_ERROR_CODE, "a test failed without a finding: no verdict on the API")
    if facts.readings_changed and facts.readings_strict:
        return Verdict("readings-changed", int(ExitCode.CONTRACT_VIOLATED),
                       f"the contract holds, but {facts.readings_changed} (ENGAGE_READINGS_STRICT=1)",
                       (facts.readings_changed,))
    says = "the contract holds" + (" in the tests asked for" if facts.narrowed else "")
    if facts.known_deviations:
        says += f", but for {_plural(facts.known_deviations, 'known deviation')}"
    if facts.readings_changed:
        says += f"; {facts.readings_changed} (a warning)"
    return Verdict("holds", int(ExitCode.CONTRACT_HOLDS), says)
