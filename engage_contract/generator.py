"""A lane's hypothesis test at work in a process of its own.

Generating a case (and shrinking a failing one) is most of what a run spends its CPU on, and the threads of one
interpreter cannot share it out: with several lanes, each lane's hypothesis test is forked into a process of
its own. There it draws its cases and hands each to its lane's thread in the run's process, which sends it
and judges it as ever (the customer, the pacer, the known state, the reports all stay there) and answers how
it went: hypothesis goes on, shrinks a failure, or stops. The process does no I/O but its pipe; a signal is
the run's to handle (the process ignores it and ends when the run tells it, or when the run is gone).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
import unittest
from collections.abc import Callable
from typing import Any

from schemathesis.core import NOT_SET

# How long a lane's thread waits, once the run is stopping, for its generator to hand over a case or end.
STOPPING_PATIENCE = 5.0
_NO_BODY = "engage-contract: no body"  # NOT_SET is a singleton that does not survive pickling


class LaneFailure(AssertionError):
    """The lane's judge failed the case; what it raised is kept in the run's process."""


class Generator:
    """One lane's hypothesis test, forked, and the pipe its cases come through."""

    def __init__(self, build: Callable[[Callable[[Any], None]], Callable[..., None]]) -> None:
        self._here, self._there = multiprocessing.Pipe()
        # The test is built here, before the fork: the process inherits it, strategies, settings, seed and all.
        self._test = build(self._ask)
        self._parent = os.getpid()
        self._pid: int | None = None

    # In the forked process.

    def _ask(self, case: Any) -> None:
        """The test's body in the forked process: hand the case over and raise what the lane's judge decided."""
        __tracebackhide__ = True
        try:
            self._there.send(("case", wire(case)))
            while not self._there.poll(1.0):
                if os.getppid() != self._parent:
                    raise EOFError
            verdict, text = self._there.recv()
        except (EOFError, OSError):  # the run is gone: there is nothing left to send to
            os._exit(0)
        if verdict == "skip":
            raise unittest.SkipTest(text)
        if verdict == "fail":
            raise LaneFailure(text)

    def _work(self, others: list["Generator"]) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            # The other lanes' pipes: held here, they would keep those lanes from seeing the run end.
            for other in others:
                if other is not self:
                    other._here.close()
                    other._there.close()
            self._here.close()
            try:
                self._test(judge=None)
            except unittest.SkipTest as exc:
                outcome = ("skipped", False, str(exc))
            except BaseException as exc:  # noqa: BLE001 - told to the run, which reports it
                outcome = ("failed", isinstance(exc, LaneFailure),
                           "".join(traceback.format_exception_only(type(exc), exc)).strip())
            else:
                outcome = ("passed", False, "")
            self._there.send(("done", outcome))
        finally:
            os._exit(0)

    # In the run's process.

    def start(self, others: list["Generator"]) -> None:
        pid = os.fork()
        if pid == 0:
            self._work(others)
        self._pid = pid
        self._there.close()

    def serve(self, judge: Callable[[dict[str, Any]], None], stopping: Callable[[], bool],
              judged: Callable[[BaseException], None]) -> None:
        """Judge each case the process hands over, until its test ends; raise how it ended: what the judge raised
        for the final (shrunk) failing case, a skip, or the test's own error."""
        __tracebackhide__ = True
        last_failure: BaseException | None = None
        while True:
            kind, payload = self._next(stopping)
            if kind == "done":
                status, judged_failure, text = payload
                break
            try:
                judge(payload)
            except unittest.SkipTest as exc:
                self._here.send(("skip", str(exc)))
            except BaseException as exc:  # noqa: BLE001 - hypothesis, there, shrinks it; raised here at the end
                last_failure = exc
                judged(exc)
                self._here.send(("fail", str(exc)[:2000]))
            else:
                self._here.send(("pass", ""))
        self._reap()
        if status == "failed":
            if judged_failure and last_failure is not None:
                raise last_failure
            raise RuntimeError(f"the lane's hypothesis test ended with {text}") from last_failure
        if status == "skipped":
            raise unittest.SkipTest(text)

    def _next(self, stopping: Callable[[], bool]) -> Any:
        stopped_at: float | None = None
        while not self._here.poll(0.2):
            if stopping():
                stopped_at = stopped_at or time.monotonic()
                if time.monotonic() - stopped_at > STOPPING_PATIENCE:
                    self.kill()
                    raise unittest.SkipTest("the run was stopped (the lane's generator did not end in time)")
        try:
            return self._here.recv()
        except EOFError:
            status = self._reap()
            raise RuntimeError(f"the lane's hypothesis process ended without a word (status {status})") from None

    def _reap(self) -> int | None:
        if self._pid is None:
            return None
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return status

    def kill(self) -> None:
        """End the process at once (it holds nothing of the run's: no customer, no file but its pipe)."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()


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
        "_meta": case.meta,
    }


def unwire(operation: Any, message: dict[str, Any]) -> Any:
    """The case again, on the run's own operation (whose hooks feed schemathesis' reports)."""
    fields = dict(message)
    if fields["body"] == _NO_BODY:
        fields["body"] = NOT_SET
    return operation.Case(**fields)
