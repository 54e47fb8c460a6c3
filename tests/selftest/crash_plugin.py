"""A pytest plugin that breaks one test the way a bug in the suite would: for the self-test that the suite's own
failure is no verdict on the API (tests/selftest/test_report.py)."""

from __future__ import annotations


def pytest_runtest_call(item) -> None:
    if item.name == "test_example_request_accepted":
        raise RuntimeError("a bug in the suite")
