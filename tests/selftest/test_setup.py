"""Set-up that repairs itself: a .venv that cannot run (its interpreter moved, a CI cache restored elsewhere)
is made again by ci/_venv.sh, not turned into a failure of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema

from engage_contract.reporting.summary import SCHEMA
from tests.harness import ROOT

PROJECT = """[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "venv-repair-probe"
version = "0"

[project.optional-dependencies]
test = []

[tool.setuptools]
py-modules = []
"""


def _source(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", "source ci/_venv.sh && python -c 'import sys; print(sys.prefix)'"],
                          cwd=project, capture_output=True, text=True, timeout=600,
                          env={key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"})


def test_a_venv_that_cannot_run_is_made_again(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    shutil.copy(ROOT / "ci" / "_venv.sh", tmp_path / "ci" / "_venv.sh")
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    first = _source(tmp_path)
    assert first.returncode == 0 and first.stdout.strip() == str(tmp_path / ".venv"), first.stderr[-2000:]
    python = tmp_path / ".venv" / "bin" / "python"
    python.unlink()
    python.symlink_to("/nonexistent/python3.11")  # the interpreter it was made with is gone
    again = _source(tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == str(tmp_path / ".venv"), again.stderr[-2000:]
    assert "installing into .venv" in again.stderr
    unchanged = _source(tmp_path)  # and one that runs is left alone
    assert unchanged.returncode == 0 and "installing" not in unchanged.stderr, unchanged.stderr[-2000:]


def test_a_run_that_stops_on_its_configuration_leaves_no_earlier_verdict(tmp_path: Path) -> None:
    from tests.harness import run_suite

    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("contract-summary.json", "readings.json"):
        (reports / name).write_text('{"verdict": {"outcome": "holds"}}')
    outcome = run_suite(env={"ENGAGE_PROFILE": "smok"}, workdir=tmp_path)
    assert outcome.exit_code == 64, outcome.output[-2000:]
    assert not (reports / "readings.json").exists()
    # The summary says what stopped it, and validates against its schema.
    summary = json.loads((reports / "contract-summary.json").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(summary)
    assert summary["verdict"]["outcome"] == "did-not-start" and summary["verdict"]["exit_code"] == 64, summary
    assert "ENGAGE_PROFILE" in summary["verdict"]["says"]
    # The JUnit a CI job publishes whatever happened: one error case, saying why.
    assert outcome.failed_tests == ["the run started"] and "ENGAGE_PROFILE" in outcome.junit, outcome.junit


def test_unwritable_reports_are_one_line_and_exit_73(tmp_path: Path) -> None:
    from tests.harness import run_suite

    (tmp_path / "reports").write_text("a file where the reports' folder should be")
    outcome = run_suite(workdir=tmp_path)
    assert outcome.exit_code == 73, outcome.output[-2000:]
    assert outcome.served == 0 and "Traceback" not in outcome.output
    assert "the reports cannot be written" in outcome.output.strip().splitlines()[-1]
