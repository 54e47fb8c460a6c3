"""A lane's hypothesis test at work in a process of its own.

Generating a case (and shrinking a failing one) is most of what a run spends its CPU on, and the threads of one
interpreter cannot share it out: with several lanes, each lane's hypothesis test is made again, from plain
data, in a process of its own (forked by a fresh interpreter, never by the run's, which has threads). There it
draws its cases and hands each to its lane's thread in the run's process, which sends it and judges it as ever
(the customer, the pacer, the known state, the reports all stay there) and answers how it went: hypothesis goes
on, shrinks a failure, or stops. The process sends no request; besides its pipe it only touches hypothesis'
example database. The run's stop signals are the run's to handle: the process
ignores them, and ends when the run tells it to, or when the run is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
import unittest
from collections.abc import Callable
from typing import Any

from hypothesis.errors import Flaky
from schemathesis.core import NOT_SET

from engage_contract import internals
from engage_contract.judging.failures import leaves
from engage_contract.running.restore import STOP_SIGNALS  # the run's process alone acts on them

# How long a lane's thread waits, once the run is stopping, for its worker to hand over a case or end.
STOPPING_PATIENCE = 5.0
# Drawing a case takes well under a second; a process silent this long is stuck, not busy.
SILENCE_LIMIT = 120.0
_NO_BODY = "engage-contract: no body"  # NOT_SET is a singleton that does not survive pickling


class LaneFailure(AssertionError):
    """The lane's judge failed the case; what it raised is kept in the run's process. One subclass per kind of
    failure: hypothesis tells failures apart by their type (and where they were raised), and shrinks each."""

    signature = ""


def signature(error: BaseException) -> str:
    """What kind of failure an exception is, as schemathesis keys its failures: the check and what broke."""
    keys = {internals.failure_key(leaf) or f"{type(leaf).__module__}.{type(leaf).__qualname__}"
            for leaf in leaves(error)}
    return " & ".join(sorted(map(str, keys)))


# A fresh interpreter forks the workers: the run's process has threads (the console's pumps, the embedded server,
# other lanes), and a fork of it could inherit a lock one of them held. The server preloads what a worker imports.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["engage_contract.plugin"])


def prepare() -> None:
    """The workers' forkserver started ahead, while the run collects its tests (it imports the suite meanwhile)."""
    internals.start_forkserver()


class Worker:
    """One lane's hypothesis test, in a process of its own, and the pipe its cases come through. `build(recipe,
    ask)` makes the test there (both are pickled: a module's function, and plain data)."""

    def __init__(self, build: Callable[[Any, Callable[[Any], None]], Callable[..., None]], recipe: Any = None) -> None:
        self._lane_end, worker_end = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=_work, args=(build, recipe, worker_end, os.getpid()), daemon=True)
        self._worker_end: Any = worker_end
        self._lock = threading.Lock()  # the lane's thread reaps it, the main thread may kill it
        self._started = False

    # In the run's process.

    def start(self) -> None:
        with self._lock:
            self._process.start()
            self._started = True
        self._worker_end.close()

    def serve(self, judge: Callable[[dict[str, Any]], None], stopping: Callable[[], bool],
              judged: Callable[[BaseException], None]) -> None:
        """Judge each case the process hands over, until its test ends; raise how it ended: what the judge raised
        for the final (shrunk) failing case of each kind, a skip, or the test's own error."""
        __tracebackhide__ = True
        last: dict[str, BaseException] = {}  # the last failure of each kind: hypothesis' final replay of it
        try:
            while True:
                kind, payload = self._next(stopping)
                if kind == "done":
                    status, kinds, text = payload
                    break
                try:
                    judge(payload)
                except unittest.SkipTest as exc:
                    answer: tuple[str, Any] = ("skip", str(exc))
                except BaseException as exc:  # noqa: BLE001 - hypothesis, there, shrinks it; raised here at the end
                    last[signature(exc)] = exc
                    judged(exc)
                    answer = ("fail", (signature(exc), str(exc)[:2000]))
                else:
                    answer = ("pass", "")
                self._lane_end.send(answer)
        except (EOFError, OSError) as exc:
            status = self.kill()
            message = (f"the lane's hypothesis process ended before its test did ({exc or 'its pipe closed'}; "
                       f"exit status {status})")
            if last:  # what it had found stands
                raise BaseExceptionGroup(message, list(last.values())) from None
            raise RuntimeError(message) from None
        self._reap()
        if status == "failed":
            found = [last[kind] for kind in kinds if kind in last]
            if kinds and len(found) == len(kinds):
                if len(found) == 1:
                    raise found[0]
                raise BaseExceptionGroup(f"{len(found)} distinct failures", found)
            # Flaky, or an error of the test's own: said, with what the judge had found (the findings stand).
            if last:
                raise BaseExceptionGroup(f"the lane's hypothesis test ended with {text}", list(last.values()))
            raise RuntimeError(f"the lane's hypothesis test ended with {text}")
        if status == "skipped":
            raise unittest.SkipTest(text)

    def _next(self, stopping: Callable[[], bool]) -> Any:
        waiting_since = time.monotonic()
        stopped_at: float | None = None
        while not self._lane_end.poll(0.2):
            if self._exited():
                raise EOFError("exited")
            if stopping():
                stopped_at = stopped_at or time.monotonic()
                if time.monotonic() - stopped_at > STOPPING_PATIENCE:
                    self.kill()
                    raise unittest.SkipTest("the run was stopped (the lane's worker did not end in time)")
            elif time.monotonic() - waiting_since > SILENCE_LIMIT:
                raise EOFError(f"silent for {SILENCE_LIMIT:.0f} s, ended")
        return self._lane_end.recv()

    def _exited(self) -> bool:
        with self._lock:
            if not self._started or self._process.is_alive():
                return not self._started
        return not self._lane_end.poll()  # what it sent before it ended is read first

    def _reap(self) -> int | None:
        with self._lock:
            if not self._started:
                return None
            self._process.join()
            return self._process.exitcode

    def kill(self) -> int | None:
        """End the process at once (it holds nothing of the run's: no customer, no request); its exit status."""
        with self._lock:
            if self._started and self._process.is_alive():
                self._process.kill()
        return self._reap()




