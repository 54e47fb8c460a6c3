"""The run's lanes at work side by side, one test customer each.

The generated cases are shared out: one hypothesis test per lane, built by schemathesis as it builds the
single one, each with a seed of its own and its share of the fuzzed examples, sending to its own customer.
The deterministic cases (the schema's examples, the coverage phase) are the same in every lane's test: each
lane keeps every k-th of them. A case alike one sent before by any lane (each lane's fuzzing begins with the
same simplest case; a failure stored in the example database is replayed by each) is not sent again (the
judge's `send_generated`). A failing case is shrunk on the lane that found it, against the customer it failed
on; the other lanes then stop, as a single hypothesis run stops generating. Each lane's hypothesis test works
in a process of its own (`workers`), where its CPU is its own; the lane's thread here sends and judges.

The hand-made probes are shared out too (`probing`): each lane sends its share before its generated cases, and
the probes that touch no test customer run in a thread of their own meanwhile, even with one lane. Their outcomes
wait for pytest to reach their items, which report them."""

from __future__ import annotations

import threading
import time
import unittest
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import hypothesis

from engage_contract import internals
from engage_contract.running import suite
from engage_contract.running.probing import SHARED_OUT, Probes
from engage_contract.running.workers import Worker, unwire

if TYPE_CHECKING:
    from engage_contract.running.contract_run import ContractRun, Lane

# After a second signal, the seconds the lanes get to end: no request of theirs starts once stopped, and the
# restore waits for those in flight.
FINISHING_WHEN_STOPPED_HARD = 1.0


def shared_out(test: Callable) -> Callable:
    """Mark a schemathesis test whose cases are shared out among the lanes when the run has several."""
    setattr(test, SHARED_OUT, True)
    return test


class _Shared:
    """What the lanes of one generated test share: the lanes that failed, and what each found first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failed: set[int] = set()  # lanes that found a failing case
        self.first_failure: dict[int, BaseException] = {}  # what each of them found first (a stop must not lose it)

    def failed_elsewhere(self, number: int) -> bool:
        with self.lock:
            return bool(self.failed) and number not in self.failed

    def failing(self, number: int, error: BaseException | None = None) -> None:
        with self.lock:
            self.failed.add(number)
            if error is not None:
                self.first_failure.setdefault(number, error)


# The lane number the probes' failures count under.
PROBES = 0


def send_shared_out(item: Any, run: "ContractRun", probes: Probes, stop: Callable[[str], None]) -> None:
    """Run a shared-out schemathesis test item in every lane at once, each lane's probes first and the probes that
    touch no customer beside them; raise what the lanes' generated cases found. Under `-x` (or --maxfail) a
    probe's failure stops the lanes too, as it would have stopped pytest."""
    __tracebackhide__ = True
    operation = internals.ApiOperationMark.get(item.obj)
    shared = _Shared()
    maxfail = item.config.option.maxfail
    failures = [0]

    def probe_failed() -> None:
        with shared.lock:
            failures[0] += 1
            if maxfail and failures[0] >= maxfail:
                shared.failed.add(PROBES)
    # One lane runs the test as schemathesis built it, here: its cases are those of a run without lanes. With
    # several, each lane's test (a share of it) works in a process of its own, made there from plain data.
    workers = [Worker(lane_test, LaneRecipe.of(item, run, lane)) for lane in run.lanes] if len(run.lanes) > 1 else []
    errors: list[BaseException | None] = [None] * len(run.lanes)
    customerless_probes, shares = probes.shares(len(run.lanes))

    def go(index: int) -> None:
        lane = run.lanes[index]
        unjudged: list[Any] = []
        try:
            unjudged = probes.send(shares[index], run, lane.judge, go_on=lambda: not shared.failed,
                                   failed=probe_failed)
            refusal = None
            if PROBES in shared.failed:
                refusal = "a failure was found first"
            if not workers:
                if refusal is not None:
                    raise unittest.SkipTest(refusal)
                item.obj(judge=lane.judge)
                return
            workers[index].serve(
                lambda message: _judge_case(item, operation, lane, run, shared, message, refusal),
                stopping=lambda: lane.judge.stopped_by is not None,
                judged=lambda error: shared.failing(lane.number, error))
        except BaseException as exc:  # noqa: BLE001 - carried to the main thread, which raises it
            errors[index] = exc
        finally:
            # After the generated cases: a rate limit's burst, a lock of a few seconds, is over by then.
            probes.send_again(unjudged, run, lane.judge, go_on=lambda: not shared.failed, failed=probe_failed)

    customerless_errors: list[BaseException] = []

    def send_customerless() -> None:
        try:
            go_on = lambda: PROBES not in shared.failed  # noqa: E731
            unjudged = probes.send(customerless_probes, run, run.customerless_judge, go_on=go_on, failed=probe_failed)
            probes.send_again(unjudged, run, run.customerless_judge, go_on=go_on, failed=probe_failed)
        except BaseException as exc:  # noqa: BLE001 - carried to the main thread, which raises it
            customerless_errors.append(exc)

    threads = [threading.Thread(target=go, args=(index,), name=f"lane-{lane.number}", daemon=True)
               for index, lane in enumerate(run.lanes)]
    if customerless_probes:
        threads.append(threading.Thread(target=send_customerless, name="customerless-probes", daemon=True))
    try:
        for worker in workers:
            worker.start()
        for thread in threads:
            thread.start()
        _wait(threads, stop)
    finally:
        for worker in workers:
            worker.kill()
    # A lane stopped while it shrank (a signal, the lanes' stop) ends in a skip: what it had found still counts.
    errors = [shared.first_failure.get(lane.number, error) if isinstance(error, unittest.SkipTest) else error
              for lane, error in zip(run.lanes, errors)]
    found = [error for error in errors + customerless_errors
             if error is not None and not isinstance(error, unittest.SkipTest)]
    if len(found) == 1:
        raise found[0]
    if found:
        raise BaseExceptionGroup(f"failures in {len(found)} lanes", found)
    if run.judge.stopped_by is not None:
        raise unittest.SkipTest(f"the run was stopped ({run.judge.stopped_by})")
    skipped = [error for error in errors if error is not None]
    if skipped and len(skipped) == len(errors):
        raise skipped[0]


