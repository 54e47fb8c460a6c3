"""The switches that turn the reference server into a faulty (or a differently correct) variant.

Each variant is the reference server with one switch on, never a copy of it. A faulty variant breaks
one clause of the contract; a `legal-` variant makes a choice the contract leaves open, and a correct
suite must pass it. FAULTS is the registry: the server asks a `Switches` by name, and a name it does not
hold is a mistake that raises, never a switch silently off.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    "empty-body-changes": "a PATCH without a body clears firstName, lastName, company, notes and language",
    "refuse-every-update": "every schema-valid PATCH is answered 422 CUSTOMER_NOT_IDENTIFIABLE",
    "max-length-in-bytes": "externalId's 255 is counted in UTF-8 bytes: 255 non-ASCII letters are rejected with 400",
    "non-atomic-422": "a PATCH refused with LOCATION_GEOCODING_FAILED still stores its other fields",
    # PATCH semantics
    "wrong-id": "a 200 body carries an id other than the path id",
    "drop-field": "company is silently not stored",
    "null-ignored": "a nullable field sent as null keeps its old value",
    "reset-unsent": "fields not sent are reset to null",
    "lose-postal-code": "a location's postalCode comes back null",
    "foreign-translation": "location.city comes back with a value that is not one of its translations",
    "ignores-accept-language": "location.city/state/street1/street2 are the first translation, whatever the language asked",
    "not-persisted": "a PATCH answers with the change but does not store it",
    "nul-truncates": "strings are stored cut at their first NUL character, as a C string would be",
    "existing-false-soft-deletes": "existing sent as false sets deletedAt (soft-deletes the customer); true clears it",
    "null-language-filled-on-read": "a GET answers language as the default (en) where the customer has none",
    "case-sensitive-accept-language": "Accept-Language is matched case-sensitively (DE finds no de translation)",
    "unlisted-language-gets-default": "a language outside the page's list is answered with the default translation, not null",
    "created-at-moves": "createdAt is set to the time of each update",
    "updated-before-created": "updatedAt is earlier than createdAt",
    # Identity and access
    "auth-ignored": "requests without a valid token are served",
    "upsert-unknown": "a PATCH on an unknown id creates that customer",
    "odd-id-crash": "ids with characters outside ASCII crash the server (500)",
    "hang": "a PATCH that sends location null gets no answer in time",
    # Between the suite and the API: gateways, proxies, a broken transport
    "redirect-301-applied": "every PATCH is applied, then answered 301 Moved Permanently to the customer's URL",
    "redirect-302": "every PATCH is answered 302 Found to a sign-in page, and not applied",
    "redirect-303": "every PATCH is answered 303 See Other to the customer's own URL, and not applied",
    "redirect-307-elsewhere": "every PATCH is answered 307 Temporary Redirect to another route, and not applied",
    "redirect-308-applied": "every PATCH is applied, then answered 308 Permanent Redirect to another route",
    "slow-drip": "a PATCH that sets notes gets its 200 body a few bytes at a time, over 6 s",
    "persistent-503": "a PATCH that sets notes answers 503 Service Unavailable (an HTML page), every time",
    "broken-gzip": "a PATCH that sets notes answers 200 with Content-Encoding gzip and a body that is not gzip",
    "reset-mid-body": "a PATCH that sets notes gets half its 200 body, then a reset connection",
    "read-back-503": "from the 20th GET to the 200th, two of every five answer 503 (an HTML page)",
    # Not a break of the contract, but of the suite's safety net
    "locked-after-40": "after 40 requests every PATCH answers 409 Conflict, so restoring the customer fails",
    "cut-short": "after 30 requests every response is cut short and its connection closed, a broken transport",
    "locked-for-a-while": "from the 40th request on, every PATCH answers 409 Conflict for 6 s (Retry-After: 0)",
    "throttles-control-characters": ("a gateway answers 429 (after every retry) to every body with a control "
                                     "character: those probes get no verdict"),
    "updates-refuse-the-token": "every PATCH answers 401 to the token that reads the customer: no update is judged",
    # Legal choices the contract leaves open: a correct suite passes each, and all of them at once
    "legal-422-for-invalid": "schema-invalid bodies get 422 (with a listed code) instead of 400",
    "legal-empty-body-rejected": "a PATCH without a body is rejected with 400 instead of being an empty update",
    "legal-lenient-media-type": "a body is read as JSON whatever its Content-Type",
    "legal-strict-accept-language": ("a malformed Accept-Language, and a time zone that is no IANA name, are "
                                     "rejected with 400 as malformed"),
    "legal-default-language": "the enterprise's default language is nl, not en",
    "legal-weighted-languages": "Accept-Language is ranked by its q weights, not taken in the order given",
    "legal-translation-extras-dropped": ("unknown properties of a translation item are dropped, not stored and "
                                         "echoed, and a translation sent twice is stored once"),
    "legal-geocoder-fills": "a location sent without postalCode or state gets them from the geocoder",
    "legal-location-merged": "a location sent in part is merged into the stored one (RFC 7396), not replacing it",
    "legal-coordinates-rounded": "coordinates are stored to 7 decimals, and the PATCH answers with them as sent",
    "legal-location-decides-time-zone": ("a location sent decides the time zone, even when a timeZone is sent too "
                                         "(and the customer's zone does not match its location)"),
    "legal-location-extras": ("a location (in the language asked) and the 200 envelope carry properties the page "
                              "does not name"),
    "legal-time-offsets": "date-times are written +00:00 with microseconds in GET answers, Z with milliseconds in PATCH ones",
    "legal-nulls-omitted": "a null field the response does not require is left out instead of sent as null",
    "legal-country-code-upper": "a country code is stored in upper case, whatever case it was sent in",
    "legal-json-charset": "responses are application/json; charset=utf-8",
    "legal-problem-json": "errors other than 404 and 422 are application/problem+json",
    "legal-media-type-415": "a body in a media type other than JSON is refused with 415",
    "legal-odd-id-rejected": "an id with characters a URL must encode is refused as malformed (400)",
    "legal-connection-close": "every response closes the connection",
    "legal-no-correlation-echo": "X-Correlation-Id is not echoed",
    "legal-extra-error-properties": "error envelopes and error objects carry extra properties",
    "legal-token-revoked": "every issued access token is revoked every 150 requests (401 until a new one is fetched)",
    "legal-rate-limit": ("the 3rd and the 54th request of every hundred, up to the 700th, start four 429s in a "
                         "row (more than the client retries), with Retry-After: 0"),
    "legal-gateway-blip": "the 25th and the 60th request answer 503 once (an HTML page, Retry-After: 1)",
    "legal-retry-after-date": ("the 15th and the 40th request answer 429 with Retry-After as an HTTP-date 5 s ahead, "
                               "and so does every request until then"),
    "legal-gzip": "every response is gzip-encoded when the request accepts it",
    "legal-chunked": "every response body is sent with Transfer-Encoding: chunked, in pieces",
    "legal-one-translation-per-language": "a translation list keeps one translation per language: the last one sent",
    # Relations between requests (judging/relations.py)
    "formatted-address-from-old-row": ("formattedAddress is built from the row as it was loaded, before the update's "
                                       "changes: it shows the location before the last one"),
    "trim-compared-not-stored": ("text is compared trimmed to decide whether it changed, and stored as sent when it "
                                 "did: a value that differs only in spaces around it is not stored"),
    "case-insensitive-no-op": ("text is compared case-insensitively to decide whether it changed: a value that differs "
                               "only in case is answered as sent and not stored"),
    "read-cache-ignores-language": ("GET answers are cached by URL until the next update, whatever Accept-Language "
                                    "they were asked in"),
    "id-parsed-as-number": "an id that is not found is looked up again as a number (leading zeros, a sign, other digits)",
    "server-set-from-body": "an update copies createdAt, updatedAt and deletedAt from the body (mass assignment)",
    "body-id-selects-customer": "an update whose body names an id updates the customer of that id, not the path's",
    "body-id-creates-customer": "an update whose body names an unknown id also inserts a customer with that id",
    "chosen-time-zone-as-offset": "a time zone the server resolves is stored as a UTC offset (UTC+01:00), no IANA name",
    "lost-update": ("an update reads the customer, works on it for 30 ms and writes the whole row back: of two at the "
                    "same moment, one is lost"),
    "update-renames-namesakes": ("an update of company or email renames every customer that had the same value (the "
                                 "values live in a table of their own, updated by value)"),
    # Found by a red team that had not read the checks (the kinds the faults above did not have)
    "read-cache-partly-invalidated": ("GET answers are cached by customer and Accept-Language; an update clears the "
                                      "entry of its own language only"),
    "replica-one-write-behind": "every other GET is answered by a replica that has all but the last write",
    "correlation-id-replays": ("X-Correlation-Id is taken for an idempotency key: a later update with the same id "
                               "gets the first one's answer and is not applied"),
    "scope-cached-per-token": ("the token check is cached without the token's scopes: a read-only token that has "
                               "read once may then update"),
    "auth-cached-per-connection": "the token is checked on a connection's first request only",
    "gateway-body-limit-8k": "a proxy refuses bodies over 8 KiB with its own 413 page",
    "language-copied-to-company": ("an after-commit job copies a changed language to every customer of the same "
                                   "company"),
    "non-uuid-correlation-id-500": ("the access log's middleware parses X-Correlation-Id as a UUID after the update "
                                    "is made: any other id gets a 500"),
    # Found by a third red team, asked for updates of one customer that reach others
    "phone-updated-by-old-value": ("a phoneNumber change is UPDATE ... WHERE phone = the old one: every customer "
                                   "with that number gets the new one"),
    "shared-address-row": ("addresses are one row per postal code and country, overwritten in place by an update's "
                           "new location: customers at the same address move with it"),
    "email-unique-by-moving": "an email is kept unique by taking it from the customer that had it (set to null)",
    "cache-key-truncated": ("a read-through cache cuts its keys to 16 characters: ids with the same first three "
                            "characters share an entry"),
    "null-bind-buffer-reused": ("a text set to null is written as the last non-null value that column was given, "
                                "on any customer"),
    "dirty-check-other-snapshot": ("the ORM decides what changed against the last customer loaded or written, "
                                   "whatever its id: a value that customer had is not stored"),
    "content-length-in-characters": "JSON is written as UTF-8, but Content-Length counts its characters",
    "unread-body-on-401": ("a request refused for its token is answered before its body is read: on a kept-alive "
                           "connection the body is read as the next request"),
    "update-ignores-enterprise": "the PATCH route does not check the enterprise in the path (the GET route does)",
    "read-only-empty-update-allowed": "the scope check sits in the write path: an empty update with a read-only token gets 200",
    "null-postal-code-kept": "a location merged with `or`: postalCode sent as null (or left out) keeps the stored one",
    "any-language-default-only": "for * or no Accept-Language only the default language is tried, never any other",
    "absent-translation-falls-back": "a language without a translation gets the first translation instead of null",
    "existing-null-stored": "existing sent as null is stored as null (the default to false was lost)",
    "read-cache-never-cleared": "GET answers are cached by customer and Accept-Language, and no update clears them",
    "coordinates-as-float32": "coordinates are stored in single precision (51.0479466 comes back 51.04794692993164)",
    "blank-trimmed-to-empty": "firstName, lastName and company are trimmed, a value of spaces to \"\"",
    "cut-at-255-bytes": "externalId is cut at 255 UTF-8 bytes (not characters) and stored so, with a 200",
    "language-from-accept-language": "the response's language is the one Accept-Language asks for, not the stored one",
    # Found by a fourth red team
    "error-message-untranslated-empty": ("an error's message is looked up in a catalogue by Accept-Language; a "
                                         "language it lacks gets an empty message"),
    "geolocation-columns-swapped": "a location's latitude and longitude are written to each other's columns",
    "null-time-zone-stored": "timeZone sent as null is stored as null, not resolved from the location or defaulted",
    "null-translation-key-omitted": ("a location's city, state, street1 and street2 without a translation in the "
                                     "language asked are left out instead of sent as null"),
    "language-case-insensitive-enum": ("language is checked against its enum in lower case, and stored as sent: "
                                       "EN is accepted and comes back EN"),
    # Found by a fifth red team
    "utc-minus-zero-on-write": "a PATCH answers updatedAt with the -00:00 offset (a naive date-time written as UTC)",
    "antimeridian-normalised": "a longitude of exactly 180 is stored and answered as -180 (a geography column's range)",
    "error-arguments-double-encoded": "a 422's arguments are sent as a JSON text, not an object",
    "locale-leaks-between-requests": ("the last Accept-Language sent is kept server-wide: a request without one is "
                                      "answered in it"),
    "utf8mb3-astral-to-question-mark": ("text fields are stored in a 3-byte UTF-8 column: characters beyond the Basic "
                                        "Multilingual Plane become ?"),
    "first-language-only": ("only the first tag of Accept-Language is used: ja * gets null where a translation "
                            "exists"),
    # Tenant boundary
    "enterprise-ignored": "the enterprise in the path is not checked: a customer is served under any enterprise",
    "read-only-token-writes": "a token with the read-only scope can update a customer",
    # Safety of what a run leaves behind (test_safety.py)
    "echoes-authorization": ("every answer quotes the Authorization header it got: in the error messages, in a "
                             "200 body's envelope and in a response header (a careless gateway does)"),
    "legal-refusals-are-401": ("a customer under another enterprise and an update with a read-only token answer 401 "
                               "(instead of 404 and 403): the page does not say which"),
    "legal-other-enterprise-forbidden": ("a customer under another enterprise answers 403 (organisation settings "
                                         "forbid it) instead of 404"),
    "legal-text-trimmed": "leading and trailing spaces of text fields are trimmed before they are stored",
    "legal-server-set-refused": "a body naming id, createdAt, updatedAt or deletedAt is refused with 400",
    "legal-no-op-keeps-updated-at": "an update that changes nothing leaves updatedAt as it was",
    "legal-simultaneous-409": ("an update that arrives while another of the same customer is being written answers "
                               "409 Conflict (each write takes 30 ms)"),
    "legal-all-at-once": "every legal-* choice above, together",
}


ALL_AT_ONCE = "legal-all-at-once"
LEGAL = tuple(name for name in FAULTS if name.startswith("legal-") and name != ALL_AT_ONCE)


class Switches:
    """The switches of one variant, asked by name: `"drop-field" in switches`. A name the registry lacks raises
    KeyError. `customers`: the faults show on these customers only (a test of lanes), the legal choices on every
    one; `at` is the one place that scope is decided."""

    def __init__(self, names: Iterable[str] = (), customers: Iterable[str] | None = None) -> None:
        names = list(names)
        unknown = sorted(set(names) - FAULTS.keys())
        if unknown:
            raise ValueError(f"unknown fault {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")
        if ALL_AT_ONCE in names:
            names = [name for name in names if name != ALL_AT_ONCE] + list(LEGAL)
        self._on = frozenset(names)
        self._customers = frozenset(customers) if customers is not None else None

    def __contains__(self, name: object) -> bool:
        if name not in FAULTS:
            raise KeyError(f"the reference server asks for a switch no variant has: {name!r}")
        return name in self._on

    def __bool__(self) -> bool:
        return bool(self._on)

    def __repr__(self) -> str:
        return f"Switches({sorted(self._on)!r})"

    @property
    def on(self) -> frozenset[str]:
        """The names switched on, legal-all-at-once spelt out."""
        return self._on

    def at(self, customer_id: str) -> Switches:
        """The switches for what the server does to one customer."""
        if self._customers is None or customer_id in self._customers:
            return self
        return Switches(name for name in self._on if name.startswith("legal-"))