# In the worker's process.

class _Asking:
    """The test's body there: hand the case over and raise what the lane's judge decided."""

    def __init__(self, end: Any, run_pid: int) -> None:
        self._end = end
        self._run_pid = run_pid
        self._failure_types: dict[str, type[LaneFailure]] = {}

    def __call__(self, case: Any) -> None:
        __tracebackhide__ = True
        try:
            self._end.send(("case", wire(case)))
            while not self._end.poll(1.0):
                os.kill(self._run_pid, 0)  # ProcessLookupError once the run is gone
            verdict, text = self._end.recv()
        except (EOFError, OSError):  # the run is gone: there is nothing left to send to
            os._exit(0)
        if verdict == "skip":
            raise unittest.SkipTest(text)
        if verdict == "fail":
            kind, message = text
            if kind not in self._failure_types:
                self._failure_types[kind] = type("LaneFailure", (LaneFailure,), {"signature": kind})
            raise self._failure_types[kind](message)


def _work(build: Callable[[Any, Callable[[Any], None]], Callable[..., None]], recipe: Any, end: Any,
          run_pid: int) -> None:
    """The worker process: the run's stop signals are the run's; build the test, run it, say how it ended."""
    try:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        try:
            build(recipe, _Asking(end, run_pid))(judge=None)
        except unittest.SkipTest as exc:
            outcome = ("skipped", [], str(exc))
        except BaseException as exc:  # noqa: BLE001 - told to the run, which reports it
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            outcome = ("failed", _judged(exc), text)
        else:
            outcome = ("passed", [], "")
        end.send(("done", outcome))
    finally:
        os._exit(0)


def _judged(error: BaseException) -> list[str]:
    """The kinds of failure the judge raised that a test ended with; [] when it ended otherwise (flaky, an error)."""
    if isinstance(error, Flaky):
        return []
    found = list(leaves(error))
    if all(isinstance(leaf, LaneFailure) for leaf in found):
        return [leaf.signature for leaf in found]
    return []


def wire(case: Any) -> dict[str, Any]:
    """What a generated case is made of, to be made again in the run's process."""
    return {
        "method": case.method,
        "path_parameters": dict(case.path_parameters or {}),
        "headers": None if case.headers is None else dict(case.headers),
        "cookies": case.cookies,
        "query": case.query,
        "body": _NO_BODY if case.body is NOT_SET else case.body,
        "media_type": case.media_type,
        "multipart_content_types": case.multipart_content_types,
        internals.CASE_META: case.meta,
    }


def unwire(operation: Any, message: dict[str, Any]) -> Any:
    """The case again, on the run's own operation (whose hooks feed schemathesis' reports)."""
    fields = dict(message)
    if isinstance(fields["body"], str) and fields["body"] == _NO_BODY:
        fields["body"] = NOT_SET
    return operation.Case(**fields)
