"""Run the contract suite, as a user runs it (a pytest subprocess), against a reference server with
faults switched on: for the self-tests and the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage_contract import reference
from engage_contract.judging import checks, relations
from engage_contract.judging.customer import stable_view

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "selftest-token"
READONLY_TOKEN = "selftest-readonly-token"
CUSTOMER_ID = "1001"
CUSTOMER_IDS = ("1001", "1002", "1003", "1004")  # for runs in lanes: the first `customers` of them
# fault -> the check meant to catch it
CAUGHT_BY = {
    "extra-property": "ok_body_matches_schema",
    "lowercase-t-date": "ok_body_matches_schema",
    "numeric-status-code": "error_body_is_envelope",
    "status-code-mismatch": "error_body_is_envelope",
    "empty-errors": "error_body_is_envelope",
    "text-errors": "error_body_is_envelope",
    "unlisted-422-code": "business_error_code_is_listed",
    "server-error": "status_is_documented",
    "undocumented-status": "status_is_documented",
    "reject-valid-boundary": "valid_input_accepted",
    "reject-norwegian": "valid_input_accepted",
    "accept-out-of-range": "invalid_input_rejected",
    "accept-unknown-location-property": "invalid_input_rejected",
    "invalid-changes-state": "rejected_request_changes_nothing",
    "empty-body-changes": "empty_update_changes_nothing",
    "refuse-every-update": "example_request_accepted",
    "wrong-id": "id_matches_path",
    "drop-field": "sent_values_stored",
    "null-ignored": "sent_values_stored",
    "reset-unsent": "unsent_fields_kept",
    "lose-postal-code": "location_matches_sent",
    "foreign-translation": "picked_translations_are_listed",
    "ignores-accept-language": "requested_language_honoured",
    "not-persisted": "change_persists",
    "created-at-moves": "timestamps_are_consistent",
    "updated-before-created": "timestamps_are_consistent",
    "auth-ignored": "unauthenticated_request_rejected",
    "upsert-unknown": "unknown_id_not_found",
    "odd-id-crash": "unknown_id_not_found",
    "hang": "answers_in_time",
    "redirect-301-applied": "status_is_documented",
    "redirect-302": "status_is_documented",
    "redirect-303": "status_is_documented",
    "redirect-307-elsewhere": "status_is_documented",
    "redirect-308-applied": "status_is_documented",
    "slow-drip": "answers_in_time",
    "persistent-503": "status_is_documented",
    "broken-gzip": "answers_completely",
    "reset-mid-body": "answers_completely",
    "read-back-503": "read_back_answers",
    "nul-truncates": "sent_values_stored",
    "max-length-in-bytes": "valid_input_accepted",
    "case-sensitive-accept-language": "requested_language_honoured",
    "unlisted-language-gets-default": "requested_language_honoured",
    "non-atomic-422": "rejected_request_changes_nothing",
    "existing-false-soft-deletes": "unsent_fields_kept",
    "null-language-filled-on-read": "change_persists",
    "enterprise-ignored": "other_enterprise_refused",
    "read-only-token-writes": "read_only_token_cannot_write",
    "formatted-address-from-old-row": "repeated_update_stores_the_same",
    "trim-compared-not-stored": "stored_whatever_was_there",
    "case-insensitive-no-op": "change_persists",
    "read-cache-ignores-language": "reads_follow_their_language",
    "id-parsed-as-number": "other_spelling_is_another_id",
    "server-set-from-body": "server_set_properties_ignored",
    "body-id-selects-customer": "path_customer_decides",
    "body-id-creates-customer": "body_id_creates_nothing",
    "chosen-time-zone-as-offset": "chosen_time_zone_is_iana",
    "lost-update": "simultaneous_updates_both_count",
    "update-renames-namesakes": "other_customers_untouched",
    # the red team's
    "read-cache-partly-invalidated": "change_persists",
    "replica-one-write-behind": "change_persists",
    "correlation-id-replays": "sent_values_stored",
    "scope-cached-per-token": "read_only_token_cannot_write",
    "auth-cached-per-connection": "unauthenticated_request_rejected",
    "gateway-body-limit-8k": "status_is_documented",
    "language-copied-to-company": "other_customers_untouched",
    "non-uuid-correlation-id-500": "status_is_documented",
    "content-length-in-characters": "ok_body_matches_schema",
    "unread-body-on-401": "rejected_request_changes_nothing",
    "update-ignores-enterprise": "other_enterprise_refused",
    "read-only-empty-update-allowed": "read_only_token_cannot_write",
    "null-postal-code-kept": "location_matches_sent",
    "any-language-default-only": "requested_language_honoured",
    "absent-translation-falls-back": "requested_language_honoured",
    "existing-null-stored": "ok_body_matches_schema",
    "read-cache-never-cleared": "change_persists",
    "coordinates-as-float32": "location_matches_sent",
    "blank-trimmed-to-empty": "sent_values_stored",
    "cut-at-255-bytes": "sent_values_stored",
    "language-from-accept-language": "unsent_fields_kept",
    # the third red team's
    "phone-updated-by-old-value": "other_customers_untouched",
    "shared-address-row": "other_customers_untouched",
    "email-unique-by-moving": "other_customers_untouched",
    "cache-key-truncated": "rejected_request_changes_nothing",
    "null-bind-buffer-reused": "change_persists",
    "dirty-check-other-snapshot": "change_persists",
    # the fourth red team's
    "error-message-untranslated-empty": "error_body_is_envelope",
    "geolocation-columns-swapped": "location_matches_sent",
    "null-time-zone-stored": "ok_body_matches_schema",
    "null-translation-key-omitted": "ok_body_matches_schema",
    "language-case-insensitive-enum": "invalid_input_rejected",
    # the fifth red team's
    "utc-minus-zero-on-write": "ok_body_matches_schema",
    "antimeridian-normalised": "location_matches_sent",
    "error-arguments-double-encoded": "business_error_code_is_listed",
    "locale-leaks-between-requests": "requested_language_honoured",
    "utf8mb3-astral-to-question-mark": "sent_values_stored",
    "first-language-only": "requested_language_honoured",
}
# The variants of the relations between requests (judging/relations.py; chosen_time_zone_is_iana is a check).
RELATION_FAULTS = ("formatted-address-from-old-row", "trim-compared-not-stored", "case-insensitive-no-op",
                   "read-cache-ignores-language", "id-parsed-as-number", "server-set-from-body",
                   "body-id-selects-customer", "body-id-creates-customer", "lost-update", "update-renames-namesakes")
# Faults that show only with several test customers: the lanes their runs take.
LANES_FOR = {"update-renames-namesakes": 3, "language-copied-to-company": 3, "phone-updated-by-old-value": 4,
             "shared-address-row": 4, "email-unique-by-moving": 4, "cache-key-truncated": 4,
             "dirty-check-other-snapshot": 4}
# Faults that hand-made probes catch whatever the seed (they go out every run, before the generated cases).
PROBED = ("nul-truncates", "max-length-in-bytes", "case-sensitive-accept-language", "unlisted-language-gets-default",
          "non-atomic-422", "existing-false-soft-deletes", "null-language-filled-on-read", "enterprise-ignored",
          "read-only-token-writes", "formatted-address-from-old-row", "trim-compared-not-stored",
          "case-insensitive-no-op", "read-cache-ignores-language", "id-parsed-as-number", "server-set-from-body",
          "body-id-selects-customer", "body-id-creates-customer", "chosen-time-zone-as-offset", "lost-update",
          "update-renames-namesakes", "read-cache-partly-invalidated", "replica-one-write-behind",
          "correlation-id-replays", "scope-cached-per-token", "auth-cached-per-connection", "gateway-body-limit-8k",
          "non-uuid-correlation-id-500", "content-length-in-characters", "unread-body-on-401",
          "language-copied-to-company", "update-ignores-enterprise", "read-only-empty-update-allowed",
          "any-language-default-only", "absent-translation-falls-back", "existing-null-stored", "read-cache-never-cleared",
          "coordinates-as-float32", "blank-trimmed-to-empty", "cut-at-255-bytes", "language-from-accept-language",
          "geolocation-columns-swapped", "null-time-zone-stored", "null-translation-key-omitted",
          "language-case-insensitive-enum", "utc-minus-zero-on-write", "error-arguments-double-encoded",
          "locale-leaks-between-requests", "utf8mb3-astral-to-question-mark", "first-language-only")
# The faults a hand-made probe of smoke is meant to catch (the others are left to ci).
SMOKE_CATCHES = ("nul-truncates", "max-length-in-bytes", "case-sensitive-accept-language", "existing-false-soft-deletes",
                 "enterprise-ignored", "read-only-token-writes")

# What the reference server reads at the silences the legal variants read otherwise (reports/readings.json) ...
REFERENCE_READS = {
    "empty-body": "an empty update", "invalid-body": "400", "malformed-json": "400", "foreign-media-type": "400",
    "omitted-postal-code": "cleared", "omitted-state": "cleared", "omitted-street2": "cleared",
    "country-code-case": "as sent", "text-spaces": "as sent", "server-set-in-body": "ignored",
    "no-op-updated-at": "moved", "simultaneous-updates": "both accepted", "number-precision": "as sent", "time-zone-with-location": "the timeZone sent",
    "existing-null": "stored as false", "unauthenticated": "401",
    "optional-nulls": "sent as null", "location-extras": "none", "envelope-extras": "none", "error-extras": "none",
    "date-time-form": "Z", "error-media-type": "application/json", "malformed-accept-language": "ignored",
    "non-iana-time-zone": "422", "default-language": "en", "weighted-languages": "in the order given",
    "one-language-twice": "every one", "translation-twice": "stored as often as sent",
    "translation-item-extras": "stored and echoed", "odd-id": "404", "other-enterprise": "404",
    "read-only-token": "403", "correlation-id-echo": "echoed", "media-type-parameters": "none",
    "keep-alive": "kept alive", "content-encoding": "none", "transfer-encoding": "Content-Length",
    "retry-after": "not reached", "gateway-errors": "not reached", "token-refused-mid-run": "not reached",
}
# ... and what each legal variant reads there instead: every variant, one reading at least.
READ_AS = {
    "legal-422-for-invalid": {"invalid-body": "422"},
    "legal-chunked": {"transfer-encoding": "chunked"},
    "legal-connection-close": {"keep-alive": "closed"},
    "legal-coordinates-rounded": {"number-precision": "rounded"},
    "legal-country-code-upper": {"country-code-case": "upper case"},
    "legal-default-language": {"default-language": "nl"},
    "legal-empty-body-rejected": {"empty-body": "400"},
    "legal-extra-error-properties": {"error-extras": "some: errors[].traceId, traceId"},
    "legal-gateway-blip": {"gateway-errors": "recovered after a retry"},
    "legal-geocoder-fills": {"omitted-postal-code": "filled in", "omitted-state": "filled in"},
    "legal-gzip": {"content-encoding": "gzip"},
    "legal-json-charset": {"media-type-parameters": "charset=utf-8"},
    "legal-lenient-media-type": {"foreign-media-type": "read as JSON"},
    "legal-location-decides-time-zone": {"time-zone-with-location": "the location"},
    "legal-location-extras": {"location-extras": "some: countryName", "envelope-extras": "some: meta"},
    # A merge keeps what was there; a geocoder filling in the same value looks alike.
    "legal-location-merged": {"omitted-postal-code": "kept or filled in", "omitted-state": "kept or filled in",
                              "omitted-street2": "kept or filled in"},
    "legal-media-type-415": {"foreign-media-type": "415"},
    "legal-no-correlation-echo": {"correlation-id-echo": "not echoed"},
    "legal-nulls-omitted": {"optional-nulls": "left out"},
    "legal-odd-id-rejected": {"odd-id": "400"},
    "legal-one-translation-per-language": {"one-language-twice": "the last one"},
    "legal-other-enterprise-forbidden": {"other-enterprise": "403"},
    "legal-problem-json": {"error-media-type": "application/problem+json"},
    "legal-rate-limit": {"retry-after": "seconds"},
    "legal-refusals-are-401": {"other-enterprise": "401", "read-only-token": "401"},
    "legal-retry-after-date": {"retry-after": "an HTTP-date"},
    "legal-strict-accept-language": {"malformed-accept-language": "400", "non-iana-time-zone": "400"},
    "legal-time-offsets": {"date-time-form": "Z on PATCH, +00:00 on GET"},
    "legal-translation-extras-dropped": {"translation-item-extras": "dropped", "translation-twice": "stored once"},
    "legal-weighted-languages": {"weighted-languages": "by weight"},
    "legal-token-revoked": {"token-refused-mid-run": "a new token accepted"},
    "legal-text-trimmed": {"text-spaces": "trimmed"},
    "legal-server-set-refused": {"server-set-in-body": "400"},
    "legal-no-op-keeps-updated-at": {"no-op-updated-at": "kept or moved"},
    "legal-simultaneous-409": {"simultaneous-updates": "one refused with 409"},
    "legal-all-at-once": {"empty-body": "400", "invalid-body": "422", "keep-alive": "closed", "odd-id": "400",
                          "other-enterprise": "401", "default-language": "nl", "content-encoding": "gzip"},
}

KNOWN_CHECKS = [check.__name__ for check in (*checks.ALL, *relations.ALL)] + [
    checks.ANSWERS_IN_TIME, checks.ANSWERS_COMPLETELY, checks.READ_BACK_ANSWERS, checks.CONTRACT_EXERCISED]


@dataclass
class Outcome:
    variant: str
    exit_code: int
    failed_checks: set[str]
    requests: int
    seconds: float
    output: str
    junit: str
    example_database: str  # every file the run left under .hypothesis/, .engage-contract/ and reports/
    customer_before: dict[str, Any] | None
    customer_after: dict[str, Any] | None
    tokens_issued: list[str]
    served: int  # requests the server answered, whoever sent them
    report_html: str = ""  # the run's HTML page
    patches: int = 0  # PATCH requests the server answered
    most_in_flight: int = 0  # the most requests the server was answering at once
    busiest_minute: int = 0  # the most requests that arrived within any 60 seconds
    busiest_second: int = 0  # ... within any second
    customers_before: list[dict[str, Any]] | None = None  # every lane's customer, before and after
    customers_after: list[dict[str, Any]] | None = None
    busiest_ten_seconds: int = 0  # the most requests that arrived within any ten seconds
    readings: dict[str, Any] | None = None  # the run's reports/readings.json
    summary: dict[str, Any] | None = None  # the run's reports/contract-summary.json

    @property
    def first_failure_at(self) -> int | None:
        """Requests the suite had sent when its first case failed (shrinking and restore aside)."""
        found = re.search(r"first_failure_at: (\d+)", self.output)
        return int(found.group(1)) if found else None

    @property
    def caught(self) -> bool:
        """The run failed on the check meant to catch its (single) fault."""
        return self.exit_code == 1 and CAUGHT_BY.get(self.variant) in self.failed_checks

    @property
    def failed_tests(self) -> list[str]:
        """The names of the JUnit test cases that failed."""
        if not self.junit:
            return []
        return [case.get("name", "") for case in ET.fromstring(self.junit).iter("testcase")
                if any(child.tag in ("failure", "error") for child in case)]

    @property
    def cases(self) -> int:
        found = re.search(r"cases: (\d+)", self.output)
        return int(found.group(1)) if found else 0

    @property
    def run_seconds(self) -> float:
        """From the run's start (the first read of the customer) to its summary: start-up and collection aside."""
        found = re.search(r"seconds: ([0-9.]+)", self.output)
        return float(found.group(1)) if found else self.seconds

    def reads(self) -> dict[str, str]:
        """Reading name -> the run's reading, from its reports/readings.json."""
        return {name: row["reading"] for name, row in ((self.readings or {}).get("readings") or {}).items()}

    def unread(self, expected: dict[str, str]) -> dict[str, tuple[str | None, str]]:
        """Of the readings expected, those the run did not read so: name -> (its reading, the one expected)."""
        reads = self.reads()
        return {name: (reads.get(name), value) for name, value in expected.items() if reads.get(name) != value}

    @property
    def restored(self) -> bool:
        return [stable_view(c) for c in self.customers_before] == [stable_view(c) for c in self.customers_after]


