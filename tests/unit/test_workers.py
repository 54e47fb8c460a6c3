"""A lane's hypothesis test in a process of its own: cases cross the pipe whole, a failure is shrunk there and
raised here as the judge raised it, and a stop ends it."""

from __future__ import annotations

import pickle
import unittest
from pathlib import Path
from types import SimpleNamespace

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.core import NOT_SET

from engage_contract.running.workers import Worker, unwire, wire

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "customers.openapi.yaml"


@pytest.fixture(scope="module")
def operation():
    schema = schemathesis.openapi.from_path(str(SCHEMA))
    schema.config.update(base_url="http://127.0.0.1:9")
    return schema["/customers/{id}"]["PATCH"]


@pytest.mark.parametrize("body", [NOT_SET, b"\x00", {"firstName": "Ada"}, None], ids=["no-body", "bytes", "json", "null"])
def test_a_case_crosses_the_pipe_whole(operation, body) -> None:
    case = operation.Case(path_parameters={"id": "1001"}, headers={"Accept-Language": "nl"}, body=body,
                          media_type="application/json")
    again = unwire(operation, pickle.loads(pickle.dumps(wire(case))))
    assert again.body is NOT_SET if body is NOT_SET else again.body == body
    assert (again.method, again.path_parameters, dict(again.headers), again.media_type) == \
        (case.method, case.path_parameters, dict(case.headers), case.media_type)


def _numbers(recipe, ask):
    @hypothesis.settings(max_examples=100, database=None, verbosity=hypothesis.Verbosity.quiet, derandomize=True)
    @hypothesis.given(number=st.integers(0, 10_000))
    def test(number, judge):
        ask(SimpleNamespace(method="PATCH", path_parameters={"id": str(number)}, headers=None, cookies={}, query={},
                            body=NOT_SET, media_type=None, multipart_content_types=None, meta=None))
    return test


def _start(build) -> Worker:
    worker = Worker(build)
    worker.start()
    return worker


def test_a_failure_is_shrunk_there_and_raised_here_as_judged() -> None:
    judged = []

    def judge(message) -> None:
        number = int(message["path_parameters"]["id"])
        if number >= 10:
            raise AssertionError(f"{number} is too big")

    with pytest.raises(AssertionError, match="^10 is too big$"):
        _start(_numbers).serve(judge, stopping=lambda: False, judged=judged.append)
    assert judged and all(isinstance(error, AssertionError) for error in judged)


def test_a_stop_ends_the_test_with_a_skip() -> None:
    def judge(message) -> None:
        raise unittest.SkipTest("the run was stopped (SIGTERM)")

    with pytest.raises(unittest.SkipTest, match="SIGTERM"):
        _start(_numbers).serve(judge, stopping=lambda: True, judged=lambda error: None)


def test_a_passing_test_ends_quietly() -> None:
    sent = []
    _start(_numbers).serve(sent.append, stopping=lambda: False, judged=lambda error: None)
    assert len(sent) == 100


def test_two_kinds_of_failure_are_shrunk_apart_and_both_raised() -> None:
    def judge(message) -> None:
        number = int(message["path_parameters"]["id"])
        if number >= 10:
            raise (AssertionError if number % 2 == 0 else ValueError)(f"{number} is too big")

    with pytest.raises(BaseExceptionGroup) as raised:
        _start(_numbers).serve(judge, stopping=lambda: False, judged=lambda error: None)
    assert sorted(str(error) for error in raised.value.exceptions) == ["10 is too big", "11 is too big"]


def test_a_process_that_dies_leaves_what_was_found() -> None:
    worker = Worker(_numbers)
    worker.start()
    seen = []

    def judge(message) -> None:
        seen.append(message)
        if len(seen) > 1:
            worker.kill()
        raise AssertionError("found before it died")

    with pytest.raises(BaseExceptionGroup, match="ended before its test did") as raised:
        worker.serve(judge, stopping=lambda: False, judged=lambda error: None)
    assert [str(error) for error in raised.value.exceptions] == ["found before it died"]
