from __future__ import annotations

from engage_contract.harness import CAUGHT_BY

from .test_faulty_servers import RESULTS


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("kill rate of the project's faulty servers")
    caught = 0
    for name, outcome in sorted(RESULTS.items()):
        if name in CAUGHT_BY:
            caught += outcome.caught
            verdict = f"caught by {CAUGHT_BY[name]}" if outcome.caught else "WRONG: not caught by its check"
        else:
            verdict = "passes" if outcome.exit_code == 0 else "WRONG: fails"
        terminalreporter.write_line(f"{name:34} {verdict:45} {outcome.requests:5d} requests {outcome.seconds:6.1f} s")
    terminalreporter.write_line(f"kill rate: {caught}/{len(CAUGHT_BY)} faulty variants caught by their check")
