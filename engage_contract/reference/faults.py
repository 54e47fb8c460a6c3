"""The switches that turn the reference server into a faulty (or a differently correct) variant.

Each variant is the reference server with one switch on, never a copy of it. A faulty variant breaks
one clause of the contract; a `legal-` variant makes a choice the contract leaves open, and a correct
suite must pass it.
"""

FAULTS: dict[str, str] = {
    # Response form
    "extra-property": "a 200 body carries a property the schema does not allow under data",
    "lowercase-t-date": "updatedAt is written with a lowercase t",
    "numeric-status-code": "error envelopes carry statusCode as a number",
    "status-code-mismatch": "error envelopes carry a statusCode other than the HTTP status",
    "empty-errors": "error envelopes carry an empty errors list",
    "text-errors": "error bodies are sent as text/plain",
    "unlisted-422-code": "business errors carry a code the operation does not list",
    "server-error": "a notes value longer than 1,000 characters crashes the server (500)",
    "undocumented-status": "an unknown time zone answers 418 instead of a business error",
    # Input handling
    "reject-valid-boundary": "an externalId of exactly 255 characters is rejected with 400",
    "reject-norwegian": 'language "no" is rejected with 400',
    "accept-out-of-range": "latitudes beyond 90 are accepted and stored",
    "accept-unknown-location-property": "unknown properties inside location are accepted and ignored",
    "invalid-changes-state": "a rejected request still stores the fields that were valid",
    # PATCH semantics
    "wrong-id": "a 200 body carries an id other than the path id",
    "drop-field": "company is silently not stored",
    "null-ignored": "a nullable field sent as null keeps its old value",
    "reset-unsent": "fields not sent are reset to null",
    "lose-postal-code": "a location's postalCode comes back null",
    "foreign-translation": "location.city comes back with a value that is not one of its translations",
    "not-persisted": "a PATCH answers with the change but does not store it",
    "created-at-moves": "createdAt is set to the time of each update",
    "updated-before-created": "updatedAt is earlier than createdAt",
    # Identity and access
    "auth-ignored": "requests without a valid token are served",
    "upsert-unknown": "a PATCH on an unknown id creates that customer",
    "odd-id-crash": "ids with characters outside ASCII crash the server (500)",
    "hang": "a PATCH that sends location null gets no answer in time",
    # Not a break of the contract, but of the suite's safety net
    "locked-after-40": "after 40 requests every PATCH answers 409 Conflict, so restoring the customer fails",
    # Legal choices the contract leaves open: a correct suite passes each
    "legal-422-for-invalid": "schema-invalid bodies get 422 (with a listed code) instead of 400",
    "legal-null-translation": "a translation missing in the requested language comes back null, no fallback",
    "legal-no-correlation-echo": "X-Correlation-Id is not echoed",
    "legal-extra-error-properties": "error objects carry extra properties",
    "legal-location-absent": "a null location is left out of the body instead of sent as null",
    "legal-token-revoked": "every issued access token is revoked every 150 requests (401 until a new one is fetched)",
    "legal-rate-limit": "the 3rd request and every 100th after it are answered 429 with Retry-After: 1",
}


def check(names: list[str]) -> frozenset[str]:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown fault {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
    return frozenset(names)
