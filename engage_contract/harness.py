"""Run the contract suite, as a user runs it, against a reference server with one fault switched on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from engage_contract import checks, reference

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "selftest-token"
CUSTOMER_ID = "1001"
KNOWN_CHECKS = [check.__name__ for check in checks.ALL] + [checks.ANSWERS_IN_TIME]


@dataclass
class Outcome:
    variant: str
    exit_code: int
    failed_checks: set[str]
    requests: int
    seconds: float
    output: str


def run_suite(faults: list[str], *, profile: str = "ci", stop_at_first_failure: bool = True,
              extra_env: dict[str, str] | None = None) -> Outcome:
    server = reference.start(token=TOKEN, faults=faults)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            junit = Path(workdir) / "junit.xml"
            env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
            env.update(ENGAGE_BASE_URL=server.base_url, ENGAGE_TOKEN=TOKEN, ENGAGE_CUSTOMER_ID=CUSTOMER_ID,
                       ENGAGE_PROFILE=profile, ENGAGE_TIMEOUT="2", ENGAGE_SEED="1", **(extra_env or {}))
            command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract"), "-q", "-p", "no:cacheprovider",
                       f"--rootdir={ROOT}", f"--junitxml={junit}", "-o", "junit_logging=no"]
            if stop_at_first_failure:
                command.append("-x")
            # A working directory of its own keeps the variant's failures out of the project's example database.
            done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
            failures = _failure_texts(junit)
    finally:
        server.shutdown()
        server.server_close()
    output = done.stdout + done.stderr
    found = {name for name in KNOWN_CHECKS for text in failures if re.search(rf"\b{name}\b", text)}
    requests = re.search(r"requests: (\d+)", output)
    return Outcome(",".join(faults) or "correct", done.returncode, found,
                   int(requests.group(1)) if requests else -1, time.monotonic() - started, output)


def _failure_texts(junit: Path) -> list[str]:
    if not junit.exists():
        return []
    texts = []
    for element in ET.parse(junit).iter():
        if element.tag in ("failure", "error"):
            texts.append((element.get("message") or "") + "\n" + (element.text or ""))
    return texts
