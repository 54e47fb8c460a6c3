"""No credential in a run's files or console, in any form a report may give it."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from engage_contract import scrub

SECRET = "canary-secret/+&<x>\"q"  # characters that every kind of escaping changes


def test_every_form_of_a_secret_is_replaced() -> None:
    scrubber = scrub.Scrubber(lambda: [SECRET])
    for form in scrub.forms(SECRET):
        assert scrubber.text(f"before {form} after") == f"before {scrub.MASK} after"
    assert len(scrub.forms(SECRET)) >= 5


def test_a_secret_cut_short_by_a_report_is_masked_too() -> None:
    token = "canary-long-token-" + "a" * 800  # as long as a signed token, not shaped like one
    scrubber = scrub.Scrubber(lambda: [token])
    assert scrubber.text(f'{{"echo": "Bearer {token[:300]}… (1,200 characters in all)') == \
        f'{{"echo": "Bearer {scrub.MASK}… (1,200 characters in all)'
    assert scrubber.text(token[:scrub.CUT_PREFIX - 1]) == token[:scrub.CUT_PREFIX - 1]  # too little to use


def test_tokens_issued_to_the_process_are_known_to_every_scrubber() -> None:
    scrub.remember("issued-during-start-up-0a1b2c")
    assert scrub.Scrubber(lambda: []).text("got issued-during-start-up-0a1b2c") == f"got {scrub.MASK}"


def test_a_short_secret_is_not_searched_for() -> None:
    assert scrub.Scrubber(lambda: ["abc"]).text("abcabc") == "abcabc"


def test_secrets_issued_later_are_scrubbed_too() -> None:
    issued: list[str] = []
    scrubber = scrub.Scrubber(lambda: issued)
    assert scrubber.text("token-issued-later") == "token-issued-later"
    issued.append("token-issued-later")
    assert scrubber.text("token-issued-later") == scrub.MASK


def test_files_are_scrubbed_in_place_har_bodies_in_base64_too(tmp_path: Path) -> None:
    (tmp_path / "curl").mkdir()
    (tmp_path / "curl" / "a.sh").write_text(f"curl -H 'Authorization: Bearer {SECRET}'")
    (tmp_path / "clean.txt").write_text("nothing here")
    body = base64.b64encode(f'{{"echo": "{SECRET}"}}'.encode()).decode()
    har = {"log": {"entries": [{"request": {}, "response": {"content": {"encoding": "base64", "text": body}}}]}}
    (tmp_path / "run.har").write_text(json.dumps(har))
    changed = scrub.Scrubber(lambda: [SECRET]).files(tmp_path)
    assert sorted(path.name for path in changed) == ["a.sh", "run.har"]
    assert SECRET not in (tmp_path / "curl" / "a.sh").read_text()
    text = json.loads((tmp_path / "run.har").read_text())["log"]["entries"][0]["response"]["content"]["text"]
    assert base64.b64decode(text).decode() == f'{{"echo": "{scrub.MASK}"}}'


CONSOLE = textwrap.dedent("""
    import os, sys, time
    from engage_contract import scrub
    secret = sys.argv[1]
    scrub.Console(scrub.Scrubber(lambda: [secret])).start()
    print("print", secret)
    sys.stderr.write(f"stderr {secret}\\n")
    os.write(1, f"fd {secret}\\n".encode())
    os.write(1, b"split " + secret[:5].encode()); sys.stdout.flush(); time.sleep(0.01)
    os.write(1, secret[5:].encode() + b"\\n")
    if os.fork() == 0:
        os.write(2, f"child {secret}\\n".encode())
        os._exit(0)
    os.wait()
    raise RuntimeError(f"a crash quoting {secret}")
""")


def test_the_console_shows_no_secret_whoever_writes_it() -> None:
    secret = "console-canary-0f9e8d7c"
    done = subprocess.run([sys.executable, "-c", CONSOLE, secret], capture_output=True, text=True, timeout=30)
    output = done.stdout + done.stderr
    assert secret not in output, output
    for said in ("print", "stderr", "fd", "split", "child", "RuntimeError: a crash quoting"):
        assert f"{said} {scrub.MASK}" in output, output
