"""Live progress of a long run, on a line of its own: on a terminal one line kept up to date (and taken away
before pytest writes again, the cursor back where pytest left it), elsewhere (CI) a line every 30 seconds.
It writes past pytest's output capture, so nothing of it lands in a failure's report or JUnit."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from engage_contract import internals

CI_INTERVAL = 30.0
TERMINAL_INTERVAL = 0.5


class Progress:
    def __init__(self, write: Callable[[str], None], *, terminal: bool, clock: Callable[[], float] = time.monotonic,
                 column: Callable[[], int] = lambda: 0, width: Callable[[], int] = lambda: 10_000):
        self._write = write
        self._terminal = terminal
        self._clock = clock
        self._column = column  # where pytest's own line stands: 0 when it is empty
        self._columns = width  # the terminal's: a line that wrapped could not be rewritten in place
        self._started = clock()
        self._shown = self._started
        self._width = 0  # the progress line on the terminal, while it is shown
        self._return_to = 0  # pytest's column, to go back to when the progress line is taken away
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
            line = line[:max(self._columns() - 1, 20)]
            if not self._width:  # a line of its own, below pytest's
                self._return_to = self._column()
                self._write("\n" if self._return_to else "")
            self._write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self._write(("\n" if self._column() else "") + line + "\n")

    def done(self) -> None:
        """Take the progress line away before pytest writes: the cursor goes back to the end of pytest's line."""
        with self._lock:
            if self._terminal and self._width:
                self._write("\r\x1b[K" + (f"\x1b[1A\x1b[{self._return_to + 1}G" if self._return_to else ""))
                self._width = 0


def for_pytest(config: Any) -> Progress:
    """Progress on pytest's terminal, past its capture and past its writer (whose idea of the line stays its own)."""
    write, column, width = internals.terminal_output(config)
    out = sys.__stdout__
    return Progress(write, terminal=out is not None and out.isatty(), column=column, width=width)
