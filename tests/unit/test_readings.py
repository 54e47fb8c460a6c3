"""Readings on hand-made exchanges and answers: each observer names the choice an answer shows, and only when
the answer can show it; a reading is what every answer agrees on; a change is a reading no choice of which
is still possible."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from requests.structures import CaseInsensitiveDict

from engage_contract.http.client import AnswerObserver
from engage_contract.judging import silences
from engage_contract.judging.judge import ExchangeObserver
from engage_contract.judging.silences import MIXED, NOT_REACHED, Readings, Seen
from engage_contract.reporting import readings
from engage_contract.reporting.readings import ReadingsFileError
from tests.unit.test_checks import CONTRACT, customer, exchange

EXAMPLE = CONTRACT.request_example


def _reading(*exchanges, name: str) -> dict:
    found = Readings()
    for x in exchanges:
        found.exchange(x)
    return found.result()[name]


def _location(**changes) -> dict:
    location = copy.deepcopy(EXAMPLE["location"])
    location.update(changes)
    return location


def _answered(location: dict | None = None, **fields) -> dict:
    """The 200 data of the seed customer with its location as given."""
    data = customer(**fields)
    if location is not None:
        data["location"] = location
    return data


@pytest.mark.parametrize(("status", "reading"), [(200, "an empty update"), (400, "400"), (422, "422")])
def test_empty_body_reading(status: int, reading: str) -> None:
    assert _reading(exchange(status, raw=b""), name="empty-body")["reading"] == reading


def test_invalid_and_malformed_bodies_are_read_apart() -> None:
    invalid = exchange(422, body={"existing": "yes"})
    malformed = exchange(400, raw=b'{"firstName": ')
    assert _reading(invalid, malformed, name="invalid-body")["reading"] == "422"
    assert _reading(invalid, malformed, name="malformed-json")["reading"] == "400"


def test_foreign_media_type_reading_only_for_a_body_valid_as_json() -> None:
    valid = json.dumps({"firstName": "Ada"}).encode()
    assert _reading(exchange(200, raw=valid, content_type="text/plain"), name="foreign-media-type")["reading"] == \
        "read as JSON"
    assert _reading(exchange(415, raw=valid, content_type="text/plain"), name="foreign-media-type")["reading"] == "415"
    assert _reading(exchange(400, raw=b"{", content_type="text/plain"), name="foreign-media-type")["reading"] == \
        NOT_REACHED


def _partial(got_postal_code, before_postal_code="9000"):
    sent = _location()
    del sent["postalCode"]
    before = _answered(_location(postalCode=before_postal_code))
    got = _answered(_location(postalCode=got_postal_code))
    return exchange(200, got, body={"location": sent}, before=before)


def test_omitted_postal_code_cleared_kept_or_filled_in() -> None:
    assert _reading(_partial(None), name="omitted-postal-code")["reading"] == "cleared"
    assert _reading(_partial("9000"), name="omitted-postal-code")["reading"] == "kept or filled in"
    # A value that differs can only be a geocoder's: that tells kept and filled in apart.
    assert _reading(_partial("9000"), _partial("0000"), name="omitted-postal-code")["reading"] == "filled in"
    assert _reading(_partial(None, before_postal_code=None), name="omitted-postal-code")["reading"] == NOT_REACHED


def test_answers_that_disagree_are_mixed_with_an_example_each() -> None:
    row = _reading(_partial(None), _partial("0000"), name="omitted-postal-code")
    assert row["reading"] == MIXED and row["choices"] == []
    assert row["seen"] == {"cleared": 1, "filled in": 1}
    assert set(row["examples"]) == {"cleared", "filled in"}
    assert row["examples"]["cleared"]["request"] == "PATCH 1001" and row["examples"]["cleared"]["status"] == 200


def test_optional_nulls_read_field_by_field() -> None:
    answered = _answered(company=None, notes=None)
    del answered["company"]  # left out; notes sent as null: a server may do both
    row = _reading(exchange(200, answered, body={"firstName": "Ada"}, after=None), name="optional-nulls")
    assert row["parts"]["company"]["reading"] == "left out" and row["parts"]["notes"]["reading"] == "sent as null"


def test_country_code_case() -> None:
    sent = _location(countryCode=EXAMPLE["location"]["countryCode"].lower())
    upper = _answered(_location(countryCode=sent["countryCode"].upper()))
    as_sent = _answered(sent)
    assert _reading(exchange(200, upper, body={"location": sent}), name="country-code-case")["reading"] == "upper case"
    assert _reading(exchange(200, as_sent, body={"location": sent}), name="country-code-case")["reading"] == "as sent"


def test_number_precision_read_from_what_was_stored() -> None:
    precise = {"latitude": 51.123456789, "longitude": 3.987654321}
    rounded = {key: round(value, 7) for key, value in precise.items()}
    sent = _location(geolocation=precise)
    answered = _answered(sent)
    stored = _answered(_location(geolocation=rounded))
    assert _reading(exchange(200, answered, body={"location": sent}, after=stored),
                    name="number-precision")["reading"] == "rounded"
    assert _reading(exchange(200, answered, body={"location": sent}), name="number-precision")["reading"] == "as sent"


def test_time_zone_with_location() -> None:
    sent = _location()  # the example's place, in Belgium
    near = exchange(200, _answered(sent, timeZone="Europe/Brussels"), body={"location": sent, "timeZone": "Europe/Brussels"})
    far = exchange(200, _answered(sent, timeZone="Pacific/Auckland"), body={"location": sent, "timeZone": "Pacific/Auckland"})
    moved = exchange(200, _answered(sent, timeZone="Europe/Brussels"), body={"location": sent, "timeZone": "Asia/Tokyo"})
    assert _reading(near, name="time-zone-with-location")["reading"] == "the timeZone sent or the location"
    assert _reading(near, far, name="time-zone-with-location")["reading"] == "the timeZone sent"
    assert _reading(near, moved, name="time-zone-with-location")["reading"] == "the location"


def test_optional_nulls_sent_or_left_out() -> None:
    with_nulls = _answered(company=None)
    left_out = {key: value for key, value in with_nulls.items() if key != "company"}
    assert _reading(exchange(200, with_nulls, body={"company": None}), name="optional-nulls")["reading"] == "sent as null"
    assert _reading(exchange(200, left_out, body={"company": None}), name="optional-nulls")["reading"] == "left out"


def test_extra_properties_of_location_and_errors() -> None:
    extra = _answered(_location_response(countryName="Belgium"))
    assert _reading(exchange(200, extra, body={"firstName": "Ada"}), name="location-extras")["reading"] == \
        "some: countryName"
    assert _reading(exchange(200, body={"firstName": "Ada"}), name="location-extras")["reading"] == "none"
    traced = {"errors": [{"message": "m", "code": "C", "type": "t", "statusCode": "400", "traceId": "1"}]}
    assert _reading(exchange(400, traced, body={"existing": "yes"}), name="error-extras")["reading"] == \
        "some: errors[].traceId"
    assert _reading(exchange(400, body={"existing": "yes"}), name="error-extras")["reading"] == "none"


def _location_response(**extra) -> dict:
    return {**customer()["location"], **extra}


def test_date_time_form_on_patch_and_get() -> None:
    answered = customer(updatedAt="2026-01-02T03:04:05.123Z")
    read = customer(updatedAt="2026-01-02T03:04:05.123000+00:00")
    assert _reading(exchange(200, answered, body={"firstName": "Ada"}, after=answered),
                    name="date-time-form")["reading"] == "Z"
    assert _reading(exchange(200, answered, body={"firstName": "Ada"}, after=read),
                    name="date-time-form")["reading"] == "Z on PATCH, +00:00 on GET"


def test_error_media_type_of_errors_but_404_and_422() -> None:
    assert _reading(exchange(400, body={"existing": "yes"}, response_type="application/problem+json"),
                    name="error-media-type")["reading"] == "application/problem+json"
    assert _reading(exchange(404, path_id="absent"), name="error-media-type")["reading"] == NOT_REACHED


def test_malformed_accept_language_refused_or_ignored() -> None:
    assert _reading(exchange(400, body={"firstName": "Ada"}, accept_language="en;q=0.5,,"),
                    name="malformed-accept-language")["reading"] == "400"
    assert _reading(exchange(200, body={"firstName": "Ada"}, accept_language="en;q=0.5,,"),
                    name="malformed-accept-language")["reading"] == "ignored"
    assert _reading(exchange(200, body={"firstName": "Ada"}, accept_language="en"),
                    name="malformed-accept-language")["reading"] == NOT_REACHED


def test_non_iana_time_zone() -> None:
    assert _reading(exchange(400, body={"timeZone": "Nowhere"}), name="non-iana-time-zone")["reading"] == "400"
    assert _reading(exchange(422, body={"timeZone": "Nowhere"}), name="non-iana-time-zone")["reading"] == "422"


def _translated(entries: list[dict], **picked) -> dict:
    location = _location_response()
    location["translations"] = {**location["translations"], "city": entries}
    location.update(picked)
    return _answered(location)


def test_default_language_narrowed_by_every_answer() -> None:
    every = [{"language": language, "value": "V"} for language in CONTRACT.languages]
    picked_nl = _translated(every, city={"language": "nl", "value": "V"})
    assert _reading(exchange(200, picked_nl, body={"firstName": "Ada"}), name="default-language")["reading"] == "nl"
    # Asked in one language, the answer says nothing of the default.
    assert _reading(exchange(200, picked_nl, body={"firstName": "Ada"}, accept_language="nl"),
                    name="default-language")["reading"] == NOT_REACHED


def test_weighted_languages_by_weight_or_in_order() -> None:
    two = [{"language": "da", "value": "A"}, {"language": "de", "value": "B"}, {"language": "en", "value": "C"}]
    asked = "de;q=0.4, da;q=0.9"
    by_weight = _translated(two, city={"language": "da", "value": "A"})
    in_order = _translated(two, city={"language": "de", "value": "B"})
    assert _reading(exchange(200, by_weight, body={"firstName": "Ada"}, accept_language=asked, after=None),
                    name="weighted-languages")["reading"] == "by weight"
    assert _reading(exchange(200, in_order, body={"firstName": "Ada"}, accept_language=asked, after=None),
                    name="weighted-languages")["reading"] == "in the order given"
    neither = _translated(two, city={"language": "en", "value": "C"})
    assert _reading(exchange(200, neither, body={"firstName": "Ada"}, accept_language=asked, after=None),
                    name="weighted-languages")["reading"] == "another rule"


def test_one_language_twice_and_item_extras() -> None:
    sent = _location()
    sent["translations"]["city"] = [{"language": "en", "value": "One"}, {"language": "en", "value": "Two", "note": 1}]
    last = _location_response()
    last["translations"] = {**sent["translations"], "city": [{"language": "en", "value": "Two"}]}
    x = exchange(200, _answered(last), body={"location": sent})
    assert _reading(x, name="one-language-twice")["reading"] == "the last one"
    assert _reading(x, name="translation-item-extras")["reading"] == "dropped"


@pytest.mark.parametrize(("name", "x", "reading"), [
    ("odd-id", exchange(400, path_id="a b", body=EXAMPLE), "400"),
    ("unauthenticated", exchange(403, authorized=False, body=EXAMPLE), "403"),
    ("other-enterprise", exchange(401, elsewhere=True, method="GET"), "401"),
    ("read-only-token", exchange(401, authorized=False, read_only=True, body=EXAMPLE), "401"),
], ids=["odd-id", "unauthenticated", "other-enterprise", "read-only-token"])
def test_refusal_statuses(name: str, x, reading: str) -> None:
    assert _reading(x, name=name)["reading"] == reading


def _response(status: int = 200, headers: dict | None = None, sent: dict | None = None, content: bytes = b"{}"):
    request = SimpleNamespace(method="PATCH", url="http://127.0.0.1/enterprises/acme/customers/1001",
                              headers=CaseInsensitiveDict(sent or {"X-Correlation-Id": "c0ffee"}))
    return SimpleNamespace(status_code=status, headers=headers or {}, request=request, content=content)


def test_raw_answers_show_the_transports_choices() -> None:
    found = Readings()
    found.response(_response(headers={"X-Correlation-Id": "c0ffee", "Content-Type": "application/json; charset=UTF-8",
                                      "Connection": "close", "Content-Encoding": "gzip",
                                      "Transfer-Encoding": "chunked"}))
    found.response(_response(429, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}))
    found.response(_response(503, {"Content-Type": "text/html"}))  # a gateway's: it says nothing of the API
    got = {name: row["reading"] for name, row in found.result().items()}
    assert got["correlation-id-echo"] == "echoed" and got["media-type-parameters"] == "charset=utf-8"
    assert got["keep-alive"] == "closed" and got["content-encoding"] == "gzip"
    assert got["transfer-encoding"] == "chunked" and got["retry-after"] == "an HTTP-date"
    assert found.result()["correlation-id-echo"]["parts"]["200"]["seen"] == {"echoed": 1}


def test_an_observer_that_trips_says_so_and_judges_nothing(monkeypatch) -> None:
    def broken(x):
        raise KeyError("surprise")
        yield

    monkeypatch.setattr(silences, "SILENCES", (silences.Silence("empty-body", "q", broken),))
    found = Readings()
    found.exchange(exchange(200, raw=b""))
    assert found.result()["empty-body"]["error"].startswith("KeyError")


def test_a_raw_answer_that_cannot_be_read_is_said_not_raised() -> None:
    found = Readings()
    found.response(SimpleNamespace(status_code=200, headers={}, request=None, content=b"{}"))
    assert found.result()["correlation-id-echo"]["error"].startswith("AttributeError")


def _row(*choices: str, mixed: bool = False) -> dict:
    if mixed:
        return {"silence": "q", "reading": MIXED, "choices": [], "answers": list(choices),
                "seen": dict.fromkeys(choices, 1), "examples": {}}
    if not choices:
        return {"silence": "q", "reading": NOT_REACHED}
    return {"silence": "q", "reading": silences.named(choices), "choices": list(choices), "answers": list(choices),
            "seen": {}, "examples": {}}


@pytest.mark.parametrize(("before", "after", "changed"), [
    (_row("400"), _row("422"), True),
    (_row("400"), _row("400"), False),
    (_row("kept", "filled in"), _row("filled in"), False),  # narrowed, not changed
    (_row("cleared"), _row("kept", "filled in"), True),
    (_row(), _row("422"), False),  # not reached before: nothing to compare
    (_row("400"), _row(), False),  # not reached now
    (_row("400", "422", mixed=True), _row("400", "422", mixed=True), False),
    # A run of another size meets other requests: an answer beside the old one is shown, not called a change.
    (_row("400"), _row("400", "422", mixed=True), False),
    (_row("400", "422", mixed=True), _row("422"), False),
    (_row("400", "422", mixed=True), _row("415"), True),
], ids=["other-choice", "same", "narrowed", "widened-elsewhere", "new", "not-reached-now", "mixed-both",
        "gained-an-answer", "lost-an-answer", "none-in-common"])
def test_what_counts_as_a_change(before: dict, after: dict, changed: bool) -> None:
    found = readings.changes({"invalid-body": before}, {"invalid-body": after})
    assert bool(found) is changed
    if changed:
        assert found[0].name == "invalid-body" and found[0].before != found[0].after


def test_a_change_names_this_runs_example() -> None:
    now = Readings()
    x = exchange(422, body={"existing": "yes"})
    now.exchange(x)
    found = readings.changes({"invalid-body": {"reading": "400", "parts": {"type": _row("400")}}}, now.result())
    assert [str(change) for change in found] == [
        "invalid-body (type): 400 -> 422 (PATCH 1001 -> 422, X-Correlation-Id c0ffee)"]


def test_a_silence_read_part_by_part_is_not_mixed_when_its_parts_differ() -> None:
    wrong_type = exchange(400, body={"existing": "yes"})
    too_long = exchange(422, body={"externalId": "x" * 300})
    row = _reading(wrong_type, too_long, name="invalid-body")
    assert row["parts"]["type"]["reading"] == "400" and row["parts"]["maxLength"]["reading"] == "422"
    assert row["reading"] == "maxLength: 422; type: 400"
    # Compared part by part: a part this run did not reach is no change.
    assert readings.changes({"invalid-body": row}, _reading_doc(wrong_type)) == []


def _reading_doc(*exchanges) -> dict:
    found = Readings()
    for x in exchanges:
        found.exchange(x)
    return found.result()


def test_file_written_validates_and_an_update_keeps_what_was_not_reached(tmp_path: Path) -> None:
    now = Readings()
    now.exchange(exchange(422, body={"existing": "yes"}))
    earlier = {"empty-body": _row("an empty update")}
    document = readings.document(now.result(), "embedded", "ci", 1, carried=earlier)
    jsonschema.Draft202012Validator(json.loads(readings.SCHEMA.read_text())).validate(document)
    assert document["readings"]["empty-body"]["reading"] == "an empty update"
    assert document["readings"]["empty-body"]["carried_over"] is True
    assert document["readings"]["invalid-body"]["reading"] == "422"
    path = tmp_path / "readings.json"
    readings.write(document, path)
    assert readings.load(path)["readings"]["invalid-body"]["reading"] == "422"


def test_an_update_keeps_the_parts_this_run_did_not_reach() -> None:
    ci = _reading_doc(exchange(400, body={"existing": "yes"}), exchange(422, body={"externalId": "x" * 300}))
    smoke = _reading_doc(exchange(400, body={"existing": "yes"}))
    row = readings.document(smoke, "embedded", "smoke", 1, carried=ci)["readings"]["invalid-body"]
    assert set(row["parts"]) == {"type", "maxLength"} and row["parts"]["maxLength"]["carried_over"] is True
    assert "carried_over" not in row["parts"]["type"] and row["reading"] == "maxLength: 422; type: 400"


def test_what_the_environment_did_is_shown_never_a_change() -> None:
    before, now = Readings(), Readings()
    before.response(_response(200), after_gateway=503)
    now.response(_response(503), after_gateway=503)
    assert now.result()["gateway-errors"]["reading"] == "persisted"
    assert now.result()["gateway-errors"]["compared"] is False
    assert readings.changes(before.result(), now.result()) == []


def test_a_refusal_as_malformed_is_a_reading_too() -> None:
    sent = _location(countryCode=EXAMPLE["location"]["countryCode"].lower())
    assert _reading(exchange(400, body={"location": sent}), name="country-code-case")["reading"] == "refused with 400"
    # A listed 422 is a business rule the data met: nothing of the silence.
    assert _reading(exchange(422, body={"location": sent}), name="country-code-case")["reading"] == NOT_REACHED


@pytest.mark.parametrize(("body", "kind"), [
    ({"location": 5}, "type"), ({"location": []}, "type"), ({"location": {}}, "required"),
    ({"externalId": "x" * 300}, "maxLength"), ({"existing": "yes", "externalId": "x" * 300}, ""),
], ids=["not-an-object", "a-list", "an-empty-object", "too-long", "two-kinds"])
def test_an_invalid_body_is_read_by_the_kind_of_constraint_it_breaks(body: dict, kind: str) -> None:
    assert exchange(400, body=body).broken_keyword == kind


def test_a_readings_file_that_is_none(tmp_path: Path) -> None:
    assert readings.load(tmp_path / "absent.json") is None  # a first run: nothing to compare with
    (tmp_path / "folder").mkdir()
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text(json.dumps({"version": 99, "readings": {}}))
    (tmp_path / "odd.json").write_text(json.dumps({"version": 1, "target": "embedded", "profile": "ci", "seed": 1,
                                                   "readings": {"invalid-body": {"parts": {"type": {"note": 1}}}}}))
    for name, says in (("folder", "is a folder"), ("bad.json", "is not a readings file"),
                       ("other.json", "is not a version-1 readings file"), ("odd.json", "as readings.schema.json has it")):
        with pytest.raises(ReadingsFileError, match=says):
            readings.load(tmp_path / name)


def test_every_silence_has_a_row_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [silence.name for silence in silences.SILENCES if f"`{silence.name}`" not in readme]
    assert not missing, f"the README's table of silences names no reading {missing}"


@pytest.mark.parametrize("status", [301, 307, 500, 502, 503, 409, 429])
def test_an_answer_that_may_be_a_gateways_shows_no_choice(status: int) -> None:
    # A redirect, a 5xx, a 409 or 429 after the retries: a proxy's or the platform's moment, not the API's choice.
    x = exchange(status, {"errors": []}, body={"existing": "yes"}, response_type="text/html")
    found = Readings()
    found.exchange(x)
    if status != 409:  # a 409's answer is the API's own, and shows its transport's choices
        found.response(_response(status, {"Content-Type": "text/html", "Connection": "close"}))
    reached = {name for name, row in found.result().items() if row["reading"] != NOT_REACHED}
    assert reached <= {"retry-after"}, reached


def test_changes_are_counted_by_reading() -> None:
    found = [readings.Change("invalid-body", part, "400", "422", None) for part in ("type", "maxLength")]
    found.append(readings.Change("odd-id", "", "404", "400", None))
    assert readings.in_words(found) == "2 readings changed (invalid-body: 2 parts, odd-id)"
    assert readings.in_words(found[:1]) == "1 reading changed (invalid-body)"


def test_seen_label_joins_the_choices_nothing_told_apart() -> None:
    assert Seen(("kept", "filled in")).label == "kept or filled in"
    assert Seen(tuple("abcde")).label == "one of 5: a, b, c, …"


def test_the_readings_are_what_the_client_and_the_judge_are_shown_behind_their_protocols() -> None:
    # http/ and the judge know an observer by its Protocol only; the one running/ gives them is judging's.
    found = Readings()
    assert isinstance(found, AnswerObserver) and isinstance(found, ExchangeObserver)
    assert not isinstance(object(), AnswerObserver) and not isinstance(object(), ExchangeObserver)
    assert Readings.__module__ == "engage_contract.judging.silences"
