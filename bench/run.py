"""Benchmark the contract suite on this machine against the embedded reference server.

1. Lanes: for each profile and number of test customers, the requests the server answered, wall seconds,
   requests per second, and the share of the rate-limit floor (the requests at the platform's 3,000 a
   minute, divided by the wall time: 1.00 is as fast as the platform allows), with the most requests the
   server saw at once and in any minute.
2. The faulty servers: the share caught, and the requests each run had sent at its first failing case,
   with one lane and with the most.
3. Like with like (one lane): the same generated cases through a bare `case.call()` loop, and the suite's
   throughput as a ratio of it.

Every run is paced as the platform limits a client: ENGAGE_RATE_LIMIT=3000.

    python bench/run.py [--latency MS] [--profiles smoke,ci,release] [--customers 1,4] [--no-faults]
                        [--no-bare]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage_contract.config import PLATFORM_REQUESTS_PER_MINUTE  # noqa: E402
from tests.harness import CAUGHT_BY, Outcome, run_suite  # noqa: E402

PACED = {"ENGAGE_RATE_LIMIT": str(PLATFORM_REQUESTS_PER_MINUTE)}
# A release run with one lane at 100 ms latency takes about 20 minutes.
RUN_TIMEOUT = 3600


def _parallel(jobs, workers: int = 2) -> list[Outcome]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


def _heading(*columns: str) -> None:
    """A Markdown table's first two lines, after a blank one: numbers right-aligned, names and lists left."""
    left = ("profile", "per variant: requests to first failure")
    print(f"\n| {' | '.join(columns)} |")
    print(f"| {' | '.join('---' if column in left else '---:' for column in columns)} |")


def _lanes_table(profiles: list[str], customers: list[int], latency: float) -> bool:
    _heading("profile", "customers", "requests", "wall s", "requests/s", "floor s", "share of floor",
             "most in flight", "busiest minute")
    for profile in profiles:
        for count in customers:
            run = run_suite(profile=profile, stop_at_first_failure=False, latency=latency, customers=count, env=PACED,
                            timeout=RUN_TIMEOUT)
            if run.exit_code != 0:
                print(f"the suite failed the correct server in profile {profile}:\n{run.output[-3000:]}")
                return False
            wall = run.run_seconds
            floor = run.served / (PLATFORM_REQUESTS_PER_MINUTE / 60)
            print(f"| {profile} | {count} | {run.served:,} | {wall:.1f} | {run.served / wall:.0f} | {floor:.1f} "
                  f"| {floor / wall:.2f} | {run.most_in_flight} | {run.busiest_minute:,} |", flush=True)
    return True


def _faults_table(profiles: list[str], customers: list[int], latency: float) -> None:
    _heading("profile", "customers", "faulty caught", "requests to first failure (mean, max)",
             "s until stopped (mean, max)", "per variant: requests to first failure")
    for profile in profiles:
        for count in customers:
            outcomes = _parallel([lambda fault=fault: run_suite([fault], profile=profile, latency=latency,
                                                                customers=count, env=PACED)
                                  for fault in sorted(CAUGHT_BY)])
            caught = [outcome for outcome in outcomes if outcome.caught]
            missed = sorted(outcome.variant for outcome in outcomes if not outcome.caught)
            caught_text = f"{len(caught)}/{len(outcomes)}" + (f" (missed: {', '.join(missed)})" if missed else "")
            # Requests until the first failing case, as the suite counted them: shrinking and restore aside.
            firsts = [outcome.first_failure_at for outcome in caught if outcome.first_failure_at is not None]
            seconds = [outcome.run_seconds for outcome in caught]
            each = ", ".join(f"{outcome.variant} {outcome.first_failure_at}" for outcome in caught)
            first_requests = f"{statistics.mean(firsts):.0f}, {max(firsts)}" if firsts else "-"
            first_seconds = f"{statistics.mean(seconds):.1f}, {max(seconds):.1f}" if seconds else "-"
            print(f"| {profile} | {count} | {caught_text} | {first_requests} | {first_seconds} | {each} |", flush=True)


def _bare_table(profiles: list[str], latency: float) -> bool:
    # Like with like: the same generated cases (the suite's hand-made probes left out), PATCHes only (the
    # suite's read-backs are its own cost, not throughput), cases as each run counted them; one lane.
    _heading("profile", "suite PATCHes/s", "bare case.call() PATCHes/s", "ratio", "suite cases/s", "bare cases/s",
             "ratio")
    for profile in profiles:
        generated = run_suite(profile=profile, stop_at_first_failure=False, latency=latency, env=PACED,
                              pytest_args=("-k", "test_update_customer and PATCH"))
        bare = run_suite(profile=profile, stop_at_first_failure=False, latency=latency, env=PACED,
                         tests="bench/test_bare_call.py")
        if bare.exit_code != 0 or generated.exit_code != 0:
            print(f"a run failed in profile {profile}:\n{bare.output[-3000:]}\n{generated.output[-3000:]}")
            return False
        # The suite's PATCHes include its restore (one); the bare loop's include the same restore.
        suite_rate, bare_rate = generated.patches / generated.run_seconds, bare.patches / bare.run_seconds
        suite_cases, bare_cases = generated.cases / generated.run_seconds, bare.cases / bare.run_seconds
        print(f"| {profile} | {suite_rate:.0f} | {bare_rate:.0f} | {suite_rate / bare_rate:.2f} "
              f"| {suite_cases:.0f} | {bare_cases:.0f} | {suite_cases / bare_cases:.2f} |", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="the reference server answers each request after MS milliseconds")
    parser.add_argument("--profiles", default="smoke,ci,release")
    parser.add_argument("--customers", default="1,2,4", help="the numbers of test customers (lanes) to compare")
    parser.add_argument("--fault-profiles", default=None,
                        help="the profiles to run the faulty servers in (default: --profiles)")
    parser.add_argument("--no-faults", action="store_true", help="skip the faulty servers (much faster)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare case.call() comparison")
    args = parser.parse_args(argv)
    latency = args.latency / 1000
    profiles = [name.strip() for name in args.profiles.split(",") if name.strip()]
    customers = [int(count) for count in args.customers.split(",")]

    print(f"engage-contract benchmark: embedded reference server, latency {args.latency:g} ms, seed 1, "
          f"paced at {PLATFORM_REQUESTS_PER_MINUTE:,} requests a minute")
    if not _lanes_table(profiles, customers, latency):
        return 1
    if not args.no_faults:
        fault_profiles = [name.strip() for name in (args.fault_profiles or args.profiles).split(",") if name.strip()]
        _faults_table(fault_profiles, sorted({min(customers), max(customers)}), latency)
    if not args.no_bare and not _bare_table(profiles, latency):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
