"""The suite's own section on schemathesis' HTML page: what the library does not render (the coverage
summary with the statuses and codes never reached, the restore, the seed to repeat, and the failures of
the hand-made probes, which are not generated cases). The rest of the page is the library's."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

LEGEND = {
    "never_reached": "documented statuses and listed 422 codes that no request of this run met",
    "EC100": "the code schemathesis shows for a failure of one of this suite's checks (a broken clause)",
}
_STYLE = ("margin:16px 0;padding:16px;border:1px solid #555;border-radius:8px;font-family:monospace;"
          "white-space:normal")


def annotate(index: Path, summary: dict[str, Any], restore: str, findings: list[tuple[str, str]]) -> None:
    """Add the section to the page at `index`, in front of its list of operations."""
    page = index.read_text(encoding="utf-8")
    rows = "".join(f"<tr><th style='text-align:left;padding-right:16px'>{html.escape(str(name))}</th>"
                   f"<td>{html.escape(str(value))}</td></tr>" for name, value in summary.items())
    rows += f"<tr><th style='text-align:left'>restore</th><td>{html.escape(restore)}</td></tr>"
    legend = "".join(f"<li><code>{html.escape(term)}</code>: {html.escape(meaning)}</li>"
                     for term, meaning in LEGEND.items())
    failed = "".join(f"<h3>{html.escape(test)}</h3><pre style='white-space:pre-wrap'>{html.escape(text)}</pre>"
                     for test, text in findings)
    section = (f"<section id='engage-contract' style='{_STYLE}'><h2>engage-contract: coverage, restore and "
               f"probes</h2><table>{rows}</table><ul>{legend}</ul>"
               + (f"<h2>Failures of the hand-made probes</h2>{failed}" if failed else "") + "</section>\n")
    anchor = page.find('<section class="ops"')
    if anchor < 0:
        anchor = page.rfind("</body>") if "</body>" in page else len(page)
    index.write_text(page[:anchor] + section + page[anchor:], encoding="utf-8")
