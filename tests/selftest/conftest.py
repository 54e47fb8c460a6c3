from __future__ import annotations

import json

from tests.harness import CAUGHT_BY


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
    terminalreporter.section("kill rate of the project's faulty servers, and the legal ones' readings")
    for name, row in sorted(rows.items()):
        terminalreporter.write_line(f"{name:34} {row['requests']:5d} requests {row['seconds']:6.1f} s  {row['verdict']}")
    caught = sum(row["verdict"].startswith("caught") for row in rows.values())
    terminalreporter.write_line(f"kill rate: {caught}/{len(CAUGHT_BY)} faulty variants caught by their check")
    legal = [row for row in rows.values() if row["verdict"].startswith(("passes", "WRONG: fails"))]
    if legal:
        read = sum("WRONG" not in row["verdict"] for row in legal)
        terminalreporter.write_line(f"readings: {read}/{len(legal)} correct variants pass and read as their own")
