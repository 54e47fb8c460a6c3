"""Every private API of schemathesis, hypothesis, pytest, requests and urllib3 the suite relies on, behind one door.

Each is written for the versions pinned in pyproject.toml, and this module refuses to import under others:
a new pin means reading each use below against the new version's source, then changing WRITTEN_FOR with the pin.
Each use says in one line what the suite needs it for; everything else uses the packages' public APIs.
"""

# isort: skip_file (the private APIs are imported after the versions are checked)
from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

WRITTEN_FOR = {"schemathesis": "4.32.5", "hypothesis": "6.170.17", "pytest": "8.4.2", "requests": "2.34.2",
               "urllib3": "2.8.0"}


def _versions_written_for() -> None:
    installed = {name: metadata.version(name) for name in WRITTEN_FOR}
    wrong = [f"{name} {installed[name]} (written for {version})" for name, version in WRITTEN_FOR.items()
             if installed[name] != version]
    if wrong:
        raise ImportError(f"engage_contract.internals uses private APIs of {', '.join(wrong)}: check each use in "
                          "engage_contract/internals.py against the installed version, then update WRITTEN_FOR")


_versions_written_for()

# schemathesis: an operation's hypothesis test built exactly as its pytest plugin builds it, for a lane's worker.
from schemathesis.pytest._test_builder import build_operation_test  # noqa: E402
# schemathesis: the constants its generation draws on, fed to that test as its pytest plugin feeds them.
from schemathesis.python._constants.orchestrator import make_constants_value_source  # noqa: E402
# hypothesis: the digest a test's example-database entries are keyed by (one key, whichever lane found a failure).
from hypothesis.internal.reflection import function_digest  # noqa: E402
# schemathesis: the operation a parametrized test item stands for, and the feedback its builder takes.
from schemathesis.generation.feedback import FeedbackSources  # noqa: E402
from schemathesis.generation.hypothesis.builder import ApiOperationMark  # noqa: E402
# pytest: the JUnit writer, to add the run's own test cases and properties once the session is over (pytest's
# record_testsuite_property is a fixture: its values are fixed before the restore and the summary exist).
from _pytest.junitxml import xml_key  # noqa: E402

__all__ = ["build_operation_test", "make_constants_value_source", "function_digest", "FeedbackSources",
           "ApiOperationMark", "hypothesis_settings", "set_hypothesis_settings", "set_database_key",
           "hypothesis_seed", "explicit_examples", "set_explicit_examples", "failure_key", "CASE_META",
           "key_failures_by", "start_forkserver", "set_body", "junit_add_case", "junit_global_properties", "saved_descriptors", "terminal_output"]

# schemathesis keys (and de-duplicates) its failures by Failure._unique_key; ContractViolation
# (judging/checks/__init__.py) overrides it, so that one fault is one failure whatever the generated values.
FAILURE_KEY = "_unique_key"
# schemathesis: the keyword APIOperation.Case takes a case's generation metadata by, to make a case again.
CASE_META = "_meta"


def hypothesis_settings(test: Any) -> Any:
    """The settings @settings gave a test (a lane takes its share of max_examples from them)."""
    return getattr(test, "_hypothesis_internal_use_settings")


def set_hypothesis_settings(test: Any, settings: Any) -> None:
    """Settings for a test already decorated (schemathesis' builder applied the run's)."""
    setattr(test, "_hypothesis_internal_use_settings", settings)


def set_database_key(test: Any, key: bytes) -> None:
    """The key the test's examples are stored under in the example database."""
    test._hypothesis_internal_database_key = key


def hypothesis_seed(test: Any) -> int | None:
    """The seed @seed gave a test, if any (each lane's is the run's plus its number)."""
    return getattr(test, "_hypothesis_internal_use_seed", None)


def explicit_examples(test: Any) -> list[Any]:
    """The examples @example gave a test (schemathesis' schema examples and coverage cases)."""
    return list(getattr(test, "hypothesis_explicit_examples", []))


def set_explicit_examples(test: Any, examples: list[Any]) -> None:
    """A lane keeps its share of those examples."""
    test.hypothesis_explicit_examples = examples


def failure_key(failure: Any) -> str | None:
    """What schemathesis tells one failure from another by, or None for an exception that is no failure of its."""
    return getattr(failure, FAILURE_KEY, None)


def key_failures_by(failure_class: type, key: Callable[[Any], str]) -> None:
    """schemathesis tells the failures of `failure_class` apart by `key` (and de-duplicates them by it)."""
    setattr(failure_class, FAILURE_KEY, property(key))


def set_body(response: Any, content: bytes) -> None:
    """requests: a streamed response's body, read by the suite itself (within its deadline), as if requests had."""
    response._content = content
    response._content_consumed = True


def start_forkserver() -> None:
    """multiprocessing: its forkserver started now, importing what it preloads while the run does other work,
    rather than when the first process is asked of it."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _junit_writer(config: Any) -> Any:
    return config.stash.get(xml_key, None)


def junit_add_case(config: Any, report: Any) -> None:
    """A test case of the run's own (a failed restore, a known deviation) in the JUnit report, if one is written."""
    writer = _junit_writer(config)
    if writer is not None:
        writer.pytest_runtest_logreport(report)


def junit_global_properties(config: Any, properties: list[tuple[str, str]], dropping: str) -> None:
    """The report's global properties: those whose name starts with `dropping` out, `properties` in."""
    writer = _junit_writer(config)
    if writer is None:
        return
    writer.global_properties[:] = [(name, value) for name, value in writer.global_properties
                                   if not name.startswith(dropping)]
    for name, value in properties:
        writer.add_global_property(name, value)


def terminal_output(config: Any) -> tuple[Callable[[str], None], Callable[[], int], Callable[[], int]]:
    """To write on pytest's terminal past its capture (the progress line): a writer, and the column pytest's
    terminal writer is at and its width, which it keeps as its own."""
    capture = config.pluginmanager.getplugin("capturemanager")
    writer = config.get_terminal_writer()
    out = sys.__stdout__

    def write(text: str) -> None:
        if text and out is not None:
            with capture.global_and_fixture_disabled():
                out.write(text)
                out.flush()

    return write, lambda: writer.width_of_current_line, lambda: writer.fullwidth


def saved_descriptors(config: Any) -> list[tuple[int, int]]:
    """(1 or 2, the descriptor pytest's fd capture saved it as, and writes captured output to after each test)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    multi = getattr(capture, "_global_capturing", None)
    found = []
    for fd, saved in ((1, getattr(multi, "out", None)), (2, getattr(multi, "err", None))):
        if isinstance(getattr(saved, "targetfd_save", None), int):
            found.append((fd, saved.targetfd_save))
    return found
