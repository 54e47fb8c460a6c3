"""Lanes: several test customers side by side, within the platform's limits, each restored, and a failure
found, shrunk and reported on the customer it happened to."""

from __future__ import annotations

import re
import signal

import pytest

from engage_contract.config import PLATFORM_MAX_IN_FLIGHT, PLATFORM_REQUESTS_PER_MINUTE
from tests.harness import CUSTOMER_IDS, run_suite

LANES = len(CUSTOMER_IDS)


def test_lanes_keep_to_the_platform_limits() -> None:
    # Answers that take a while keep every lane's request in flight at once; the pacer alone keeps the rate.
    outcome = run_suite(profile="ci", stop_at_first_failure=False, customers=LANES, latency=0.05,
                        env={"ENGAGE_RATE_LIMIT": str(PLATFORM_REQUESTS_PER_MINUTE)})
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert outcome.restored, outcome.output[-3000:]
    assert outcome.most_in_flight == PLATFORM_MAX_IN_FLIGHT, f"{outcome.most_in_flight} requests at once at most"
    assert outcome.busiest_minute <= PLATFORM_REQUESTS_PER_MINUTE
    # The run is shorter than a minute: the limit, scaled to ten seconds, is what the pacer is held to (with a
    # request or two of slack: a lane that stalls after its turn sends late, close to the next one).
    per_ten_seconds = PLATFORM_REQUESTS_PER_MINUTE / 6
    assert outcome.busiest_ten_seconds <= per_ten_seconds + 2, f"{outcome.busiest_ten_seconds} in ten seconds"
    assert f"customers: {', '.join(CUSTOMER_IDS)}\n" in outcome.output
    assert "have their original values again" in outcome.output


def test_probes_go_ahead_and_beside_the_lanes_with_one_customer() -> None:
    outcome = run_suite(profile="smoke", latency=0.05)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    sent_ahead = re.search(r"probes_sent_ahead: (\d+)", outcome.output)
    assert sent_ahead and int(sent_ahead.group(1)) > 0, outcome.output[-3000:]
    assert outcome.most_in_flight == 2, "the unknown-id probes did not run beside the lane"  # noqa: PLR2004


def test_one_in_flight_turns_lanes_off() -> None:
    outcome = run_suite(profile="smoke", customers=LANES, latency=0.01, env={"ENGAGE_MAX_IN_FLIGHT": "1"})
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert outcome.most_in_flight == 1
    assert f"customers: {CUSTOMER_IDS[0]}\n" in outcome.output
    assert outcome.customers_after[1:] == outcome.customers_before[1:], "a customer beyond the first was touched"


def test_a_failure_is_shrunk_and_reported_on_its_lane() -> None:
    # The fault shows on one customer only: were a failing case retried on another lane, it would pass there,
    # and hypothesis would call the failure flaky.
    faulty = CUSTOMER_IDS[2]
    outcome = run_suite(["drop-field"], customers=LANES, fault_customers=(faulty,))
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert "sent_values_stored" in outcome.failed_checks, outcome.output[-3000:]
    failures = outcome.junit[outcome.junit.find("<failure"):]
    assert f"/customers/{faulty}" in failures
    assert not re.search(rf"/customers/(?!{faulty})\d{{4}}\b", failures), "a failure names another lane's customer"
    assert "Flaky" not in outcome.output, outcome.output[-3000:]
    assert outcome.restored, outcome.output[-3000:]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_every_lane_restored_after_a_stopped_run(stop: signal.Signals) -> None:
    outcome = run_suite(profile="ci", stop_at_first_failure=False, customers=LANES, latency=0.01,
                        interrupt_after=200, interrupt_with=stop)
    assert outcome.exit_code == 2, outcome.output[-3000:]
    assert outcome.restored, outcome.output[-3000:]
    # Written to (a restore writes only what differs), so each lane had changed its customer when it stopped.
    assert all(before["updatedAt"] != after["updatedAt"]
               for before, after in zip(outcome.customers_before, outcome.customers_after)), "a lane never wrote"
    assert outcome.output.strip().splitlines()[-1].startswith(
        f"engage-contract: interrupted by {stop.name}, customers {', '.join(CUSTOMER_IDS)} restored at ")
    assert "Traceback" not in outcome.output, outcome.output[-3000:]


def test_every_legal_variant_at_once_passes_in_lanes() -> None:
    # What lanes change (several customers, shared pacing, probes ahead and beside) must not cry wolf either.
    outcome = run_suite(["legal-all-at-once"], stop_at_first_failure=False, customers=LANES)
    assert outcome.exit_code == 0, outcome.output[-4000:]
    assert outcome.restored, outcome.output[-3000:]
