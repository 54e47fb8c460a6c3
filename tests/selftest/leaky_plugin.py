"""A pytest plugin that writes the run's token to the console every way a library could: for the self-test
that the console is scrubbed whoever writes to it (tests/selftest/test_safety.py)."""

from __future__ import annotations

import os
import sys


def pytest_runtest_call(item) -> None:
    token = os.environ["ENGAGE_TOKEN"]
    print(f"leak-print {token}")  # captured, then shown by pytest or JUnit
    os.write(1, f"leak-fd {token}\n".encode())
    sys.__stderr__.write(f"leak-stderr {token}\n")


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line(f"leak-terminal {os.environ['ENGAGE_TOKEN']}")


def pytest_unconfigure() -> None:
    os.write(2, f"leak-exit {os.environ['ENGAGE_TOKEN']}\n".encode())
