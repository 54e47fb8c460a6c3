"""Live progress: kept on one line on a terminal, a line every 30 s elsewhere."""

from __future__ import annotations

from engage_contract.progress import Progress


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
    assert all(text.startswith("\r") and "\n" not in text for text in written)
    assert written[-1].strip() == "" and len(written) > 2
