"""Each check on hand-made exchanges: it passes what its clause allows, including every reading the page
leaves open, and fails what breaks its clause, with a signature that names the broken part."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from requests.structures import CaseInsensitiveDict

from engage_contract import contract as contract_module
from engage_contract import internals
from engage_contract.judging import checks
from engage_contract.judging.checks.translations import requested_language, requested_languages
from engage_contract.judging.exchange import Exchange, ReadBack, Sent

CONTRACT = contract_module.load()
CUSTOMER_ID = "1001"
OK_EXAMPLE = CONTRACT.document["components"]["responses"]["Customer"]["content"]["application/json"]["examples"]
CUSTOMER = {**OK_EXAMPLE["seed"]["value"]["data"], "id": CUSTOMER_ID, "deletedAt": None}
KEEP = object()  # the after-read is the 200 body


def customer(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CUSTOMER)
    for path, value in changes.items():
        node, *keys = path.split("__")
        target = data
        for key in [node, *keys][:-1]:
            target = target[key]
        target[[node, *keys][-1]] = value
    return data


def error(status: int, code: str = "SOME_ERROR") -> dict[str, Any]:
    return {"errors": [{"message": "m", "code": code, "type": "t", "statusCode": str(status)}]}


def exchange(status: int = 200, response: Any = KEEP, *, body: Any = None, raw: bytes | None = None,
             content_type: str = "application/json", response_type: str = "application/json",
             path_id: str = CUSTOMER_ID, accept_language: str | None = None, authorized: bool = True,
             before: Any = KEEP, after: Any = KEEP, after_status: int | None = None, known_good: bool = False,
             inconclusive: str | None = None, method: str = "PATCH", read_only: bool = False,
             elsewhere: bool = False) -> Exchange:
    """An exchange: `response` is the 200 data (or a whole error body), `after` the read-back data."""
    if raw is None and body is not None:
        raw = json.dumps(body).encode()
    headers = CaseInsensitiveDict({"X-Correlation-Id": "c0ffee"})
    if raw:
        headers["Content-Type"] = content_type
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    if status == 200:
        data = customer() if response is KEEP else response
        payload = {"data": data}
    else:
        data = None
        payload = error(status) if response is KEEP else response
    if after is KEEP:
        after = data if status == 200 else customer()
    return Exchange(
        contract=CONTRACT,
        sent=Sent(method, path_id, headers, raw),
        status=status,
        headers={"content-type": response_type},
        content=json.dumps(payload).encode(),
        customer_id=CUSTOMER_ID,
        authorized=authorized,
        before=customer() if before is KEEP else before,
        created_at=CUSTOMER["createdAt"],
        # As the judge reads back: with the request's Accept-Language only when it is as the notes describe it.
        after=ReadBack(after_status or (200 if after is not None else 404), after,
                       accept_language if CONTRACT.header_validators["Accept-Language"].is_valid(accept_language)
                       else None, inconclusive),
        known_good=known_good,
        read_only=read_only,
        elsewhere=elsewhere,
    )


def verdict(check, exchange_: Exchange) -> str | None:
    """None when the check passes, else the signature of its violation."""
    try:
        check(exchange_)
    except checks.Violation as violation:
        return violation.signature or "(no signature)"
    return None


def with_location(**parts: Any) -> dict[str, Any]:
    location = copy.deepcopy(CONTRACT.request_example["location"])
    location.update(parts)
    return location


SENT_LOCATION = with_location(postalCode="1000", translations={"city": [{"language": "en", "value": "Brussels"}],
                                                                "street1": [{"language": "en", "value": "Grand-Place 1"}]})


def stored_location(**parts: Any) -> dict[str, Any]:
    location = copy.deepcopy(CUSTOMER["location"])
    location.update(postalCode="1000", translations={
        "city": [{"language": "en", "value": "Brussels"}], "state": [],
        "street1": [{"language": "en", "value": "Grand-Place 1"}], "street2": []},
        city={"language": "en", "value": "Brussels"}, state=None,
        street1={"language": "en", "value": "Grand-Place 1"}, street2=None)
    location.update(parts)
    return location


def _twice_in_a_city(stored: list[tuple[str, str]], also: tuple[str, str] | None = None) -> Exchange:
    """A location whose city is sent in English twice (Brussels, Bruxelles; `also` a third translation), stored
    with `stored`."""
    sent = [{"language": "en", "value": "Brussels"}, {"language": "en", "value": "Bruxelles"}]
    if also is not None:
        sent.append({"language": also[0], "value": also[1]})
    kept = [{"language": language, "value": value} for language, value in stored]
    location = stored_location(translations={**stored_location()["translations"], "city": kept}, city=kept[0])
    return exchange(response=customer(location=location), body={"location": {
        **SENT_LOCATION, "translations": {**SENT_LOCATION["translations"], "city": sent}}})


R, S, PS = checks.response_form, checks.input_handling, checks.patch_semantics
T, I = checks.translations, checks.identity
CASES: list[tuple[str, Any, Exchange, str | None]] = [
    # (what, check, exchange, expected signature or None for a pass)
    ("a valid 200 body", R.ok_body_matches_schema, exchange(body={}), None),
    ("a 200 with an unknown property under data", R.ok_body_matches_schema,
     exchange(response=customer(nickname="Jo"), body={}), ":additionalProperties"),
    ("a 200 sent as text/plain", R.ok_body_matches_schema, exchange(body={}, response_type="text/plain"), "content-type"),
    ("a 200 in application/json; charset=utf-8", R.ok_body_matches_schema,
     exchange(body={}, response_type="application/json; charset=utf-8"), None),
    ("a 400 in application/problem+json", R.error_body_is_envelope,
     exchange(400, body={"email": ""}, response_type="application/problem+json"), None),
    ("a 404 in application/problem+json (the page says application/json)", R.error_body_is_envelope,
     exchange(404, path_id="x", body={}, response_type="application/problem+json"), "content-type"),
    ("a 404 envelope", R.error_body_is_envelope, exchange(404, path_id="x", body={}), None),
    ("a 404 whose statusCode says 400", R.error_body_is_envelope,
     exchange(404, error(400), path_id="x", body={}), "statusCode-for-404"),
    ("an empty errors list", R.error_body_is_envelope, exchange(400, {"errors": []}, body={}), "errors:minItems"),
    ("an envelope with extra properties", R.error_body_is_envelope,
     exchange(400, {**error(400), "traceId": "t"}, body={}), None),
    ("a 422 with a listed code", R.business_error_code_is_listed,
     exchange(422, error(422, "LOCATION_GEOCODING_FAILED"), body={}), None),
    ("a 422 with an unlisted code", R.business_error_code_is_listed, exchange(422, error(422, "NOPE"), body={}), "NOPE"),
    ("a 409", R.status_is_documented, exchange(409, body={}), None),
    ("a 418", R.status_is_documented, exchange(418, body={}), "418"),
    ("a 503", R.status_is_documented, exchange(503, body={}), "503"),
    ("a 303 to the customer's own URL", R.status_is_documented, exchange(303, {}, body={}), "303"),
    ("a 307 to another route", R.status_is_documented, exchange(307, {}, body={}), "307"),
    ("a 415 for JSON sent as text/plain", R.status_is_documented,
     exchange(415, raw=b"{}", content_type="text/plain"), None),
    ("a 415 for JSON", R.status_is_documented, exchange(415, body={}), "415"),
    ("a valid body refused with a listed 422", S.valid_input_accepted, exchange(422, body={"firstName": "A"}), None),
    ("a valid body refused with 400", S.valid_input_accepted, exchange(400, body={"firstName": "A"}), "400"),
    ("a valid body with a malformed Accept-Language refused with 400", S.valid_input_accepted,
     exchange(400, body={"firstName": "A"}, accept_language="&9"), None),
    ("a valid body with an Accept-Language unlike the notes' refused with 400", S.valid_input_accepted,
     exchange(400, body={"firstName": "A"}, accept_language="en;q=0.5"), None),
    ("a valid body refused with 401 although our token went (expired?)", S.valid_input_accepted,
     exchange(401, body={"firstName": "A"}), None),
    ("a time zone that is no IANA name refused with 400", S.valid_input_accepted,
     exchange(400, body={"timeZone": "Engage/Nowhere"}), None),
    ("an IANA time zone refused with 400", S.valid_input_accepted, exchange(400, body={"timeZone": "Europe/Paris"}),
     "400"),
    ("a valid body with an unknown top-level property", S.valid_input_accepted,
     exchange(400, body={"nickname": "zzz"}), "400"),
    ("a body naming a property only the server sets, refused", S.valid_input_accepted,
     exchange(400, body={"notes": "n", "createdAt": "2001-01-01T00:00:00.000Z"}), None),
    ("text stored trimmed", PS.sent_values_stored, exchange(body={"firstName": " Ada "}, response=customer(firstName="Ada")),
     None),
    ("text stored cut otherwise", PS.sent_values_stored,
     exchange(body={"firstName": " Ada "}, response=customer(firstName="Ad")), "firstName"),
    ("a time zone the server chose, no IANA name", PS.chosen_time_zone_is_iana,
     exchange(body={"timeZone": None}, response=customer(timeZone="UTC+01:00")), "timeZone"),
    ("a time zone the server chose, an IANA name", PS.chosen_time_zone_is_iana,
     exchange(body={"timeZone": None}, response=customer(timeZone="Europe/Paris")), None),
    ("a zone the customer had already, kept", PS.chosen_time_zone_is_iana,
     exchange(body={"firstName": "Ada"}, response=customer(timeZone="Legacy/Zone"),
              before=customer(timeZone="Legacy/Zone")), None),
    ("a valid body answered 429 after the retries", S.valid_input_accepted, exchange(429, body={}), None),
    ("an invalid body rejected with 422", S.invalid_input_rejected, exchange(422, body={"firstName": ""}), None),
    ("an invalid body accepted", S.invalid_input_rejected, exchange(body={"firstName": ""}), "200"),
    ("bytes that are not JSON accepted", S.invalid_input_rejected, exchange(raw=b"{'a': 1}"), "200"),
    ("JSON sent as text/plain accepted (a lenient server)", S.invalid_input_rejected,
     exchange(raw=b'{"firstName": ""}', content_type="text/plain"), None),
    ("the page's example accepted", S.example_request_accepted,
     exchange(body=CONTRACT.request_example, known_good=True), None),
    ("the page's example refused with a listed 422", S.example_request_accepted,
     exchange(422, body=CONTRACT.request_example, known_good=True), "422"),
    ("no body: 200, nothing changed", S.empty_update_changes_nothing, exchange(), None),
    ("zero bytes of JSON: 400", S.empty_update_changes_nothing, exchange(400, raw=b""), None),
    ("no body: 404", S.empty_update_changes_nothing, exchange(404), "404"),
    ("no body: 200, firstName cleared", S.empty_update_changes_nothing,
     exchange(response=customer(firstName=None)), "firstName"),
    ("no body: 200, cleared as read back", S.empty_update_changes_nothing,
     exchange(after=customer(notes=None)), "notes"),
    ("a 400 that changed nothing", S.rejected_request_changes_nothing, exchange(400, body={"email": ""}), None),
    ("a 400 that changed firstName", S.rejected_request_changes_nothing,
     exchange(400, body={"email": ""}, after=customer(firstName="X")), "firstName"),
    ("a 400 whose read-back got 429 after the retries", S.rejected_request_changes_nothing,
     exchange(400, body={"email": ""}, after=None, after_status=429, inconclusive="answered 429"), None),
    ("data.id is the path id", PS.id_matches_path, exchange(body={}), None),
    ("data.id is another", PS.id_matches_path, exchange(response=customer(id="1002"), body={}), "id"),
    ("a field sent comes back", PS.sent_values_stored,
     exchange(response=customer(firstName="Ada"), body={"firstName": "Ada"}), None),
    ("a field sent is dropped", PS.sent_values_stored, exchange(body={"company": "Other"}), "company"),
    ("a field sent as null is ignored", PS.sent_values_stored, exchange(body={"notes": None}), "notes"),
    ("unknown properties named like response fields", PS.sent_values_stored,
     exchange(body={"id": "zzz", "updatedAt": "2020-01-01T00:00:00Z"}), None),
    ("existing sent as null: the server chooses", PS.sent_values_stored, exchange(body={"existing": None}), None),
    ("a timeZone sent with a location: the location decided", PS.sent_values_stored,
     exchange(response=customer(location=stored_location()), body={"timeZone": "Europe/Paris", "location": SENT_LOCATION}),
     None),
    ("a timeZone sent alone is not stored", PS.sent_values_stored, exchange(body={"timeZone": "Europe/Paris"}), "timeZone"),
    ("fields not sent kept", PS.unsent_fields_kept, exchange(body={"firstName": "John"}), None),
    ("a field not sent reset", PS.unsent_fields_kept, exchange(response=customer(company=None), body={}), "company"),
    ("deletedAt sent as an unknown property and stored", PS.unsent_fields_kept,
     exchange(response=customer(deletedAt="2022-08-17T19:05:21.362Z"), body={"deletedAt": "2022-08-17T19:05:21.362Z"}),
     None),
    ("a location sent in part, replacing the stored one", PS.location_matches_sent,
     exchange(response=customer(location=stored_location()), body={"location": SENT_LOCATION}), None),
    ("a location sent in part, merged into the stored one", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(
         translations={**stored_location()["translations"], "state": CUSTOMER["location"]["translations"]["state"],
                       "street2": CUSTOMER["location"]["translations"]["street2"]})),
         body={"location": SENT_LOCATION}), None),
    ("a location whose unsent state a geocoder filled in", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(
         translations={**stored_location()["translations"], "state": [{"language": "en", "value": "Other"}]})),
         body={"location": SENT_LOCATION}), None),
    ("a location whose sent city is another", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(
         translations={**stored_location()["translations"], "city": [{"language": "en", "value": "Other"}]})),
         body={"location": SENT_LOCATION}), "location.translations.city"),
    ("a location with a repeated translation stored once, its country code in lower case", PS.location_matches_sent,
     exchange(response=customer(location=stored_location()), body={"location": {
         **SENT_LOCATION, "countryCode": "be", "translations": {
             **SENT_LOCATION["translations"], "city": SENT_LOCATION["translations"]["city"] * 2}}}), None),
    ("one language sent twice in a city, one of its values stored", PS.location_matches_sent,
     _twice_in_a_city([("en", "Bruxelles")]), None),
    ("one language sent twice in a city, both values stored", PS.location_matches_sent,
     _twice_in_a_city([("en", "Brussels"), ("en", "Bruxelles")]), None),
    ("one language sent twice in a city, a value never sent stored", PS.location_matches_sent,
     _twice_in_a_city([("en", "Elsewhere")]), "location.translations.city"),
    ("one language sent twice in a city, another language dropped", PS.location_matches_sent,
     _twice_in_a_city([("en", "Brussels")], also=("nl", "Brussel")), "location.translations.city"),
    ("one language sent twice in a city, a foreign language added", PS.location_matches_sent,
     _twice_in_a_city([("en", "Brussels"), ("fr", "Bruxelles")]), "location.translations.city"),
    ("a location whose postalCode is lost", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(postalCode=None)), body={"location": SENT_LOCATION}),
     "location.postalCode"),
    ("coordinates stored to 7 decimals", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(geolocation={"latitude": 50.1234568, "longitude": 4.1})),
              body={"location": with_location(geolocation={"latitude": 50.123456789, "longitude": 4.1},
                                             translations=SENT_LOCATION["translations"], postalCode="1000")}), None),
    ("coordinates stored to 2 decimals", PS.location_matches_sent,
     exchange(response=customer(location=stored_location(geolocation={"latitude": 50.12, "longitude": 4.1})),
              body={"location": with_location(geolocation={"latitude": 50.123456789, "longitude": 4.1},
                                             translations=SENT_LOCATION["translations"], postalCode="1000")}),
     "location.geolocation"),
    ("read back as answered", PS.change_persists, exchange(body={}), None),
    ("read back different", PS.change_persists, exchange(body={}, after=customer(lastName="Roe")), "lastName"),
    ("read back with createdAt the same instant, written otherwise", PS.change_persists,
     exchange(body={}, after=customer(createdAt=CUSTOMER["createdAt"].replace(".362Z", ".362000+00:00"))), None),
    ("read back with a location property the page does not name, in another language", S.rejected_request_changes_nothing,
     exchange(400, body={"email": ""}, before=customer(location__countryName="Belgium"),
              after=customer(location__countryName="België")), None),
    ("read back with 409 after the retries", PS.change_persists,
     exchange(body={}, after=None, after_status=409, inconclusive="answered 409"), None),
    ("createdAt kept", PS.timestamps_are_consistent, exchange(body={}), None),
    ("createdAt moved", PS.timestamps_are_consistent,
     exchange(response=customer(createdAt="2023-01-01T00:00:00Z", updatedAt="2023-01-01T00:00:00Z"), body={}),
     "createdAt"),
    ("updatedAt before createdAt", PS.timestamps_are_consistent,
     exchange(response=customer(updatedAt="2021-01-01T00:00:00Z"), body={}), "updatedAt"),
    ("picked translations listed", T.picked_translations_are_listed, exchange(body={}), None),
    ("a picked city not listed", T.picked_translations_are_listed,
     exchange(response=customer(location__city={"language": "en", "value": "Elsewhere"}), body={}), "location.city"),
    ("asked for en, got en", T.requested_language_honoured, exchange(body={}, accept_language="en"), None),
    ("asked for nl, which no translation has: null", T.requested_language_honoured,
     exchange(response=customer(location__city=None, location__state=None, location__street1=None,
                                location__street2=None), body={}, accept_language="nl"), None),
    ("asked for nl, which no translation has: en", T.requested_language_honoured,
     exchange(body={}, accept_language="nl"), "location.city:absent"),
    ("asked for nl-BE: the platform's matching is not stated", T.requested_language_honoured,
     exchange(body={}, accept_language="nl-BE"), None),
    ("asked for 'nl,' (malformed: may be ignored)", T.requested_language_honoured,
     exchange(body={}, accept_language="nl,"), None),
    ("asked for any: null although translations exist", T.requested_language_honoured,
     exchange(response=customer(location__city=None), body={}, accept_language="*"), "location.city:any"),
    ("no Accept-Language: null although translations exist, in the read-back", T.requested_language_honoured,
     exchange(body={}, after=customer(location__street1=None)), "location.street1:any"),
    ("asked for nl then any (the notes' form): en", T.requested_language_honoured,
     exchange(body={}, accept_language="nl *"), None),
    ("asked for nl then any: null although translations exist", T.requested_language_honoured,
     exchange(response=customer(location__city=None), body={}, accept_language="nl *"), "location.city:any"),
    ("asked for en, nl: en", T.requested_language_honoured, exchange(body={}, accept_language="en, nl"), None),
    ("asked for nl, de: none of their translations, so null", T.requested_language_honoured,
     exchange(response=customer(location__city=None, location__state=None, location__street1=None,
                                location__street2=None), body={}, accept_language="nl, de"), None),
    ("asked for nl, de: en, which neither is", T.requested_language_honoured,
     exchange(body={}, accept_language="nl, de"), "location.city:several"),
    ("a wrong token refused", I.unauthenticated_request_rejected, exchange(401, body={}, authorized=False), None),
    ("a wrong token served", I.unauthenticated_request_rejected, exchange(body={}, authorized=False), "no token:200"),
    ("no token: 429 after the retries", I.unauthenticated_request_rejected, exchange(429, body={}, authorized=False),
     None),
    ("no token and an invalid body: 400 first", I.unauthenticated_request_rejected,
     exchange(400, body={"email": ""}, authorized=False), None),
    ("no token and a valid body: 400", I.unauthenticated_request_rejected,
     exchange(400, body={}, authorized=False), "no token:400"),
    ("an unknown id: 404", I.unknown_id_not_found, exchange(404, path_id="absent", body={}, after=None), None),
    ("an unknown id: 200", I.unknown_id_not_found, exchange(path_id="absent", body={}, after=None), "200"),
    ("an unknown id: 404, then found", I.unknown_id_not_found,
     exchange(404, path_id="absent", body={}, after=customer(id="absent")), "read-back-200"),
    ("an unknown id: 429 after the retries", I.unknown_id_not_found, exchange(429, path_id="absent", body={}), None),
    ("an odd unknown id: 400, malformed", I.unknown_id_not_found,
     exchange(400, path_id="absent/ünï", body={}, after=None, after_status=400), None),
    ("a plain unknown id: 400", I.unknown_id_not_found, exchange(400, path_id="absent", body={}, after=None), "400"),
    ("another enterprise: 404", I.other_enterprise_refused, exchange(404, method="GET", elsewhere=True), None),
    ("another enterprise: 403", I.other_enterprise_refused, exchange(403, method="GET", elsewhere=True), None),
    ("another enterprise: 401", I.other_enterprise_refused, exchange(401, method="GET", elsewhere=True), None),
    ("another enterprise: the customer", I.other_enterprise_refused, exchange(method="GET", elsewhere=True), "200"),
    ("another enterprise: 400", I.other_enterprise_refused, exchange(400, method="GET", elsewhere=True), "400"),
    ("our enterprise: the customer", I.other_enterprise_refused, exchange(method="GET"), None),
    ("a read-only token: 403", I.read_only_token_cannot_write,
     exchange(403, body={}, authorized=False, read_only=True), None),
    ("a read-only token: 401", I.read_only_token_cannot_write,
     exchange(401, body={}, authorized=False, read_only=True), None),
    ("a read-only token: 200", I.read_only_token_cannot_write, exchange(body={}, authorized=False, read_only=True),
     "200"),
    ("a read-only token: 429 after the retries", I.read_only_token_cannot_write,
     exchange(429, body={}, authorized=False, read_only=True), None),
    ("a read-only token is no wrong token", I.unauthenticated_request_rejected,
     exchange(body={}, authorized=False, read_only=True), None),
]


@pytest.mark.parametrize(("check", "exchange_", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_check_on_a_canned_exchange(check, exchange_: Exchange, expected: str | None) -> None:
    found = verdict(check, exchange_)
    if expected is None:
        assert found is None, f"{check.__name__} failed a legal exchange: {found}"
    else:
        assert found is not None and expected in found, f"{check.__name__} gave {found!r}, expected {expected!r}"


def test_a_401_elsewhere_is_an_answer_only_while_our_token_works_at_home() -> None:
    assert not exchange(401, method="GET", elsewhere=True).inconclusive  # the read-back at home got 200
    assert exchange(401, method="GET", elsewhere=True, after=None, after_status=401).inconclusive
    assert exchange(401, body={}).inconclusive  # at home, our own token refused: no verdict, as before


def test_every_check_is_shown_to_fail() -> None:
    failing = {case[1].__name__ for case in CASES if case[3] is not None}
    assert failing == {check.__name__ for check in checks.ALL}


@pytest.mark.parametrize(("header", "wanted"), [
    (None, "*"), ("*", "*"), ("en", "en"), ("EN", "en"), (" en ", "en"),
    ("en *", None), ("en, nl", None), ("nl-BE", None), ("", None), ("&9", None),
])
def test_requested_language(header: str | None, wanted: str | None) -> None:
    assert requested_language(header) == wanted


@pytest.mark.parametrize(("header", "wanted"), [
    (None, (set(), True)), ("*", (set(), True)), ("EN", ({"en"}, False)), ("en *", ({"en"}, True)),
    ("en, nl", ({"en", "nl"}, False)), ("nl;q=0.5, en", None), ("nl-BE *", None), ("", None),
])
def test_requested_languages(header: str | None, wanted: tuple[set[str], bool] | None) -> None:
    assert requested_languages(header) == (None if wanted is None else (frozenset(wanted[0]), wanted[1]))


def test_a_violation_signature_never_carries_a_correlation_id() -> None:
    wrapped = checks.as_schemathesis_checks((R.status_is_documented,), lambda case: exchange(418, body={}))[0]

    class Case:
        class operation:
            label = "PATCH /customers/{id}"

    with pytest.raises(checks.ContractViolation) as failure:
        wrapped(None, None, Case())
    assert "c0ffee" in failure.value.message and "c0ffee" not in internals.failure_key(failure.value)
