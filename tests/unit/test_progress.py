"""Live progress: kept on one line on a terminal, a line every 30 s elsewhere."""

from __future__ import annotations

from engage_contract.reporting.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ci_gets_a_line_every_30_seconds() -> None:
    written: list[str] = []
    clock = Clock()
    live = Progress(written.append, terminal=False, clock=clock)
    for second in range(0, 95):
        clock.now = float(second)
        live.update(requests=second * 10, cases=second * 5, failures=0)
    assert len(written) == 3 and all(line.endswith("\n") for line in written)
    assert "300 requests, 150 cases, 0 failing, 0 inconclusive, 10 requests/s, 30 s" in written[0]


def test_a_terminal_keeps_one_line_and_clears_it() -> None:
    written: list[str] = []
    clock = Clock()
    live = Progress(written.append, terminal=True, clock=clock)
    for tenth in range(1, 21):
        clock.now = tenth / 10
        live.update(requests=tenth, cases=tenth, failures=1)
    live.done()
    assert all(text.startswith("\r") and "\n" not in text for text in written if text)
    assert written[-1] == "\r\x1b[K" and len(written) > 2


def test_on_a_terminal_the_line_is_its_own_and_the_cursor_goes_back_to_pytests() -> None:
    written: list[str] = []
    clock = Clock()
    live = Progress(written.append, terminal=True, clock=clock, column=lambda: 42)
    clock.now = 1.0
    live.update(requests=1, cases=1, failures=0)
    live.done()
    assert written[0] == "\n" and written[1].startswith("\rengage-contract: 1 requests")
    assert written[-1] == "\r\x1b[K\x1b[1A\x1b[43G"  # cleared, up a line, after pytest's 42 columns


def test_in_ci_a_line_starts_a_line_of_its_own() -> None:
    written: list[str] = []
    clock = Clock()
    live = Progress(written.append, terminal=False, clock=clock, column=lambda: 17)
    clock.now = 31.0
    live.update(requests=1, cases=1, failures=0)
    assert written[0].startswith("\nengage-contract: 1 requests") and written[0].endswith("\n")
