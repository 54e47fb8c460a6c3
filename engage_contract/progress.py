"""Live progress of a long run: on a terminal one line kept up to date, elsewhere (CI) a line every 30
seconds. It writes past pytest's output capture, so nothing of it lands in a failure's report or JUnit."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

CI_INTERVAL = 30.0
TERMINAL_INTERVAL = 0.5


class Progress:
    def __init__(self, write: Callable[[str], None], *, terminal: bool, clock: Callable[[], float] = time.monotonic):
        self._write = write
        self._terminal = terminal
        self._clock = clock
        self._started = clock()
        self._shown = self._started
        self._width = 0
        self._lock = threading.Lock()  # lanes report from their own threads

    def update(self, requests: int, cases: int, failures: int, inconclusive: int = 0, force: bool = False) -> None:
        with self._lock:
            self._update(requests, cases, failures, inconclusive, force)

    def _update(self, requests: int, cases: int, failures: int, inconclusive: int, force: bool) -> None:
        now = self._clock()
        if not force and now - self._shown < (TERMINAL_INTERVAL if self._terminal else CI_INTERVAL):
            return
        self._shown = now
        elapsed = now - self._started
        line = (f"engage-contract: {requests:,} requests, {cases:,} cases, {failures} failing, {inconclusive} inconclusive, "
                f"{requests / elapsed if elapsed else 0:.0f} requests/s, {elapsed:.0f} s")
        if self._terminal:
            self._write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self._write(line + "\n")

    def done(self) -> None:
        if self._terminal and self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0


def for_pytest(config: Any) -> Progress:
    """Progress on pytest's terminal, past its capture."""
    capture = config.pluginmanager.getplugin("capturemanager")
    writer = config.get_terminal_writer()

    def write(text: str) -> None:
        with capture.global_and_fixture_disabled():
            writer.write(text, flush=True)

    return Progress(write, terminal=sys.__stdout__ is not None and sys.__stdout__.isatty())
