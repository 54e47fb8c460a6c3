"""Readings across runs: a run writes what the target chose at the page's silences; a later run against a
server that chooses otherwise reports exactly the readings that changed, as a warning, or (strict) as a
failure of its own."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from engage_contract import reference
from engage_contract.reporting.readings import SCHEMA
from tests.harness import READONLY_TOKEN, TOKEN, Outcome, run_suite

# The legal variant the second run meets: 422 instead of 400 for a schema-invalid body, and nothing else.
OTHER = "legal-422-for-invalid"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Every run meets its server at one address: a readings file is of one target.
PORT = _free_port()


@contextlib.contextmanager
def _server(faults: list[str]) -> Iterator[reference.ReferenceServer]:
    server = reference.start(token=TOKEN, readonly_token=READONLY_TOKEN, faults=faults, port=PORT)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _run(faults: list[str], readings: Path, **env: str) -> Outcome:
    with _server(faults) as server:
        return run_suite(profile="smoke", stop_at_first_failure=False, server=server,
                         env={"ENGAGE_READINGS": str(readings), **env})


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readings") / "readings.json"
    outcome = _run([], path, ENGAGE_READINGS_UPDATE="1")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert f"wrote this run's readings into {path}" in outcome.output
    return path


def _compared(earlier: Path, faults: list[str], **env: str) -> Outcome:
    return _run(faults, earlier, **env)


def test_a_written_readings_file_is_valid_and_says_what_was_read(earlier: Path) -> None:
    document = json.loads(earlier.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert document["readings"]["invalid-body"]["reading"] == "400"


def test_the_same_server_changes_nothing_whatever_the_seed(earlier: Path) -> None:
    outcome = _compared(earlier, [], ENGAGE_SEED="2")
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
    parts = f"invalid-body: {len(changed)} parts" if len(changed) > 1 else "invalid-body"
    assert f"1 reading changed ({parts}) since {earlier}:" in outcome.output
    assert f"invalid-body ({changed[0]['part']}): 400 -> 422 (PATCH " in outcome.output
    assert f"1 reading changed ({parts}) since" in outcome.summary["verdict"]["says"]
    assert json.loads(earlier.read_text())["readings"]["invalid-body"]["reading"] == "400", "compared, not updated"


def test_strict_makes_a_change_fail_the_run_as_a_case_of_its_own(earlier: Path) -> None:
    outcome = _compared(earlier, [OTHER], ENGAGE_READINGS_STRICT="1")
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.failed_tests == ["readings unchanged"], outcome.failed_tests
    assert outcome.summary["verdict"]["outcome"] == "readings-changed"
    assert outcome.summary["verdict"]["says"].startswith("the contract holds, but ")
    assert outcome.summary["verdict"]["says"].endswith("(ENGAGE_READINGS_STRICT=1)")


def test_a_change_in_a_run_that_could_not_judge_is_no_verdict_on_the_contract(earlier: Path) -> None:
    # 429 bursts longer than the retries leave cases without a verdict, and none may be (ENGAGE_MAX_INCONCLUSIVE=0):
    # the changed reading is reported, but the run says it could not judge (75), never that the contract holds.
    outcome = _compared(earlier, [OTHER, "legal-rate-limit"], ENGAGE_READINGS_STRICT="1", ENGAGE_MAX_INCONCLUSIVE="0")
    assert outcome.exit_code == 75, outcome.output[-3000:]
    assert "readings unchanged" in outcome.failed_tests and outcome.summary["readings"]["changed"]
    assert outcome.summary["verdict"]["outcome"] == "could-not-judge"


def test_strict_writes_no_change_into_the_file(earlier: Path) -> None:
    # Else the failing run would write the new readings, and running it again would pass.
    outcome = _compared(earlier, [OTHER], ENGAGE_READINGS_STRICT="1", ENGAGE_READINGS_UPDATE="1")
    assert outcome.exit_code == 1 and "is left as it was" in outcome.output, outcome.output[-3000:]
    assert json.loads(earlier.read_text())["readings"]["invalid-body"]["reading"] == "400"


def test_strict_against_a_file_that_does_not_exist_is_a_mistake(tmp_path: Path) -> None:
    # A mistyped path would be a gate that compares nothing and passes.
    outcome = _run([], tmp_path / "mistyped.json", ENGAGE_READINGS_STRICT="1")
    assert outcome.exit_code == 64 and "does not exist: ENGAGE_READINGS_STRICT=1 needs" in outcome.output, \
        outcome.output[-2000:]


def test_an_update_refuses_another_targets_file(earlier: Path, tmp_path: Path) -> None:
    other = tmp_path / "readings.json"
    document = json.loads(earlier.read_text())
    other.write_text(json.dumps({**document, "target": "https://api.example.test/enterprises/acme"}))
    outcome = _compared(other, [], ENGAGE_READINGS_UPDATE="1")
    assert outcome.exit_code == 64 and "holds the readings of another target" in outcome.output, outcome.output[-2000:]
