"""The run the contract suite belongs to, started before pytest collects it (the plugin), and the
schemathesis schema pointed at its target. Loaded eagerly, the schema gives one plain test item per
operation: no subtests, so a failure is reported once, JUnit counts what was collected, and
schemathesis' own report writers attach to it."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from engage_contract.config import elsewhere_url
from engage_contract.running.contract_run import ContractRun

# schemathesis' own page (one self-contained index.html), and for release runs a HAR recording of every
# exchange of the generated cases; schemathesis masks Authorization in both.
REPORT_DIR = Path("reports/contract-report")
RECORDING = Path("reports/contract-recording.har")

_current: ContractRun | None = None


def begin(run: ContractRun) -> None:
    global _current
    _current = run


def started() -> ContractRun | None:
    """The run, or None before it starts (or when pytest runs no contract test)."""
    return _current


def current() -> ContractRun:
    if _current is None:
        raise RuntimeError("the contract tests run under ./ci/contract.sh (pytest tests/contract), which starts the run")
    return _current


def api_schema(run: ContractRun) -> OpenApiSchema:
    """schema/ as schemathesis generates from it, for this run's target, customer, profile and seed."""
    schema = schemathesis.openapi.from_path(str(run.contract.path))
    profile = run.target.profile
    schema.config.update(base_url=run.client.base_url, parameters={"id": run.customer_id})
    schema.config.phases.update(phases=list(profile.phases))
    # Other methods against a shared customer are not the contract of this operation, and not safe.
    schema.config.phases.coverage.unexpected_methods = set()
    schema.config.generation.update(
        max_examples=profile.max_examples,
        modes=["positive", "negative"] if profile.negative else ["positive"],
    )
    schema.config.seed = run.target.seed
    # The page lists the checks schemathesis knows and the configuration enables: the suite's, and only those.
    for check in run.judge.schemathesis_checks:
        schemathesis.check(check)
    schema.config.checks.update(included_check_names=[check.__name__ for check in run.judge.schemathesis_checks])
    record = profile.name == "release" or run.target.record
    RECORDING.parent.mkdir(parents=True, exist_ok=True)
    schema.config.reports.update(html_path=str(REPORT_DIR), har_path=str(RECORDING) if record else None)
    return schema


def probe_operation(run: ContractRun):
    """The operation the hand-made probes build their requests on, from a schema of its own: schemathesis'
    report of the generated cases records what goes through its schema's hooks, and the probes are no
    generated cases (the suite's section of the page lists their failures)."""
    schema = schemathesis.openapi.from_path(str(run.contract.path))
    schema.config.update(base_url=run.client.base_url)
    return schema["/customers/{id}"]["PATCH"]


def elsewhere_operation(run: ContractRun, enterprise: str, method: str = "GET"):
    """GET (or another method of) /customers/{id} under another enterprise than the target's, and that API's base
    URL (None, None: the target's base URL names no enterprise)."""
    base_url = elsewhere_url(run.client.base_url, enterprise)
    if base_url is None:
        return None, None
    schema = schemathesis.openapi.from_path(str(run.contract.path))
    schema.config.update(base_url=base_url)  # so that the curl line of a failure goes there too
    return schema["/customers/{id}"][method], base_url
