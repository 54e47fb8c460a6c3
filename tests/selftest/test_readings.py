"""Readings across runs: a run writes what the target chose at the page's silences; a later run against a
server that chooses otherwise reports exactly the readings that changed, as a warning, or (strict) as a
failure of its own."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.harness import Outcome, run_suite
from engage_contract.reporting.readings import SCHEMA

# The legal variant the second run meets: 422 instead of 400 for a schema-invalid body, and nothing else.
OTHER = "legal-422-for-invalid"


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readings") / "readings.json"
    outcome = run_suite(profile="smoke", env={"ENGAGE_READINGS": str(path), "ENGAGE_READINGS_UPDATE": "1"})
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert f"wrote this run's readings into {path}" in outcome.output
    return path


def _compared(earlier: Path, faults: list[str], **env: str) -> Outcome:
    return run_suite(faults, profile="smoke", stop_at_first_failure=False,
                     env={"ENGAGE_READINGS": str(earlier), **env})


def test_a_written_readings_file_is_valid_and_says_what_was_read(earlier: Path) -> None:
    document = json.loads(earlier.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert document["readings"]["invalid-body"]["reading"] == "400"


def test_the_same_server_changes_nothing(earlier: Path) -> None:
    outcome = _compared(earlier, [])
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert f"nothing changed since {earlier}" in outcome.output
    assert outcome.summary["readings"]["changed"] == []


def test_another_legal_server_is_a_warning_naming_exactly_what_changed(earlier: Path) -> None:
    outcome = _compared(earlier, [OTHER])
    assert outcome.exit_code == 0, outcome.output[-3000:]
    changed = outcome.summary["readings"]["changed"]
    # invalid-body is read part by part (the constraint a body breaks): each part the first run reached changed.
    assert {change["name"] for change in changed} == {"invalid-body"}, changed
    assert {change["part"] for change in changed} == set(json.loads(earlier.read_text())["readings"]["invalid-body"]["parts"])
    assert all((change["before"], change["after"]) == ("400", "422") for change in changed), changed
    assert all(change["example"]["status"] == 422 and change["example"]["correlation_id"] for change in changed)
    assert f"{len(changed)} changed since {earlier}:" in outcome.output
    assert f"invalid-body ({changed[0]['part']}): 400 -> 422 (PATCH " in outcome.output
    assert f"{len(changed)} reading{'s' if len(changed) > 1 else ''} changed since" in outcome.summary["verdict"]["says"]
    assert json.loads(earlier.read_text())["readings"]["invalid-body"]["reading"] == "400", "compared, not updated"


def test_strict_makes_a_change_fail_the_run_as_a_case_of_its_own(earlier: Path) -> None:
    outcome = _compared(earlier, [OTHER], ENGAGE_READINGS_STRICT="1")
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.failed_tests == ["readings unchanged"], outcome.failed_tests
    assert outcome.summary["verdict"]["outcome"] == "readings-changed"
    assert outcome.summary["verdict"]["says"].startswith("the contract holds, but ")
    assert outcome.summary["verdict"]["says"].endswith("(ENGAGE_READINGS_STRICT=1)")
