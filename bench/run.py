"""Benchmark the contract suite on this machine against the embedded reference server.

For each profile: requests sent, wall seconds, requests per second, and the share of the project's
faulty servers caught (with the requests and seconds each run took until it stopped at its first
failure). Then the same generated cases through a bare `case.call()` loop, and the suite's throughput
as a ratio of it.

    python bench/run.py [--latency MS] [--profiles smoke,ci,release] [--no-faults]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage_contract.harness import CAUGHT_BY, Outcome, run_suite  # noqa: E402


def _parallel(jobs, workers: int = 2) -> list[Outcome]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="the reference server answers each request after MS milliseconds")
    parser.add_argument("--profiles", default="smoke,ci,release")
    parser.add_argument("--no-faults", action="store_true", help="skip the faulty servers (much faster)")
    args = parser.parse_args(argv)
    latency = args.latency / 1000
    profiles = [name.strip() for name in args.profiles.split(",") if name.strip()]

    print(f"engage-contract benchmark: embedded reference server, latency {args.latency:g} ms, seed 1\n")
    header = (f"| profile | requests | wall s | requests/s | faulty caught | requests to first failure "
              f"(mean, max) | s to first failure (mean, max) |")
    print(header)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    suite_runs: dict[str, Outcome] = {}
    for profile in profiles:
        clean = run_suite(profile=profile, stop_at_first_failure=False, latency=latency)
        if clean.exit_code != 0:
            print(f"the suite failed the correct server in profile {profile}:\n{clean.output[-3000:]}")
            return 1
        suite_runs[profile] = clean
        caught_text = first_requests = first_seconds = "-"
        if not args.no_faults:
            outcomes = _parallel([lambda fault=fault, profile=profile: run_suite(
                [fault], profile=profile, latency=latency) for fault in sorted(CAUGHT_BY)])
            caught = [outcome for outcome in outcomes if outcome.caught]
            missed = sorted(outcome.variant for outcome in outcomes if not outcome.caught)
            caught_text = f"{len(caught)}/{len(outcomes)}" + (f" (missed: {', '.join(missed)})" if missed else "")
            # Requests until the first failing case, as the suite counted them: shrinking and restore aside.
            firsts = [outcome.first_failure_at for outcome in caught if outcome.first_failure_at is not None]
            if firsts:
                seconds = [outcome.run_seconds for outcome in caught]
                first_requests = f"{statistics.mean(firsts):.0f}, {max(firsts)}"
                first_seconds = f"{statistics.mean(seconds):.1f}, {max(seconds):.1f}"
        wall = clean.run_seconds
        print(f"| {profile} | {clean.served} | {wall:.1f} | {clean.served / wall:.0f} | {caught_text} "
              f"| {first_requests} | {first_seconds} |", flush=True)

    # Like with like: the same generated cases (the suite's hand-made probes left out), PATCHes only (the
    # suite's read-backs are its own cost, not throughput), cases as each run counted them.
    print("\n| profile | suite PATCHes/s | bare case.call() PATCHes/s | ratio | suite cases/s | bare cases/s | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for profile in suite_runs:
        generated = run_suite(profile=profile, stop_at_first_failure=False, latency=latency,
                              pytest_args=("-k", "test_update_customer and PATCH"))
        bare = run_suite(profile=profile, stop_at_first_failure=False, latency=latency, tests="bench/test_bare_call.py")
        if bare.exit_code != 0 or generated.exit_code != 0:
            print(f"a run failed in profile {profile}:\n{bare.output[-3000:]}\n{generated.output[-3000:]}")
            return 1
        # The suite's PATCHes include its restore (one); the bare loop's include the same restore.
        suite_rate, bare_rate = generated.patches / generated.run_seconds, bare.patches / bare.run_seconds
        suite_cases, bare_cases = generated.cases / generated.run_seconds, bare.cases / bare.run_seconds
        print(f"| {profile} | {suite_rate:.0f} | {bare_rate:.0f} | {suite_rate / bare_rate:.2f} "
              f"| {suite_cases:.0f} | {bare_cases:.0f} | {suite_cases / bare_cases:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
