"""Every private API of schemathesis, hypothesis and pytest the suite relies on, behind one door.

Each is written for the versions pinned in pyproject.toml, and this module refuses to import under others:
a new pin means reading each use below against the new version's source, then changing WRITTEN_FOR with the pin.
Each use says in one line what the suite needs it for; everything else uses the packages' public APIs.
"""

# isort: skip_file (the private APIs are imported after the versions are checked)
from __future__ import annotations

from importlib import metadata
from typing import Any

WRITTEN_FOR = {"schemathesis": "4.32.5", "hypothesis": "6.170.17", "pytest": "8.4.2"}


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
# pytest: the JUnit writer, to add the run's own test cases and properties once the session is over (pytest's
# record_testsuite_property is a fixture: its values are fixed before the restore and the summary exist).
from _pytest.junitxml import xml_key  # noqa: E402

__all__ = ["build_operation_test", "make_constants_value_source", "function_digest", "hypothesis_settings",
           "set_hypothesis_settings", "set_database_key", "hypothesis_seed", "explicit_examples",
           "set_explicit_examples", "own_arguments", "junit_writer", "saved_descriptors"]


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


def own_arguments(item: Any) -> tuple[str, ...]:
    """The arguments a test function itself takes, as pytest resolved them (a probe is called with just those)."""
    return tuple(item._fixtureinfo.argnames)


def junit_writer(config: Any) -> Any:
    """pytest's JUnit writer (LogXML) for --junitxml, or None."""
    return config.stash.get(xml_key, None)


def saved_descriptors(config: Any) -> list[tuple[int, int]]:
    """(1 or 2, the descriptor pytest's fd capture saved it as, and writes captured output to after each test)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    multi = getattr(capture, "_global_capturing", None)
    found = []
    for fd, saved in ((1, getattr(multi, "out", None)), (2, getattr(multi, "err", None))):
        if isinstance(getattr(saved, "targetfd_save", None), int):
            found.append((fd, saved.targetfd_save))
    return found
