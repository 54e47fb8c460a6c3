"""The CI templates: valid for their platform, serialised by its own means, and set up to survive a cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

CI = Path(__file__).resolve().parents[2] / "ci"
TEMPLATES = {"github-actions.yml": "vendor.github-workflows", "gitlab-ci.yml": "vendor.gitlab-ci"}


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_the_template_is_valid_for_its_platform(name: str) -> None:
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", TEMPLATES[name],
                              str(CI / name)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_runs_are_serialised_by_the_platform_not_forced(name: str) -> None:
    text = (CI / name).read_text()
    assert "ENGAGE_FORCE" not in text  # the journal's guard stays on where runs overlap most
    template = yaml.safe_load(text)
    if name == "github-actions.yml":
        assert template["concurrency"] == {"group": "engage-contract", "cancel-in-progress": False}
    else:
        assert template[".engage-contract"]["resource_group"] == "engage-contract"


def test_github_keeps_the_journal_where_every_branch_finds_it() -> None:
    steps = yaml.safe_load((CI / "github-actions.yml").read_text())["jobs"]["contract"]["steps"]
    uploads = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")
               and step["with"]["name"] == "engage-contract-journal"]
    assert uploads and uploads[0]["if"] == "always()"
    assert not any(".engage-contract" in str(step.get("with", {}).get("path", "")) for step in steps
                   if "cache" in step.get("uses", "")), "a cache is seen by its own branch only"
    venv = next(step for step in steps if step.get("with", {}).get("path") == ".venv")
    assert "python-version" in venv["with"]["key"]


def test_gitlab_shares_the_journal_across_branches_and_runs_releases_by_hand() -> None:
    template = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    journal = next(cache for cache in template[".engage-contract"]["cache"] if ".engage-contract/" in cache["paths"])
    assert journal["unprotect"] is True and journal["when"] == "always" and isinstance(journal["key"], str)
    release = template["contract-release"]["rules"]
    assert all(rule.get("when") == "manual" and rule.get("allow_failure") is True and "if" in rule for rule in release)