def _wait(threads: list[threading.Thread], stop: Callable[[str], None]) -> None:
    """Join the lanes. Stopped harder (a second signal), they are stopped at once (no request starts but the
    restore's) and given a few seconds to finish the one in flight; the restore waits for what is left."""
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)
    except KeyboardInterrupt:
        stop("KeyboardInterrupt")
        deadline = time.monotonic() + FINISHING_WHEN_STOPPED_HARD
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        raise


def _judge_case(item: Any, operation: Any, lane: "Lane", run: "ContractRun", shared: _Shared, message: dict[str, Any],
                refusal: str | None) -> None:
    """A case a lane's worker drew, sent to the lane's customer and judged by the test's own body."""
    __tracebackhide__ = True
    if refusal is not None:
        raise unittest.SkipTest(refusal)
    if shared.failed_elsewhere(lane.number):
        raise unittest.SkipTest("a failure was found first, elsewhere")
    case = unwire(operation, message)
    if case.path_parameters.get("id") == run.customer_id:
        case.path_parameters = {**case.path_parameters, "id": lane.customer_id}
    item.test_function(case, lane.judge)


@dataclass(frozen=True)
class LaneRecipe:
    """What a lane's hypothesis test is made from in its worker's process, as plain data: the schema as the run
    generates from it, the lane's place among the lanes, and the example database's key of the test."""

    generation: suite.Generation
    name: str  # the test's
    lane: int
    lanes: int
    database_key: bytes

    @classmethod
    def of(cls, item: Any, run: "ContractRun", lane: "Lane") -> "LaneRecipe":
        return cls(suite.Generation.of(run), item.test_function.__name__, lane.number, len(run.lanes),
                   internals.function_digest(item.test_function))


def lane_test(recipe: LaneRecipe, ask: Callable[[Any], None]) -> Callable:
    """The lane's hypothesis test (in its worker's process), whose body hands each case to `ask` (the lane's
    thread in the run's process)."""

    def lane_test(case: Any, judge: Any) -> None:
        __tracebackhide__ = True
        ask(case)

    lane_test.__name__ = recipe.name

    schema = recipe.generation.schema()
    operation = schema[suite.OPERATION][suite.METHOD]
    test = internals.build_operation_test(
        config=schema.config, operation=operation, test_func=lane_test, given_kwargs={},
        feedback=internals.FeedbackSources(constants_value_source=internals.make_constants_value_source(schema)))
    # The deterministic cases (the schema's examples, the coverage phase) are the same in every lane's test: each
    # lane keeps every lanes-th of them, so that none iterates over those the others send.
    internals.set_explicit_examples(test, internals.explicit_examples(test)[recipe.lane - 1::recipe.lanes])
    settings = internals.hypothesis_settings(test)
    share = max(1, settings.max_examples // recipe.lanes + (recipe.lane - 1 < settings.max_examples % recipe.lanes))
    # Quiet: the process's output is not the run's (the run reports what its judge raised).
    internals.set_hypothesis_settings(
        test, hypothesis.settings(settings, max_examples=share, verbosity=hypothesis.Verbosity.quiet))
    # One example database entry for the test, whichever lane found it: every lane tries it first next time.
    internals.set_database_key(test, recipe.database_key)
    # The first lane keeps the run's seed.
    seed = internals.hypothesis_seed(test)
    if seed is not None:
        hypothesis.seed(seed + recipe.lane - 1)(test)
    return test