"""The run's share of the platform, for every lane at once: the rate limit, the requests in flight, the count of
what was sent, and how long answers took."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from engage_contract.http.errors import RunStopped
from engage_contract.http.retries import URGENT_TIMEOUT


class RateLimiter:
    """At most `per_minute` requests in any minute, spaced evenly (no bursts against a shared API); a 429's
    pause holds every lane."""

    def __init__(self, per_minute: float | None) -> None:
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stopped: threading.Event) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            stopped.wait(delay)  # a stop ends the pause

    def hold(self, seconds: float) -> None:
        """No request before `seconds` from now, whichever lane sends it."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


class Pacer:
    """The run's share of the platform, for every lane at once: the rate limit, at most `max_in_flight`
    requests at a time, and the count of what was sent. Once the run is stopping, only the restore's
    requests start."""

    def __init__(self, per_minute: float | None = None, max_in_flight: int = 1) -> None:
        self.limiter = RateLimiter(per_minute)
        self.max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Condition()
        self._stopped = threading.Event()  # the run is being stopped: no pause, no retry, no new request
        self.in_flight = 0  # requests of the cases and probes being answered now
        self.sent = 0
        self.retries = 0
        self.transient_5xx = 0  # a gateway's 5xx that a retry got past

    @property
    def stopping(self) -> bool:
        return self._stopped.is_set()

    @stopping.setter
    def stopping(self, value: bool) -> None:
        if value:
            self._stopped.set()
        else:
            self._stopped.clear()

    def pause(self, seconds: float) -> None:
        """A retry's pause, cut short by a stop."""
        self._stopped.wait(seconds)

    @contextlib.contextmanager
    def turn(self, *, paced: bool) -> Iterator[None]:
        """One request's slot: taken before the pause, so that no lane's pause lets another burst. `paced`: any
        request but the restore's after a stop, which waits at most a few seconds for a slot (the lanes it
        waits for are stopped, and CI gives seconds before SIGKILL)."""
        if paced and self.stopping:
            raise RunStopped("the run was stopped")
        slot = self._slots.acquire(timeout=None if paced else URGENT_TIMEOUT)
        try:
            if paced:
                self.limiter.wait(self._stopped)
                if self.stopping:
                    raise RunStopped("the run was stopped")
            with self._lock:
                self.sent += 1
                self.in_flight += paced
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= paced
                    self._lock.notify_all()
        finally:
            if slot:
                self._slots.release()

    def drain(self, seconds: float) -> bool:
        """Wait until no case's or probe's request is in flight (at most `seconds`): the restore comes after."""
        with self._lock:
            return self._lock.wait_for(lambda: self.in_flight == 0, timeout=seconds)

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def recovered_from_5xx(self) -> None:
        with self._lock:
            self.transient_5xx += 1


class Timings:
    """How long answers took, by kind of request (update, read, restore, token): for the run's summary. Shared
    by every lane's client."""

    KINDS = ("update", "read", "restore", "token")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: dict[str, list[float]] = {kind: [] for kind in self.KINDS}

    @contextlib.contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        """Time what the block sends; only an answer that came is counted."""
        started = time.monotonic()
        yield
        with self._lock:
            self._seconds[kind].append(time.monotonic() - started)

    def milliseconds(self) -> dict[str, list[float]]:
        with self._lock:
            return {kind: [seconds * 1000 for seconds in values] for kind, values in self._seconds.items()}

    def summary(self) -> dict[str, dict[str, float | int]]:
        """Per kind: how many, and the 50th and 95th percentiles and the most, in milliseconds (nearest rank)."""
        found = {}
        for kind, values in self.milliseconds().items():
            ordered = sorted(values)
            if ordered:
                rank = lambda share: ordered[max(0, -(-len(ordered) * share // 100) - 1)]  # noqa: E731
                found[kind] = {"count": len(ordered), "p50": round(rank(50), 1), "p95": round(rank(95), 1),
                               "max": round(ordered[-1], 1)}
        return found
