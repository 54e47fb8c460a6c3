"""A short Markdown summary of a run for a CI job's page (GitHub's GITHUB_STEP_SUMMARY): the verdict, the
failures by clause with their first message, the coverage, the restore and the seed to repeat it."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engage_contract.failures import Finding


def markdown(verdict: str, findings: Iterable[Finding], summary: dict[str, Any], restore: str) -> str:
    by_check: dict[str, list[Finding]] = {}
    for finding in findings:
        by_check.setdefault(finding.check, []).append(finding)
    lines = [f"## engage-contract: {verdict}", ""]
    if by_check:
        lines += ["| check | clause | first failure |", "| --- | --- | --- |"]
        for check, found in by_check.items():
            first = found[0].message.splitlines()[0] if found[0].message else ""
            lines.append(f"| `{check}` | {_cell(found[0].clause)} | {_cell(first)} |")
        lines.append("")
    lines += [
        f"- target: {summary['target']} (profile {summary['profile']})",
        f"- {summary['requests']} requests, {summary['cases']} cases; statuses {summary['statuses']}",
        f"- never reached: {', '.join(summary['never_reached']) or 'nothing'}",
        f"- restore: {restore}",
        f"- repeat with `ENGAGE_SEED={summary['seed']}`",
        "",
    ]
    return "\n".join(lines)


def append(path: str | Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(text + "\n")


def _cell(text: str) -> str:
    """Cut first, then escape: a cut must not leave half an escape."""
    return html.escape(text.replace("\n", " ")[:200]).replace("|", "\\|")
