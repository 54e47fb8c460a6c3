"""What people read: a failure reads once, clause first, in the console and as the JUnit message; every run
leaves schemathesis' HTML page with the suite's checks, the failure and the coverage, as a browser shows it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from engage_contract.harness import Outcome, run_suite

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def failed(tmp_path_factory) -> Outcome:
    summary = tmp_path_factory.mktemp("ci") / "step-summary.md"
    # The generated cases alone: the probes go ahead of them, and under -x the first failure would be a probe's,
    # which schemathesis' page does not list as a case of its own.
    outcome = run_suite(["drop-field"], env={"GITHUB_STEP_SUMMARY": str(summary)},
                        pytest_args=("-k", "test_update_customer and PATCH"))
    outcome.step_summary = summary.read_text() if summary.exists() else ""
    return outcome


def test_a_github_job_gets_a_summary(failed: Outcome) -> None:
    assert failed.step_summary.startswith("## engage-contract: the contract is violated")
    assert "| `sent_values_stored` |" in failed.step_summary and "ENGAGE_SEED=1" in failed.step_summary
    assert "restore: restored and verified" in failed.step_summary


def test_a_failure_reads_once_clause_first(failed: Outcome) -> None:
    assert failed.exit_code == 1
    messages = re.findall(r'<failure message="([^"]*)"', failed.junit)
    assert len(messages) == 1 and messages[0].startswith("sent_values_stored: Every field sent"), messages
    assert "company: expected null" in messages[0]
    # As many as ran, no subtest beside.
    assert int(re.search(r'tests="(\d+)"', failed.junit).group(1)) == len(re.findall(r"<testcase ", failed.junit))
    for where, text in (("console", failed.output), ("JUnit", failed.junit)):
        assert "Traceback" not in text and "ContractViolation(" not in text, f"a traceback or repr in the {where}"
    # Once as a block, its first line the check and its clause (the short summary may repeat them after
    # "FAILED ... - ", as wide as the terminal allows).
    assert len(re.findall(r"^sent_values_stored: Every field sent", failed.output, re.M)) == 1
    assert "1 failed" in failed.output
    assert '"Authorization: Bearer $ENGAGE_TOKEN"' in failed.output  # a curl line that can be pasted
    assert "hypothesis-statistics" not in failed.junit


def test_the_page_shows_the_failure_and_the_coverage(failed: Outcome, tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text(failed.report_html)
    assert failed.report_html, "the run left no HTML page"
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium): the page was not rendered")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    rendered = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                              timeout=120).stdout
    for shown in ("sent_values_stored", "X-Correlation-Id", "never_reached", "engage-contract: coverage",
                  "Authorization: [Filtered]", "Failed"):
        assert shown in rendered, f"the rendered page does not show {shown!r}"
    screenshot = Path("reports") / "selftest-failed-run.png"  # for a person to look at
    screenshot.parent.mkdir(exist_ok=True)
    subprocess.run([CHROMIUM, *flags, "--window-size=1400,2400", f"--screenshot={screenshot.resolve()}",
                    page.as_uri()], capture_output=True, timeout=120)
