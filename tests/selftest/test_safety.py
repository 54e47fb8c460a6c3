"""Safe against a shared environment: the customer is restored, no credential leaks, bad input stops
the run at once with one sentence and its own exit code."""

from __future__ import annotations

import concurrent.futures
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from engage_contract import reference, scrub
from engage_contract.config import ExitCode
from engage_contract.contract import SCHEMA_PATH
from engage_contract.running import journal
from tests.harness import CUSTOMER_ID, READ_AS, READONLY_TOKEN, ROOT, TOKEN, run_suite

# Recognisable, and not shaped like a real token.
LEAK_CANARY = "canary-token-0f9e8d7c6b5a"


def test_customer_restored_after_a_passing_run() -> None:
    outcome = run_suite(profile="smoke")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert outcome.restored, outcome.output[-3000:]


def test_customer_restored_after_a_failing_run() -> None:
    outcome = run_suite(["reject-norwegian"], profile="ci")
    assert outcome.exit_code == 1
    assert outcome.restored, outcome.output[-3000:]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_customer_restored_after_a_stopped_run(stop: signal.Signals) -> None:
    # Ctrl-C, a CI cancel (SIGTERM), a closed terminal or runner going away (SIGHUP): each stops as Ctrl-C does.
    outcome = run_suite(profile="ci", stop_at_first_failure=False, interrupt_after=150, interrupt_with=stop)
    assert outcome.exit_code == 2, outcome.output[-3000:]  # pytest's "interrupted"
    assert outcome.restored, outcome.output[-3000:]
    assert f"restoring customer {CUSTOMER_ID}" in outcome.output and "RESTORE FAILED" not in outcome.output
    assert outcome.output.strip().splitlines()[-1].startswith(
        f"engage-contract: interrupted by {stop.name}, customer {CUSTOMER_ID} restored at ")
    assert "Traceback" not in outcome.output and "KeyboardInterrupt" not in outcome.output, outcome.output[-3000:]
    assert f'name="engage.interrupted_by" value="{stop.name}"' in outcome.junit
    assert '"original"' not in outcome.example_database, "the journal was not removed after the restore"


def test_a_killed_run_is_undone_by_the_next(tmp_path: Path) -> None:
    # SIGKILL cannot be caught: the journal is what the next run restores from, before anything else.
    server = reference.start(token=TOKEN, customer_ids=(CUSTOMER_ID,))
    try:
        killed = run_suite(profile="ci", stop_at_first_failure=False, interrupt_after=100,
                           interrupt_with=signal.SIGKILL, server=server, workdir=tmp_path)
        assert killed.exit_code == -signal.SIGKILL
        assert list((tmp_path / ".engage-contract" / "journal").glob("*.json")), "the killed run left no journal"
        assert not killed.restored, "the killed run changed nothing: the test proves nothing"
        second = run_suite(profile="smoke", server=server, workdir=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert second.exit_code == 0, second.output[-3000:]
    assert f"restored customer {CUSTOMER_ID} from the journal of an earlier run" in second.output
    assert _same(killed.customer_before, second.customer_after), "the customer is not as before the killed run"
    assert not list((tmp_path / ".engage-contract" / "journal").glob("*.json"))


def _same(left: dict, right: dict) -> bool:
    from engage_contract.judging.customer import stable_view

    return stable_view(left) == stable_view(right)


def _journal_of(tmp_path: Path, server, **changes) -> Path:
    path = journal.path_for(tmp_path / ".engage-contract" / "journal", server.base_url, CUSTOMER_ID)
    journal.claim(path, server.base_url, CUSTOMER_ID, server.store.represent(server.store.get(CUSTOMER_ID), None))
    content = json.loads(path.read_text())
    content.update(changes)
    path.write_text(json.dumps(content))
    return path


def test_a_live_run_on_the_same_customer_is_not_disturbed(tmp_path: Path) -> None:
    server = reference.start(token=TOKEN, customer_ids=(CUSTOMER_ID,))
    try:
        _journal_of(tmp_path, server, pid=os.getpid())  # this process: alive, on this machine, just now
        refused = run_suite(profile="smoke", server=server, workdir=tmp_path)
        forced = run_suite(profile="smoke", server=server, workdir=tmp_path, env={"ENGAGE_FORCE": "1"})
    finally:
        server.shutdown()
        server.server_close()
    assert refused.exit_code == ExitCode.RUN_IN_PROGRESS and refused.served == 0, refused.output[-2000:]
    assert "another run" in refused.output and "ENGAGE_FORCE=1" in refused.output
    assert forced.exit_code == 0, forced.output[-2000:]


def test_of_two_runs_started_at_once_on_one_customer_exactly_one_goes_ahead(tmp_path: Path) -> None:
    # One working directory (one journal folder), one server, one customer, the same instant; the first reads are
    # slow, so that both runs are past looking for a journal before either claims the customer: the claim decides.
    server = reference.start(token=TOKEN, customer_ids=(CUSTOMER_ID,), first_reads_delay=2.0)
    start = threading.Barrier(2)

    def one_run(_: int):
        start.wait()
        return run_suite(profile="smoke", server=server, workdir=tmp_path)

    before = server.store.represent(server.store.get(CUSTOMER_ID), None)
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(one_run, range(2)))
        after = server.store.represent(server.store.get(CUSTOMER_ID), None)
    finally:
        server.shutdown()
        server.server_close()
    codes = sorted(outcome.exit_code for outcome in outcomes)
    assert codes == [0, ExitCode.RUN_IN_PROGRESS], [outcome.output[-1500:] for outcome in outcomes]
    refused = next(outcome for outcome in outcomes if outcome.exit_code == ExitCode.RUN_IN_PROGRESS)
    assert "claimed customer 1001 a moment before this one" in refused.output and refused.requests == -1
    assert _same(before, after)
    assert not list((tmp_path / ".engage-contract" / "journal").glob("*.json"))


