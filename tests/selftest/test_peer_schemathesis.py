"""A peer's look: schemathesis' own command line, every check of its own, finds nothing in the reference server
(ci/schemathesis-peer.toml says what the page says and st cannot know), and it does find the fault of a faulty one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engage_contract import reference
from tests.harness import CUSTOMER_ID, ROOT, TOKEN

ST = Path(sys.executable).with_name("st")


def _st_run(faults: list[str], seed: int) -> subprocess.CompletedProcess[str]:
    server = reference.start(token=TOKEN, faults=faults, customer_ids=(CUSTOMER_ID,))
    try:
        # st keeps what it found under .schemathesis/ of its working directory: one of the test's own.
        with tempfile.TemporaryDirectory() as workdir:
            env = {**os.environ, "ENGAGE_TOKEN": TOKEN, "ENGAGE_CUSTOMER_ID": CUSTOMER_ID, "NO_COLOR": "1"}
            return subprocess.run(
                [str(ST), "--config-file", str(ROOT / "ci" / "schemathesis-peer.toml"), "run",
                 str(ROOT / "schema" / "customers.openapi.yaml"), "--url", server.base_url, "--checks", "all",
                 "--seed", str(seed)],
                cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("seed", [1, 2])
def test_st_run_checks_all_finds_nothing_in_the_reference_server(seed: int) -> None:
    done = _st_run([], seed)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "Tested: 2" in done.stdout, done.stdout[-2000:]


def test_st_run_checks_all_fails_a_faulty_server() -> None:
    # The same command is no rubber stamp: a 200 body outside its schema is schemathesis' own finding.
    done = _st_run(["extra-property"], 1)
    assert done.returncode == 1 and "Response violates schema" in done.stdout, done.stdout[-3000:]
