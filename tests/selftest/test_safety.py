"""Safe against a shared environment: the customer is restored, no credential leaks, bad input stops
the run at once with one sentence and its own exit code."""

from __future__ import annotations

import pytest

from engage_contract.config import ExitCode

from engage_contract.harness import run_suite

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


def test_customer_restored_after_an_interrupted_run() -> None:
    outcome = run_suite(profile="ci", stop_at_first_failure=False, interrupt_after=150)
    assert outcome.exit_code == 2, outcome.output[-3000:]  # pytest's "interrupted"
    assert "restored" in outcome.output and "RESTORE FAILED" not in outcome.output, outcome.output[-3000:]
    assert outcome.restored


def test_a_failed_restore_is_loud() -> None:
    outcome = run_suite(["locked-after-40"], profile="smoke", stop_at_first_failure=False)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert "RESTORE FAILED for customer 1001: writing it back got 409" in outcome.output
    assert '"externalId": "EXT-1001"' in outcome.output  # the original, as JSON, to restore by hand
    assert 'name="engage.restore" value="FAILED"' in outcome.junit


def test_no_credential_in_output_reports_or_example_database() -> None:
    outcome = run_suite(["reject-norwegian"], profile="ci", token=LEAK_CANARY, stop_at_first_failure=False)
    assert outcome.exit_code == 1 and "Reproduce with" in outcome.output
    assert "[Filtered]" in outcome.output
    for where, text in (("console", outcome.output), ("JUnit", outcome.junit),
                        ("example database", outcome.example_database)):
        assert LEAK_CANARY not in text, f"the token appears in the {where}"


@pytest.mark.parametrize(("env", "code", "says"), [
    ({"ENGAGE_BASE_URL": "http://127.0.0.1:9/enterprises/acme"}, ExitCode.TARGET_UNREACHABLE, "cannot reach"),
    ({"ENGAGE_TOKEN": "not-the-token"}, ExitCode.CREDENTIALS_REJECTED, "rejected the credentials"),
    ({"ENGAGE_CUSTOMER_ID": "absent-customer"}, ExitCode.CUSTOMER_NOT_FOUND, "does not exist"),
    ({"ENGAGE_TOKEN": ""}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TOKEN is not set"),
    ({"ENGAGE_PROFILE": "huge"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_PROFILE must be one of"),
    ({"ENGAGE_TIMEOUT": "soon"}, ExitCode.BAD_CONFIGURATION, "ENGAGE_TIMEOUT must be a number"),
    ({"ENGAGE_SCHEMA": "/nonexistent/schema.yaml"}, ExitCode.BAD_SCHEMA, "cannot read the schema"),
    ({"ENGAGE_BASE_URL": "https://api.pexipengage.com/enterprises/acme"}, ExitCode.PRODUCTION_REFUSED,
     "ENGAGE_ALLOW_PRODUCTION=1"),
], ids=["unreachable", "bad-token", "missing-customer", "no-token", "bad-profile", "bad-timeout",
        "missing-schema", "production"])
def test_bad_input_stops_with_one_sentence(env: dict[str, str], code: ExitCode, says: str) -> None:
    outcome = run_suite(env=env)
    assert outcome.exit_code == code, outcome.output[-2000:]
    lines = [line for line in outcome.output.splitlines() if "engage-contract:" in line and says in line]
    assert len(lines) == 1, outcome.output[-2000:]
    assert "Traceback" not in outcome.output
    assert outcome.requests == -1  # no summary: the run never started


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


def test_client_credentials_leak_nowhere() -> None:
    outcome = run_suite(["reject-norwegian"], profile="ci", oauth=OAUTH, stop_at_first_failure=False)
    assert outcome.exit_code == 1 and outcome.tokens_issued
    for secret in [OAUTH["client_secret"], *outcome.tokens_issued]:
        for where, text in (("console", outcome.output), ("JUnit", outcome.junit),
                            ("example database", outcome.example_database)):
            assert secret not in text, f"a credential appears in the {where}"


def test_wrong_client_secret_stops_with_one_sentence() -> None:
    outcome = run_suite(oauth={**OAUTH, "client_secret": "the-right-one"},
                        env={"ENGAGE_CLIENT_SECRET": "a-wrong-one"})
    assert outcome.exit_code == ExitCode.CREDENTIALS_REJECTED, outcome.output[-2000:]
    assert "check ENGAGE_CLIENT_ID and ENGAGE_CLIENT_SECRET" in outcome.output