@pytest.mark.parametrize(("content", "says"), [
    ("{not json", "is not a journal this suite wrote"),
    (json.dumps({"version": 1, "target": "http://elsewhere/enterprises/x", "customer": CUSTOMER_ID, "pid": 1,
                 "machine": socket.gethostname(), "started": time.time() - 10**6, "original": {}}), "not of customer"),
], ids=["corrupt", "foreign"])
def test_an_unusable_journal_stops_with_one_sentence(tmp_path: Path, content: str, says: str) -> None:
    server = reference.start(token=TOKEN, customer_ids=(CUSTOMER_ID,))
    try:
        path = _journal_of(tmp_path, server)
        path.write_text(content)
        outcome = run_suite(profile="smoke", server=server, workdir=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.exit_code == ExitCode.JOURNAL_UNUSABLE, outcome.output[-2000:]
    assert says in outcome.output and "Traceback" not in outcome.output
    assert path.read_text() == content, "an unusable journal must be left for a person to look at"


def test_a_failed_restore_is_loud() -> None:
    outcome = run_suite(["locked-after-40"], profile="smoke", stop_at_first_failure=False)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert "RESTORE FAILED for customer 1001: writing it back got 409" in outcome.output
    assert '"externalId": "EXT-1001"' in outcome.output  # the original, as a PATCH body to send by hand
    assert '"createdAt"' not in outcome.output.split("RESTORE FAILED")[-1]  # a PATCH body, not the GET response
    assert outcome.output.strip().splitlines()[-1].startswith("engage-contract: RESTORE FAILED")
    assert 'name="engage.restore" value="{&quot;outcome&quot;: &quot;failed&quot;' in outcome.junit
    assert 'restore the test customer' in outcome.junit
    # After the 40th request every update is inconclusive: the run says that too, as a test case of its own.
    assert 'failures="2"' in outcome.junit and "the environment lets the suite judge" in outcome.junit


def test_a_stopped_run_whose_restore_fails_does_not_exit_as_restored() -> None:
    # Exit 2 promises a restored customer: a stop whose restore fails (409 after 40 requests) exits 1.
    outcome = run_suite(["locked-after-40"], profile="ci", stop_at_first_failure=False, interrupt_after=60,
                        interrupt_with=signal.SIGTERM)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert outcome.output.strip().splitlines()[-1].startswith("engage-contract: RESTORE FAILED")


def test_a_locked_customer_stops_the_run_as_unjudged() -> None:
    # 409 to every update for 6 s (from the 40th request), longer than ENGAGE_LOCK_SECONDS: the run stops, says
    # why, restores once the lock is over, and exits 75, neither green (nothing was judged) nor red (the API broke
    # no clause).
    outcome = run_suite(["locked-for-a-while"], profile="ci", stop_at_first_failure=False,
                        env={"ENGAGE_LOCK_SECONDS": "3"})
    assert outcome.exit_code == ExitCode.CANNOT_JUDGE, outcome.output[-3000:]
    assert outcome.seconds < 120
    assert outcome.restored, outcome.output[-3000:]
    last = outcome.output.strip().splitlines()[-1]
    assert last.startswith("engage-contract: could not judge (exit 75: customer 1001 is locked"), last
    # The one failing JUnit case says so: no clause of the contract failed.
    assert "the environment lets the suite judge" in outcome.junit and 'failures="1"' in outcome.junit
    assert not outcome.failed_checks, outcome.failed_checks


def test_a_run_in_which_nothing_was_judged_does_not_pass() -> None:
    # Every update answered 401 to our own token: no verdict on any of them. contract_exercised fails (it used
    # to skip), and the run exits 75, not 0 (green on nothing) and not 1 (the API broke no clause we could see).
    outcome = run_suite(["updates-refuse-the-token"], profile="smoke", stop_at_first_failure=False)
    assert outcome.exit_code == ExitCode.CANNOT_JUDGE, outcome.output[-3000:]
    assert "test_contract_exercised" in outcome.failed_tests, outcome.failed_tests
    assert "Nothing was judged" in outcome.junit and not outcome.failed_checks - {"contract_exercised"}
    assert outcome.output.strip().splitlines()[-1].startswith("engage-contract: could not judge (exit 75: ")


def test_a_lock_of_a_few_seconds_leaves_a_few_cases_inconclusive_and_nothing_more() -> None:
    # The same lock, shorter than the default minute: concurrent operations on a shared environment do this.
    outcome = run_suite(["locked-for-a-while"], profile="ci", stop_at_first_failure=False)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    inconclusive = re.search(r"\binconclusive: (\d+)", outcome.output)
    assert inconclusive and int(inconclusive.group(1)) > 0, outcome.output[-3000:]


def test_a_restore_that_raises_is_loud_too() -> None:
    # The transport breaks (responses cut short) mid-run and during the restore: whatever is raised, the
    # restore is reported, the original printed, the journal kept, and no credential shows (-l: locals too).
    outcome = run_suite(["cut-short"], profile="smoke", stop_at_first_failure=False, token=LEAK_CANARY,
                        pytest_args=("-l",))
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert "RESTORE FAILED for customer 1001" in outcome.output, outcome.output[-3000:]
    assert outcome.output.strip().splitlines()[-1].startswith("engage-contract: RESTORE FAILED")
    for where, text in (("console", outcome.output), ("JUnit", outcome.junit),
                        ("example database and journal", outcome.example_database)):
        assert LEAK_CANARY not in text, f"the token appears in the {where}"
    assert '"EXT-1001"' in outcome.example_database, "the journal was not kept"


def test_no_credential_in_output_reports_or_example_database(tmp_path: Path) -> None:
    # -l shows every frame's locals; the HAR recording and a written baseline are looked at too.
    baseline = tmp_path / "known.json"
    outcome = run_suite(["reject-norwegian"], profile="ci", token=LEAK_CANARY, stop_at_first_failure=False,
                        pytest_args=("-l",), env={"ENGAGE_RECORD": "1", "ENGAGE_BASELINE": str(baseline),
                                                  "ENGAGE_BASELINE_UPDATE": "1"})
    assert outcome.exit_code == 1 and "repeat:" in outcome.output
    assert "contract-recording.har" in outcome.output and baseline.exists()
    assert LEAK_CANARY not in baseline.read_text()
    assert "Bearer $ENGAGE_TOKEN" in outcome.output  # the curl line names the variable, never the token
    for where, text in (("console", outcome.output), ("JUnit", outcome.junit),
                        ("example database, reports and HAR", outcome.example_database),
                        ("HTML page", outcome.report_html)):
        assert LEAK_CANARY not in text, f"the token appears in the {where}"


def _leaked(outcome, secrets: list[str]) -> list[str]:
    """Where any form of any secret shows: the console, JUnit, every file under reports/ (HAR, page, curl
    scripts), the example database and the journal."""
    places = {"console": outcome.output, "JUnit": outcome.junit, "files": outcome.example_database}
    return [f"{form!r} in the {where}" for secret in secrets for form in scrub.forms(secret)
            for where, text in places.items() if form in text]


def test_a_token_the_target_echoes_is_in_no_artefact(tmp_path: Path) -> None:
    # A careless gateway quotes the Authorization header in its error bodies, its 200 bodies and a header; a
    # failing run then has it in its evidence, its HAR and its page, unless they are scrubbed.
    baseline = tmp_path / "known.json"
    outcome = run_suite(["echoes-authorization", "drop-field"], profile="smoke", token=LEAK_CANARY,
                        stop_at_first_failure=False, env={"ENGAGE_RECORD": "1", "ENGAGE_BASELINE": str(baseline), "ENGAGE_BASELINE_UPDATE": "1"})
    assert outcome.exit_code == 1 and "sent_values_stored" in outcome.failed_checks, outcome.output[-3000:]
    assert "x-echo-authorization" in outcome.example_database.lower(), "no HAR of the echo: the test proves nothing"
    assert f"Bearer {scrub.MASK}" in outcome.example_database and "credential of the run was found" in outcome.output
    assert f"debug: {{authorization: Bearer {scrub.MASK}" in outcome.output.replace('"', ""), "no echo on the console"
    assert not _leaked(outcome, [LEAK_CANARY, READONLY_TOKEN]) and LEAK_CANARY not in baseline.read_text()


@pytest.mark.parametrize(("env", "code", "says"), [
    ({"ENGAGE_BASE_URL": "http://127.0.0.1:9/enterprises/acme"}, ExitCode.TARGET_UNREACHABLE, "cannot reach"),
    ({"ENGAGE_TOKEN": "not-the-token"}, ExitCode.CREDENTIALS_REJECTED, "rejected the credentials"),
    ({"ENGAGE_CUSTOMER_ID": "absent-customer"}, ExitCode.CUSTOMER_NOT_FOUND, "does not exist"),
    ({"ENGAGE_TOKEN": ""}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TOKEN is not set"),
    ({"ENGAGE_PROFILE": "huge"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_PROFILE must be one of"),
    ({"ENGAGE_TIMEOUT": "soon"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TIMEOUT must be a number"),
    ({"ENGAGE_SCHEMA": "/nonexistent/schema.yaml"}, ExitCode.BAD_SCHEMA, "cannot read the schema"),
    ({"ENGAGE_SCHEMA": sys.executable}, ExitCode.BAD_SCHEMA, "is not text"),
    ({"ENGAGE_BASE_URL": "https://api.pexipengage.com/enterprises/acme"}, ExitCode.PRODUCTION_REFUSED,
     "ENGAGE_ALLOW_PRODUCTION=1"),
    ({"ENGAGE_BASE_URL": "https://API.PexipEngage.com./enterprises/acme"}, ExitCode.PRODUCTION_REFUSED,
     "ENGAGE_ALLOW_PRODUCTION=1"),
    ({"ENGAGE_BASE_URL": "https://api.pexipengage.com/enterprises/acme", "ENGAGE_SCHEMA": "no-servers.yaml"},
     ExitCode.PRODUCTION_REFUSED, "ENGAGE_ALLOW_PRODUCTION=1"),
    ({"ENGAGE_BASE_URL": ""}, ExitCode.BAD_CONFIGURATION, "ENGAGE_BASE_URL is empty but"),
    ({"ENGAGE_BASE_URL": "{root}/elsewhere"}, ExitCode.BAD_CONFIGURATION, "is ENGAGE_BASE_URL the API's base URL"),
    ({"ENGAGE_BASELINE": "no-servers.yaml"}, ExitCode.BAD_CONFIGURATION, "cannot be used"),
    ({"ENGAGE_TIMEOUT": "inf"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TIMEOUT must be a number"),
    ({"ENGAGE_TIMEOUT": "nan"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TIMEOUT must be a number"),
    ({"ENGAGE_TIMEOUT": "1e12"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TIMEOUT may be at most 600"),
    ({"ENGAGE_BASE_URL": "http://127.0.0.1:99999/enterprises/acme"}, ExitCode.BAD_CONFIGURATION,
     "ENGAGE_BASE_URL has a port that is not a number from 1 to 65535"),
    ({"ENGAGE_BASE_URL": "{tls}/enterprises/acme"}, ExitCode.BAD_CONFIGURATION, "did not complete a TLS handshake"),
    ({"ENGAGE_BASE_URL": "{html}/enterprises/acme"}, ExitCode.BAD_CONFIGURATION, "got 200 (text/html) without a customer"),
    ({"ENGAGE_BASELINE": "{folder}"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_BASELINE is a folder, not a file"),
    ({"ENGAGE_READINGS": "no-servers.yaml"}, ExitCode.BAD_CONFIGURATION, "is not a readings file"),
    ({"ENGAGE_TOKEN": "", "ENGAGE_CLIENT_ID": "me", "ENGAGE_CLIENT_SECRET": "a-secret-of-mine",
      "ENGAGE_TOKEN_URL": "{root}/nowhere/token"}, ExitCode.BAD_CONFIGURATION, "answered 404: it is no token endpoint"),
    ({"ENGAGE_RECORD": "yes"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_RECORD must be 1, 0, true or false, not 'yes'"),
    ({"ENGAGE_TOKEN": "selftest-token\nX-Other: 1"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TOKEN is not a bearer token"),
    ({"ENGAGE_BASE_URL": "http://[::1:8080/enterprises/acme"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_BASE_URL is not a URL"),
    ({"ENGAGE_BASE_URL": "http://127.0.0.1:0/enterprises/acme"}, ExitCode.BAD_CONFIGURATION,
     "ENGAGE_BASE_URL has a port that is not a number from 1 to 65535"),
], ids=["unreachable", "bad-token", "missing-customer", "no-token", "bad-profile", "bad-timeout",
        "missing-schema", "binary-schema", "production", "production-spelt-otherwise", "production-schema-without-servers",
        "empty-base-url", "not-the-api", "bad-baseline", "timeout-inf", "timeout-nan", "timeout-huge", "port-out-of-range",
        "https-to-an-http-server", "an-html-page", "baseline-a-folder", "readings-not-a-readings-file", "token-endpoint-404", "record-yes",
        "token-with-a-newline", "url-not-one", "port-zero"])
def test_bad_input_stops_with_one_sentence(tmp_path: Path, env: dict[str, str], code: ExitCode, says: str) -> None:
    schema = SCHEMA_PATH.read_text().split("\nsecurity:", 1)
    (tmp_path / "no-servers.yaml").write_text(schema[0].split("\nservers:", 1)[0] + "\nsecurity:" + schema[1])
    server = reference.start(token=TOKEN, customer_ids=(CUSTOMER_ID,))
    html = _HtmlServer()
    root = server.base_url.split("/enterprises/")[0]
    (tmp_path / "a-folder").mkdir()
    env = {key: value.format(root=root, tls=root.replace("http://", "https://"), html=html.root,
                             folder=tmp_path / "a-folder") for key, value in env.items()}
    try:
        outcome = run_suite(env=env, server=server, workdir=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        html.shutdown()
    assert outcome.exit_code == code, outcome.output[-2000:]
    lines = [line for line in outcome.output.splitlines() if "engage-contract:" in line and says in line]
    assert len(lines) == 1, outcome.output[-2000:]
    assert "Traceback" not in outcome.output and "_pytest.outcomes.Exit" not in outcome.output
    assert outcome.requests == -1  # no summary: the run never started


class _HtmlServer(http.server.ThreadingHTTPServer):
    """A web page where the API should be (a sign-in page, a portal): 200, text/html, to everything."""

    def __init__(self) -> None:
        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the base class names it so
                body = b"<!doctype html><title>Sign in</title><p>Sign in to continue"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Page)
        self.root = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_a_retry_after_date_is_waited_for() -> None:
    # Every request before the date gets 429 again, longer than the pauses made without a Retry-After: a date
    # not read as one would leave the cases it meets inconclusive.
    outcome = run_suite(["legal-retry-after-date"], profile="smoke")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert re.search(r"\binconclusive: 0\b", outcome.output) and "retries: 0" not in outcome.output, outcome.output[-3000:]


def test_rate_limited_run_passes_without_false_failures() -> None:
    outcome = run_suite(["legal-rate-limit"], profile="smoke")
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert "retries: 0" not in outcome.output


OAUTH = {"client_id": "engage-contract-selftest", "client_secret": "canary-secret-1a2b3c4d", "token_lifetime": 4}


def test_client_credentials_fetched_refreshed_and_renewed_after_a_401() -> None:
    # Tokens live 4 s (refreshed before they run out) and are revoked every 150 requests (a 401 mid-run).
    outcome = run_suite(["legal-token-revoked"], profile="ci", oauth=OAUTH)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    assert len(outcome.tokens_issued) >= 3, outcome.tokens_issued
    assert outcome.restored
    assert not outcome.unread(READ_AS["legal-token-revoked"]), outcome.reads()


def test_client_credentials_leak_nowhere() -> None:
    outcome = run_suite(["reject-norwegian"], profile="ci", oauth=OAUTH, stop_at_first_failure=False)
    assert outcome.exit_code == 1 and outcome.tokens_issued
    for secret in [OAUTH["client_secret"], *outcome.tokens_issued]:
        for where, text in (("console", outcome.output), ("JUnit", outcome.junit),
                            ("example database", outcome.example_database)):
            assert secret not in text, f"a credential appears in the {where}"


def test_a_read_only_token_the_target_echoes_is_in_no_artefact() -> None:
    # The read-only probe fails on this variant: its evidence is a 200 body that quotes the read-only token.
    outcome = run_suite(["echoes-authorization", "read-only-token-writes"], profile="smoke", token=LEAK_CANARY,
                        stop_at_first_failure=False)
    assert outcome.exit_code == 1 and "read_only_token_cannot_write" in outcome.failed_checks, outcome.output[-3000:]
    assert f"debug: {{authorization: Bearer {scrub.MASK}" in outcome.output.replace('"', ""), "no echo: proves nothing"
    assert not _leaked(outcome, [LEAK_CANARY, READONLY_TOKEN])


def test_a_read_only_token_that_cannot_even_read_proves_nothing() -> None:
    # An expired read-only token gets 401 whatever its scope: the probe says it judged nothing, and skips; a run
    # narrowed to it judged nothing, so it cannot pass.
    outcome = run_suite(["read-only-token-writes"], profile="smoke", env={"ENGAGE_READONLY_TOKEN": "expired-readonly-1"},
                        pytest_args=("-k", "read_only", "-rs"))
    assert outcome.exit_code == 75, outcome.output[-3000:]
    assert "no test asked for gave a verdict" in outcome.output.strip().splitlines()[-1]
    assert "ENGAGE_READONLY_TOKEN cannot read the customer either (GET answered 401)" in outcome.output


def test_a_clause_broken_on_a_read_back_is_a_verdict_though_the_run_could_not_judge() -> None:
    # Every read-back that answers 503 leaves its case without a verdict (more than the share allowed: 0), and
    # is a finding about the GET itself (read_back_answers): that finding keeps the run's exit at 1, not 75.
    outcome = run_suite(["read-back-503"], profile="ci", stop_at_first_failure=False,
                        env={"ENGAGE_MAX_INCONCLUSIVE": "0"})
    assert "the environment lets the suite judge" in outcome.junit, outcome.output[-3000:]
    assert outcome.exit_code == 1 and "read_back_answers" in outcome.failed_checks, outcome.output[-3000:]


def test_the_console_is_scrubbed_whoever_writes_to_it() -> None:
    # A plugin prints the token from a test (captured, and shown with -rA), straight to the descriptor, to
    # sys.__stderr__, in the terminal summary and at exit: pytest's capture puts its own descriptors back
    # after every test, and they lead into the scrubbed console too.
    outcome = run_suite(profile="smoke", token=LEAK_CANARY, env={"PYTHONPATH": str(ROOT)}, pytest_args=(
        "-p", "tests.selftest.leaky_plugin", "-rA", "-k", "example_request or no-token"))
    assert outcome.exit_code == 0, outcome.output[-3000:]
    for said in ("leak-print", "leak-fd", "leak-stderr", "leak-terminal", "leak-exit"):
        assert f"{said} {scrub.MASK}" in outcome.output, f"{said} is missing: {outcome.output[-3000:]}"
    assert not _leaked(outcome, [LEAK_CANARY])


def test_client_credentials_the_target_echoes_are_in_no_artefact() -> None:
    outcome = run_suite(["echoes-authorization"], profile="smoke", oauth=OAUTH, env={"ENGAGE_RECORD": "1"})
    assert outcome.exit_code == 0 and outcome.tokens_issued, outcome.output[-3000:]
    assert "x-echo-authorization" in outcome.example_database.lower(), "no HAR of the echo: the test proves nothing"
    assert not _leaked(outcome, [OAUTH["client_secret"], *outcome.tokens_issued])


def test_wrong_client_secret_stops_with_one_sentence() -> None:
    outcome = run_suite(oauth={**OAUTH, "client_secret": "the-right-one"},
                        env={"ENGAGE_CLIENT_SECRET": "a-wrong-one"})
    assert outcome.exit_code == ExitCode.CREDENTIALS_REJECTED, outcome.output[-2000:]
    assert "check ENGAGE_CLIENT_ID and ENGAGE_CLIENT_SECRET" in outcome.output
