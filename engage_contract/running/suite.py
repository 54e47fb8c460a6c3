"""The run the contract suite belongs to, started before pytest collects it (the plugin), and the
schemathesis schema pointed at its target. Loaded eagerly, the schema gives one plain test item per
operation: no subtests, so a failure is reported once, JUnit counts what was collected, and
schemathesis' own report writers attach to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from engage_contract import contract as contract_module
from engage_contract.config import elsewhere_url
from engage_contract.contract import Contract
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


OPERATION, METHOD = "/customers/{id}", "PATCH"  # the operation the cases are generated for
_generating: Contract | None = None  # in a lane's worker process: the contract its schema was made from


@dataclass(frozen=True)
class Generation:
    """What schemathesis generates the cases from, as plain data (a lane's worker makes the schema again from
    it): schema/, the target's base URL and customer, the profile's phases and budget, the seed."""

    contract_path: str
    base_url: str
    customer_id: str
    phases: tuple[str, ...]
    max_examples: int
    negative: bool
    seed: int | None

    @classmethod
    def of(cls, run: ContractRun) -> Generation:
        profile = run.target.profile
        return cls(str(run.contract.path), run.client.base_url, run.customer_id, tuple(profile.phases),
                   profile.max_examples, profile.negative, run.target.seed)

    def schema(self) -> OpenApiSchema:
        global _generating
        _generating = contract_module.load(self.contract_path)
        schema = schemathesis.openapi.from_path(self.contract_path)
        schema.config.update(base_url=self.base_url, parameters={"id": self.customer_id})
        schema.config.phases.update(phases=list(self.phases))
        # Other methods against a shared customer are not the contract of this operation, and not safe.
        schema.config.phases.coverage.unexpected_methods = set()
        schema.config.generation.update(max_examples=self.max_examples,
                                        modes=["positive", "negative"] if self.negative else ["positive"])
        schema.config.seed = self.seed
        return schema


def generated_for() -> Contract:
    """The contract the cases of this process are generated from (schemathesis' hooks ask): the run's, or in a
    lane's worker process the one its schema was made from."""
    if _current is not None:
        return _current.contract
    return _generating if _generating is not None else contract_module.load()


def api_schema(run: ContractRun) -> OpenApiSchema:
    """schema/ as schemathesis generates from it, for this run's target, customer, profile and seed."""
    schema = Generation.of(run).schema()
    profile = run.target.profile
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
