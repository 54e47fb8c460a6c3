"""Known deviations: a baseline that names a fault lets the run pass and says so; an expired entry fails
the run; an entry not met is listed as possibly fixed; a baseline of another fault does not hide a real one."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.harness import run_suite


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """The drop-field variant's failure, written into a baseline by ENGAGE_BASELINE_UPDATE=1."""
    path = tmp_path_factory.mktemp("baseline") / "known.json"
    outcome = run_suite(["drop-field"], env={"ENGAGE_BASELINE": str(path), "ENGAGE_BASELINE_UPDATE": "1"})
    assert outcome.exit_code == 1, "a failure not yet in the baseline fails the run that records it"
    assert "not_seen_fixed:" not in outcome.output, "what a run records is not listed as unseen"
    entries = json.loads(path.read_text())["entries"]
    assert [entry["check"] for entry in entries] == ["sent_values_stored"], entries
    return path


def _with(recorded: Path, tmp_path: Path, **changes) -> Path:
    document = json.loads(recorded.read_text())
    document["entries"] = [{**entry, **changes} for entry in document["entries"]]
    path = tmp_path / "known.json"
    path.write_text(json.dumps(document))
    return path


def test_a_known_deviation_passes_and_says_so(recorded: Path, tmp_path: Path) -> None:
    path = _with(recorded, tmp_path, reason="ticket ENG-1234", expires="2999-12-31")
    step_summary = tmp_path / "step-summary.md"
    outcome = run_suite(["drop-field"], env={"ENGAGE_BASELINE": str(path), "GITHUB_STEP_SUMMARY": str(step_summary)})
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert '"signature": "sent_values_stored|company", "reason": "ticket ENG-1234' in outcome.output
    assert outcome.output.rstrip().splitlines()[-1].startswith(
        "engage-contract: the contract holds, but for 1 known deviation at ")
    markdown = step_summary.read_text()
    assert "**Known deviations" in markdown and "`sent_values_stored|company`" in markdown, markdown
    assert "ticket ENG-1234" in markdown
    assert re.search(r'name="known deviation \w+: sent_values_stored"[^>]*>\s*<skipped [^>]*ticket ENG-1234',
                     outcome.junit), "JUnit does not show the known deviation as skipped, with its reason"
    assert "ticket ENG-1234" in outcome.report_html


def test_an_expired_entry_fails_the_run_and_one_not_met_is_listed(recorded: Path, tmp_path: Path) -> None:
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    document = json.loads(recorded.read_text())
    entry = document["entries"][0]
    document["entries"] = [{**entry, "expires": yesterday},
                           {**entry, "id": "", "signature": "sent_values_stored|lastName"}]
    path = tmp_path / "known.json"
    path.write_text(json.dumps(document))
    step_summary = tmp_path / "step-summary.md"
    outcome = run_suite([], env={"ENGAGE_BASELINE": str(path), "GITHUB_STEP_SUMMARY": str(step_summary)},
                        stop_at_first_failure=False)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert f"expired on {yesterday}" in outcome.output
    assert re.search(r'not_seen_fixed: \[\{"id": "[^"]*", "signature": "sent_values_stored\|lastName"\}\]', outcome.output)
    markdown = step_summary.read_text()
    assert "fixed?**" in markdown and "`sent_values_stored|lastName`" in markdown and "**Expired" in markdown


def test_a_baseline_of_another_fault_hides_nothing(recorded: Path) -> None:
    outcome = run_suite(["reset-unsent"], env={"ENGAGE_BASELINE": str(recorded)})
    assert outcome.exit_code == 1 and "unsent_fields_kept" in outcome.failed_checks, outcome.output[-3000:]
