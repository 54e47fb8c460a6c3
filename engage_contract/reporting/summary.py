"""The run's summary: one data model, documented and versioned (summary.schema.json, the README's "The
summary"), written as reports/contract-summary.json and rendered from it for the console, the JUnit
properties, a CI job's step summary and the run's last line."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

VERSION = 1
PATH = Path("reports/contract-summary.json")
SCHEMA = Path(__file__).with_name("summary.schema.json")
# What the run found, from best to worst news; the exit code says the same.
OUTCOMES = ("holds", "readings-changed", "violated", "could-not-judge", "interrupted", "restore-failed", "error",
            "did-not-start")
# The coverage block of the console and the page: the run's numbers, one a line.
COVERAGE = ("target", "profile", "seed", "customers", "requests", "seconds", "cases", "alike_not_sent", "valid_bodies",
            "invalid_bodies", "empty_bodies", "valid_accepted", "reached_200", "retries", "first_failure_at",
            "inconclusive", "inconclusive_why", "inconclusive_read_backs", "transient_5xx", "statuses",
            "business_codes", "never_reached", "probes_sent_ahead", "latency_ms")


def build(run: dict[str, Any], *, outcome: str, exit_code: int, says: str, failures: list[dict[str, str]],
          known: Any, restore_problem: str | None, interrupted_by: str | None, embedded: bool,
          probes_sent_ahead: int, readings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The summary of a run: its own numbers (ContractRun.summary()), the verdict, the failures and the baseline's."""
    in_use = known.path is not None
    return {
        "version": VERSION,
        "verdict": {"outcome": outcome, "exit_code": exit_code, "says": says},
        **run,
        "embedded": embedded,
        "probes_sent_ahead": probes_sent_ahead,
        "failures": failures,
        "known_deviations": [{"id": entry.id, "signature": entry.signature, "reason": _reason(entry)}
                             for entry, _ in known.seen.values()] if in_use else [],
        "not_seen_fixed": [{"id": entry.id, "signature": entry.signature} for entry in known.unseen()] if in_use else [],
        "expired": [{"id": entry.id, "signature": entry.signature, "expires": str(entry.expires)}
                    for entry in known.expired()] if in_use else [],
        "restore": {"outcome": "failed" if restore_problem else "restored", "problem": restore_problem},
        "interrupted_by": interrupted_by,
        **({"readings": readings} if readings is not None else {}),
    }


def stopped_early(outcome: str, exit_code: int, says: str) -> dict[str, Any]:
    """The summary of a run that stopped before its first case (a configuration problem): its verdict only."""
    return {"version": VERSION, "verdict": {"outcome": outcome, "exit_code": exit_code, "says": says}}


def _reason(entry: Any) -> str:
    from engage_contract.judging.baseline import reason

    return reason(entry)


def write(summary: dict[str, Any], path: Path = PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def value(item: Any) -> str:
    """A value as people read it here: JSON (no Python reprs), strings as they are."""
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)


def coverage(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The run's numbers, and the baseline's entries where it has any, as shown on the console and the page."""
    return [(name, value(summary[name])) for name in COVERAGE if name in summary] + [
        (name, value(summary[name])) for name in ("known_deviations", "not_seen_fixed", "expired") if summary.get(name)]


def junit_properties(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Every field but the failures (JUnit has them as test cases), as JSON."""
    return [(f"engage.{name}", value(item)) for name, item in summary.items() if name != "failures"]


def last_line(summary: dict[str, Any], report: Path | None) -> str:
    """The verdict, the target and the counts, in one line: the line a person or a log search reads first."""
    customers = summary["customers"].split(", ") if isinstance(summary["customers"], str) else summary["customers"]
    where = "the embedded reference server" if summary["embedded"] else summary["target"]
    who = f"customer{'s' if len(customers) > 1 else ''} {', '.join(customers)}"
    counts = f"{summary['requests']:,} requests, {summary['seconds']:.0f} s"
    shown = f"; report {report}" if report is not None else ""
    live = "; not a live API: set ENGAGE_BASE_URL to test one" if summary["embedded"] else ""
    return f"engage-contract: {summary['verdict']['says']} at {where} ({who}), {counts}{shown}{live}"


def markdown(summary: dict[str, Any]) -> str:
    """For a CI job's page (GitHub's GITHUB_STEP_SUMMARY)."""
    lines = [f"## engage-contract: {summary['verdict']['says']}", ""]
    by_check: dict[str, dict[str, str]] = {}
    for failure in summary["failures"]:
        by_check.setdefault(failure["check"], failure)
    if by_check:
        lines += ["| check | clause | first failure |", "| --- | --- | --- |"]
        lines += [f"| `{check}` | {_cell(failure['clause'])} | {_cell(failure['message'])} |"
                  for check, failure in by_check.items()]
        lines.append("")
    for title, entries in (("Known deviations (the baseline's, seen again)", summary["known_deviations"]),
                           ("In the baseline, not seen in this run: fixed?", summary["not_seen_fixed"]),
                           ("Expired baseline entries", summary["expired"])):
        if entries:
            lines += [f"**{title}**", ""]
            lines += [f"- `{entry['signature']}` ({entry['id']}){': ' + _cell(entry['reason']) if 'reason' in entry else ''}"
                      for entry in entries]
            lines.append("")
    statuses = ", ".join(f"{status}: {count}" for status, count in summary["statuses"].items())
    lines += [
        f"- target: {summary['target']} (profile {summary['profile']})",
        f"- {summary['requests']} requests, {summary['cases']} cases; statuses {statuses or 'none'}",
        f"- inconclusive: {summary['inconclusive']}"
        + (f" ({', '.join(f'{count} {why}' for why, count in summary['inconclusive_why'].items())})"
           if summary["inconclusive_why"] else ""),
        f"- never reached: {', '.join(summary['never_reached']) or 'nothing'}",
        f"- restore: {summary['restore']['problem'] or 'restored and verified'}",
        f"- repeat with `ENGAGE_SEED={summary['seed']}`",
        "",
    ]
    if summary["latency_ms"]:
        lines += ["| requests | count | p50 ms | p95 ms | max ms |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {kind} | {row['count']} | {row['p50']} | {row['p95']} | {row['max']} |"
                  for kind, row in summary["latency_ms"].items()]
        lines.append("")
    return "\n".join(lines)


def append_markdown(path: str | Path, summary: dict[str, Any], more: str = "") -> None:
    """Add the summary (and `more` after it) to a CI job's page: GitHub's GITHUB_STEP_SUMMARY file gathers every
    step's."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(markdown(summary) + "\n" + (more + "\n" if more else ""))


def _cell(text: str) -> str:
    """Cut first, then escape: a cut must not leave half an escape."""
    return html.escape(text.replace("\n", " ")[:200]).replace("|", "\\|")
