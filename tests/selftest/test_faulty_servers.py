"""The suite passes the reference server and every legal variant of it, and fails every faulty variant
on the check that is meant to catch its fault."""

from __future__ import annotations

import concurrent.futures

import pytest

from engage_contract.reference.faults import ALL_AT_ONCE, FAULTS

from engage_contract.harness import CAUGHT_BY, Outcome, run_suite

# Run by test_safety.py: one needs client credentials to mean anything, the other breaks the restore.
ELSEWHERE = {"legal-token-revoked", "locked-after-40"}
LEGAL = sorted(name for name in FAULTS if name.startswith("legal-") and name not in ELSEWHERE)  # all-at-once too
RESULTS: dict[str, Outcome] = {}


def test_every_fault_has_a_catching_check() -> None:
    assert set(CAUGHT_BY) | set(LEGAL) | ELSEWHERE == set(FAULTS)


@pytest.fixture(scope="session")
def outcomes() -> dict[str, Outcome]:
    """Every variant run once, two at a time (one per core)."""
    if not RESULTS:
        variants = [[]] + [[name] for name in sorted(CAUGHT_BY)] + [[name] for name in LEGAL]

        def run(faults: list[str]) -> Outcome:
            # A legal variant runs to the end, so that every false alarm on it shows.
            return run_suite(faults, stop_at_first_failure=not set(faults) & set(LEGAL))

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for outcome in pool.map(run, variants):
                RESULTS[outcome.variant] = outcome
    return RESULTS


@pytest.mark.parametrize("variant", ["correct", *LEGAL])
def test_correct_variant_passes(outcomes: dict[str, Outcome], variant: str) -> None:
    outcome = outcomes[variant]
    assert outcome.exit_code == 0, (
        f"the suite failed the {variant} server on {sorted(outcome.failed_checks)}:\n{outcome.output[-4000:]}")


@pytest.mark.parametrize("fault", sorted(CAUGHT_BY))
def test_faulty_variant_is_caught_by_its_check(outcomes: dict[str, Outcome], fault: str) -> None:
    outcome = outcomes[fault]
    assert outcome.exit_code == 1, f"the suite exited {outcome.exit_code} on {fault}:\n{outcome.output[-4000:]}"
    assert CAUGHT_BY[fault] in outcome.failed_checks, (
        f"{fault} was caught by {sorted(outcome.failed_checks)}, not {CAUGHT_BY[fault]}:\n{outcome.output[-4000:]}")