def run_suite(faults: list[str] = (), *, profile: str = "ci", stop_at_first_failure: bool = True,
              token: str = TOKEN, env: dict[str, str] | None = None, interrupt_after: int | None = None,
              interrupt_with: signal.Signals = signal.SIGINT, oauth: dict[str, Any] | None = None,
              pytest_args: tuple[str, ...] = (), latency: float = 0.0, tests: str = "tests/contract",
              server: Any = None, workdir: str | os.PathLike[str] | None = None, customers: int = 1,
              fault_customers: tuple[str, ...] | None = None, timeout: float = 600) -> Outcome:
    """Run tests/contract in a subprocess against a fresh reference server (or `server`, left running);
    `interrupt_after` sends `interrupt_with` (Ctrl-C) once the server has answered that many requests;
    `oauth` (client_id, client_secret, token_lifetime) makes the suite fetch its tokens with client
    credentials instead; `workdir` (a fresh temporary one by default) is where it runs, its journal and
    example database with it; `customers` (up to 4) the lanes it runs in, `fault_customers` those the faults
    show on."""
    own_server = server is None
    customer_ids = CUSTOMER_IDS[:customers]
    if own_server:
        server = reference.start(token=token, readonly_token=READONLY_TOKEN, faults=list(faults),
                                 customer_ids=customer_ids, latency=latency, fault_customers=fault_customers,
                                 **(oauth or {}))
    representation = lambda: [server.store.represent(server.store.get(customer_id), None)  # noqa: E731
                              for customer_id in customer_ids]
    before = representation()
    started = time.monotonic()
    served_before, patches_before = server.requests_served, server.patches_served
    arrivals_before = len(server.traffic.arrivals)
    try:
        with contextlib.ExitStack() as stack:
            if workdir is None:
                workdir = stack.enter_context(tempfile.TemporaryDirectory())
            junit = Path(workdir) / "reports" / "junit.xml"  # where a run's files are scrubbed
            with contextlib.suppress(OSError):  # reports/ may be made unusable on purpose
                junit.unlink(missing_ok=True)
            variables = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
            variables.update(ENGAGE_BASE_URL=server.base_url, ENGAGE_TOKEN=token, ENGAGE_CUSTOMER_ID=",".join(customer_ids),
                             ENGAGE_READONLY_TOKEN=server.readonly_token or "",
                             ENGAGE_PROFILE=profile, ENGAGE_TIMEOUT="2", ENGAGE_SEED="1",
                             # loopback: the platform's limit is not this server's
                             ENGAGE_RATE_LIMIT="1000000",
                             # hypothesis' character tables, built once (seconds of CPU), not once a working directory
                             HYPOTHESIS_STORAGE_DIRECTORY=str(ROOT / ".hypothesis"))
            if oauth:
                token_url = server.base_url.split("/enterprises/")[0] + "/realms/acme/protocol/openid-connect/token"
                variables.update(ENGAGE_TOKEN="", ENGAGE_CLIENT_ID=oauth["client_id"],
                                 ENGAGE_CLIENT_SECRET=oauth["client_secret"], ENGAGE_TOKEN_URL=token_url)
            variables.update(env or {})
            # no:unraisableexception: pytest's hunt for unraisable exceptions collects garbage again and again at
            # the end of every session (half a second each, and the self-tests run the suite over a hundred times).
            command = [sys.executable, "-m", "pytest", str(ROOT / tests), "-q", "--assert=plain",
                       "-p", "no:cacheprovider", "-p", "no:unraisableexception", f"--rootdir={ROOT}",
                       f"--junitxml={junit}", *pytest_args]
            if stop_at_first_failure:
                command.append("-x")
            # A working directory of its own keeps the variant's failures out of the project's example database.
            process = subprocess.Popen(command, cwd=workdir, env=variables, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
            if interrupt_after is not None:
                while process.poll() is None and server.requests_served - served_before < interrupt_after:
                    time.sleep(0.01)
                process.send_signal(interrupt_with)
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()  # and its customer is then as the killed run left it: the outcome says so
                output, _ = process.communicate()
            junit_text = junit.read_text() if junit.exists() else ""
            page = Path(workdir) / "reports" / "contract-report" / "index.html"
            report_html = page.read_text() if page.exists() else ""
            readings, summary = (json.loads(path.read_text()) if path.exists() else None
                                 for path in (Path(workdir) / "reports" / name
                                              for name in ("readings.json", "contract-summary.json")))
            database = "".join(path.read_bytes().decode("latin-1")
                               for folder in (".hypothesis", ".engage-contract", "reports")
                               for path in (Path(workdir) / folder).rglob("*") if path.is_file())
        after = representation()
    finally:
        if own_server:
            server.shutdown()
            server.server_close()
    failures = _failure_texts(junit_text)
    found = {name for name in KNOWN_CHECKS for text in failures if re.search(rf"\b{name}\b", text)}
    requests = re.search(r"requests: (\d+)", output)
    traffic = server.traffic
    return Outcome(",".join(faults) or "correct", process.returncode, found,
                   int(requests.group(1)) if requests else -1, time.monotonic() - started, output,
                   junit_text, database, before[0], after[0], list(server.tokens_ever_issued),
                   server.requests_served - served_before, report_html, server.patches_served - patches_before,
                   traffic.most_in_flight, traffic.busiest(60, since=arrivals_before),
                   traffic.busiest(1, since=arrivals_before), before, after,
                   busiest_ten_seconds=traffic.busiest(10, since=arrivals_before), readings=readings, summary=summary)


def _failure_texts(junit: str) -> list[str]:
    if not junit:
        return []
    return [(element.get("message") or "") + "\n" + (element.text or "")
            for element in ET.fromstring(junit).iter() if element.tag in ("failure", "error")]
