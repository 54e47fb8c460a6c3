from __future__ import annotations

import json

from engage_contract.harness import CAUGHT_BY


def pytest_terminal_summary(terminalreporter) -> None:
    """The kill rate, from the variants' reports (with pytest-xdist, every worker's)."""
    rows = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "variant":
                    row = json.loads(value)
                    rows[row["variant"]] = row
    if not rows:
        return
    terminalreporter.section("kill rate of the project's faulty servers")
    for name, row in sorted(rows.items()):
        terminalreporter.write_line(f"{name:34} {row['verdict']:45} {row['requests']:5d} requests "
                                    f"{row['seconds']:6.1f} s")
    caught = sum(row["verdict"].startswith("caught") for row in rows.values())
    terminalreporter.write_line(f"kill rate: {caught}/{len(CAUGHT_BY)} faulty variants caught by their check")
