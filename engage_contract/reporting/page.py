"""The suite's own section on schemathesis' HTML page: what the library does not render (the verdict, the
coverage with the statuses and codes never reached, statuses by kind of request and the latencies as
pictures, the restore, the seed to repeat, and the failures of the hand-made probes, which are not generated
cases), all from the run's summary. The rest of the page is the library's."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from engage_contract.reporting import summary as summary_module

LEGEND = {
    "never_reached": "documented statuses and listed 422 codes that no request of this run met",
    "EC100": "the code schemathesis shows for a failure of one of this suite's checks (a broken clause)",
}
# Long generated values (a 70,000-character string) wrap inside their box instead of widening the page.
_CSS = """
#engage-contract{margin:16px 0;padding:16px;border:1px solid #555;border-radius:8px;font-family:monospace;
  max-width:100%;box-sizing:border-box;overflow-wrap:anywhere}
#engage-contract table{border-collapse:collapse;max-width:100%;table-layout:auto}
#engage-contract th{text-align:left;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap}
#engage-contract td{padding:2px 6px;overflow-wrap:anywhere;word-break:break-word}
#engage-contract pre{white-space:pre-wrap;overflow-wrap:anywhere}
#engage-contract .heat td{text-align:right;min-width:3em;border:1px solid #ccc}
#engage-contract svg{max-width:100%;height:auto}
pre,code{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
"""
KINDS = {"valid": "generated, schema-valid", "invalid": "generated, schema-invalid", "empty": "generated, no body",
         "foreign": "generated, another media type", "other": "generated, without our token",
         "probe": "hand-made probes"}
# Latency buckets, in milliseconds: the upper bound of each.
BUCKETS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, float("inf"))


def annotate(index: Path, summary: dict[str, Any], findings: list[tuple[str, str]],
             latencies: dict[str, list[float]], readings_table: str = "") -> None:
    """Add the section to the page at `index`, in front of its list of operations."""
    page = index.read_text(encoding="utf-8")
    rows = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
                   for name, value in summary_module.coverage(summary))
    restore = summary["restore"]["problem"] or "restored and verified"
    rows += f"<tr><th>restore</th><td>{html.escape(restore)}</td></tr>"
    legend = "".join(f"<li><code>{html.escape(term)}</code>: {html.escape(meaning)}</li>"
                     for term, meaning in LEGEND.items())
    failed = "".join(f"<h3>{html.escape(test)}</h3><pre>{html.escape(text)}</pre>" for test, text in findings)
    section = (f"<style>{_CSS}</style><section id='engage-contract'>"
               f"<h2>engage-contract: {html.escape(summary['verdict']['says'])}</h2>"
               f"<h3>Statuses by kind of request</h3>{heat_table(summary['statuses_by_kind'])}"
               f"<h3>How long answers took</h3>{latency_chart(latencies)}"
               f"<h3>Coverage, restore and seed</h3><table>{rows}</table><ul>{legend}</ul>"
               + (f"<h3>Readings: what the target chose where the page is silent</h3>{readings_table}"
                  if readings_table else "")
               + (f"<h2>Failures of the hand-made probes</h2>{failed}" if failed else "") + "</section>\n")
    anchor = page.find('<section class="ops"')
    if anchor < 0:
        anchor = page.rfind("</body>") if "</body>" in page else len(page)
    index.write_text(page[:anchor] + section + page[anchor:], encoding="utf-8")


def heat_table(by_kind: dict[str, dict[str, int]]) -> str:
    """Rows: kinds of request; columns: statuses; each cell shaded by its share of its row."""
    statuses = sorted({status for row in by_kind.values() for status in row})
    if not statuses:
        return "<p>no request got an answer</p>"
    head = "".join(f"<th>{html.escape(status)}</th>" for status in statuses)
    body = ""
    for kind, row in by_kind.items():
        total = sum(row.values()) or 1
        cells = ""
        for status in statuses:
            count = row.get(status, 0)
            shade = f"rgba({'200,60,60' if status.startswith('5') else '60,120,200'},{count / total:.2f})"
            cells += f"<td style='background:{shade}' title='{count} of {total}'>{count or ''}</td>"
        body += f"<tr><th>{html.escape(KINDS.get(kind, kind))}</th>{cells}</tr>"
    return f"<div style='overflow-x:auto'><table class='heat'><tr><th></th>{head}</tr>{body}</table></div>"


def latency_chart(latencies: dict[str, list[float]]) -> str:
    """One small histogram per kind of request (update, read, restore, token), as inline SVG."""
    charts = []
    for kind, values in latencies.items():
        if not values:
            continue
        counts = [0] * len(BUCKETS)
        for milliseconds in values:
            counts[next(i for i, bound in enumerate(BUCKETS) if milliseconds <= bound)] += 1
        most = max(counts)
        bars = ""
        for i, count in enumerate(counts):
            height = 72 * count / most  # room above the tallest bar for its count
            label = f"≤{BUCKETS[i]:g}" if BUCKETS[i] != float("inf") else f">{BUCKETS[i - 1]:g}"
            bars += (f"<rect x='{10 + i * 38}' y='{90 - height:.1f}' width='30' height='{height:.1f}' fill='#3c78c8'>"
                     f"<title>{label} ms: {count}</title></rect>"
                     f"<text x='{25 + i * 38}' y='104' font-size='9' text-anchor='middle' fill='currentColor'>{label}</text>"
                     f"<text x='{25 + i * 38}' y='{86 - height:.1f}' font-size='9' text-anchor='middle' fill='currentColor'>"
                     f"{count or ''}</text>")
        charts.append(f"<figure style='display:inline-block;margin:0 16px 8px 0'><figcaption>{html.escape(kind)}: "
                      f"{len(values)} answers (ms)</figcaption><svg viewBox='0 0 {20 + 38 * len(BUCKETS)} 110' "
                      f"width='{20 + 38 * len(BUCKETS)}' role='img'>{bars}</svg></figure>")
    return "".join(charts) or "<p>no answer was timed</p>"
