"""pytest wiring: the target of the run, the test customer's snapshot and restore, and the summary."""

from __future__ import annotations

import signal

import hypothesis
import pytest
import schemathesis
from hypothesis.database import DirectoryBasedExampleDatabase

from engage_contract import config as config_module
from engage_contract import contract as contract_module
from engage_contract.config import ConfigError
from engage_contract.realistic import realistic_bodies
from engage_contract.run import Run

# Loaded even when CI=true (hypothesis' own ci profile has no database): a failure found once is tried
# first next time, in CI too, where .hypothesis/ is cached.
hypothesis.settings.register_profile(
    "engage-contract",
    deadline=None,
    derandomize=False,  # CI=true would make hypothesis' parent profile derandomised, which forbids a database
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    suppress_health_check=list(hypothesis.HealthCheck),
    print_blob=True,
)
hypothesis.settings.load_profile("engage-contract")

_RUN: Run | None = None
_SESSION: pytest.Session | None = None


@schemathesis.hook
def flatmap_body(context, body):
    """Fuzzed valid bodies get realistic time zones and places (the fuzzing phase only)."""
    return realistic_bodies(_RUN.contract if _RUN is not None else contract_module.load(), body)


def _start_run() -> Run:
    global _RUN
    if _RUN is None:
        try:
            _RUN = Run.start(config_module.from_environment())
        except ConfigError as exc:
            pytest.exit(f"engage-contract: {exc}", returncode=int(exc.exit_code))
        signal.signal(signal.SIGINT, _interrupted)
    return _RUN


def _interrupted(signum: int, frame) -> None:
    # schemathesis reports each operation as a subtest, and a subtest swallows KeyboardInterrupt: mark the
    # run so that every further case raises it again, and the session stops after the current test.
    _RUN.judge.interrupted = True
    if _SESSION is not None:
        _SESSION.shouldstop = "interrupted (Ctrl-C)"
    signal.default_int_handler(signum, frame)


@pytest.fixture(scope="session")
def run() -> Run:
    """The run: started at the first contract test, restored and closed at the end of the session."""
    return _start_run()


@pytest.fixture
def thorough(run: Run) -> None:
    """Skips a probe that the profile leaves out (smoke)."""
    if not run.target.profile.thorough:
        pytest.skip(f"not in the {run.target.profile.name} profile")


@pytest.fixture
def judge(run: Run):
    if run.judge.hung is not None:
        pytest.fail(f"answers_in_time: the target stopped answering earlier: {run.judge.hung}", pytrace=False)
    return run.judge


@pytest.fixture(scope="session")
def api_schema(run: Run):
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
    return schema


def pytest_sessionstart(session: pytest.Session) -> None:
    global _SESSION
    _SESSION = session


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not any("contract" in str(arg) for arg in config.args):
        return []
    run = _start_run()
    where = run.target.base_url or run.client.base_url + " (embedded reference server)"
    return [f"engage-contract: target {where}, customer {run.customer_id}, profile {run.target.profile.name}, "
            f"seed {run.target.seed} (repeat with ENGAGE_SEED={run.target.seed})"]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _RUN is None:
        return
    problem = _RUN.restore()
    if problem:
        session.config.stash[_RESTORE_PROBLEM] = problem
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    xml = session.config.stash.get(_junit_key(), None)
    if xml is not None:
        for name, value in _RUN.summary().items():
            xml.add_global_property(f"engage.{name}", str(value))
        if problem:
            xml.add_global_property("engage.restore", "FAILED")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _RUN is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("engage-contract coverage")
    for name, value in _RUN.summary().items():
        write(f"{name:>23}: {value}")
    problem = config.stash.get(_RESTORE_PROBLEM, None)
    if problem:
        terminalreporter.section("RESTORE FAILED", red=True, bold=True)
        write(problem, red=True, bold=True)
    else:
        write(f"{'restored':>23}: customer {_RUN.customer_id} has its original values again")
    _RUN.close()


_RESTORE_PROBLEM = pytest.StashKey[str]()


def _junit_key():
    from _pytest.junitxml import xml_key

    return xml_key
