"""What people read: a failure reads once, clause first, in the console and as the JUnit message; every run
leaves schemathesis' HTML page with the suite's checks, the failure and the coverage, as a browser shows it."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from pathlib import Path

import jsonschema
import pytest

from engage_contract.reporting.summary import SCHEMA
from tests.harness import ROOT, Outcome, run_suite

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
    assert failed.step_summary.startswith("## engage-contract: contract violated: 1 clause (sent_values_stored)")
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
    rendered = _chromium(page, "--dump-dom")
    for shown in ("sent_values_stored", "X-Correlation-Id", "never_reached", "Coverage, restore and seed",
                  "Authorization: [Filtered]", "Failed"):
        assert shown in rendered, f"the rendered page does not show {shown!r}"
    assert "Statuses by kind of request" in rendered and "<svg" in rendered and "How long answers took" in rendered
    screenshot = Path("reports") / "selftest-failed-run.png"  # for a person to look at
    screenshot.parent.mkdir(exist_ok=True)
    _chromium(page, "--window-size=1400,2400", f"--screenshot={screenshot.resolve()}")


def _chromium(page: Path, *flags: str) -> str:
    """What headless Chromium prints for the page (its DOM with --dump-dom, once its scripts ran); a machine
    without it skips the test, saying so."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium): the page was not rendered")
    quiet = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={page.parent / 'profile'}"]
    return subprocess.run([CHROMIUM, *quiet, *flags, page.as_uri()], capture_output=True, text=True,
                          timeout=120).stdout


# Run in the page once it has loaded: how far it is wider than the window, and what sticks out.
OVERFLOW_PROBE = """<script>addEventListener('load', () => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className + ':' + (e.textContent || '').slice(0, 40));
  document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth - width));
  document.body.setAttribute('data-wide', JSON.stringify(wide));
});</script>"""


def test_the_page_has_no_horizontal_scroll_bar(tmp_path: Path) -> None:
    # The failing case is an externalId of 255 characters without a break: wider than any window.
    outcome = run_suite(["reject-valid-boundary"], stop_at_first_failure=False)
    assert re.search(r"[^\s<>]{250}", outcome.report_html), "no long value on the page: the test proves nothing"
    page = tmp_path / "index.html"
    page.write_text(outcome.report_html.replace("</body>", OVERFLOW_PROBE + "</body>"))
    rendered = _chromium(page, "--window-size=1280,900", "--virtual-time-budget=10000", "--dump-dom")
    found = re.search(r'data-overflow="(-?\d+)"', rendered)
    assert found, "the page's overflow could not be measured"
    wide = re.search(r"data-wide=\"([^\"]*)\"", rendered)
    assert int(found.group(1)) <= 0, f"the page is {found.group(1)} px wider than the window: {wide and wide.group(1)}"


LAST_LINE = re.compile(r"engage-contract: (?P<says>.+) at (?P<where>http://\S+) \((?P<who>customers? [^)]+)\), "
                       r"(?P<requests>[\d,]+) requests, (?P<seconds>\d+) s; report (?P<report>\S+)")
RUNS = {  # a run's kind: (faults, how it is run, what its last line says first, its outcome, its exit code)
    "passing": ([], {"profile": "smoke"}, "the contract holds", "holds", 0),
    "failing": (["reject-norwegian"], {"profile": "smoke"}, "contract violated: 1 clause (valid_input_accepted)",
                "violated", 1),
    "interrupted": ([], {"profile": "ci", "stop_at_first_failure": False, "interrupt_after": 150,
                         "interrupt_with": signal.SIGTERM},
                    "interrupted by SIGTERM, customer 1001 restored", "interrupted", 2),
    "inconclusive": (["updates-refuse-the-token"], {"profile": "smoke", "stop_at_first_failure": False},
                     "could not judge (exit 75: ", "could-not-judge", 75),
}


@pytest.mark.parametrize("kind", list(RUNS))
def test_the_last_line_says_the_verdict_the_target_and_the_counts(kind: str, tmp_path: Path) -> None:
    faults, how, says, outcome_name, code = RUNS[kind]
    outcome = run_suite(faults, workdir=tmp_path, **how)
    assert outcome.exit_code == code, outcome.output[-3000:]
    last = outcome.output.rstrip().splitlines()[-1]
    found = LAST_LINE.fullmatch(last)
    assert found and found["says"].startswith(says), last
    assert found["who"] == "customer 1001" and int(found["requests"].replace(",", "")) == outcome.requests, last
    summary = json.loads((tmp_path / "reports" / "contract-summary.json").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()),
                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(summary)
    assert summary["verdict"] == {"outcome": outcome_name, "exit_code": code, "says": found["says"]}
    assert summary["requests"] == outcome.requests and summary["latency_ms"]["update"]["count"] > 0


def test_a_bug_in_the_suite_is_no_verdict_on_the_api() -> None:
    outcome = run_suite(profile="smoke", env={"PYTHONPATH": str(ROOT)},
                        pytest_args=("-p", "tests.selftest.crash_plugin"))
    assert outcome.exit_code == 3, outcome.output[-3000:]  # pytest's "internal error", not 1 ("violated")
    last = outcome.output.rstrip().splitlines()[-1]
    assert "the suite itself failed, no verdict on the API: test_example_request_accepted: RuntimeError: a bug" in last


def test_an_artefact_that_cannot_be_written_leaves_a_line_and_the_verdict(tmp_path: Path) -> None:
    outcome = run_suite(profile="smoke", env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no-such-folder" / "summary.md")})
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert "engage-contract: could not write the step summary" in outcome.output and "Traceback" not in outcome.output
    assert outcome.output.rstrip().splitlines()[-1].startswith("engage-contract: the contract holds at ")
