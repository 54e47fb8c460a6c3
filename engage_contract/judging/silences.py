"""The page's silences and what the target chose at each (the README's table of silences), read off the
requests the run sends anyway: one observer a silence, and the run's Readings, which gathers what they saw.

Each silence has an observer. From one exchange (or one raw response) it takes what that answer shows as the
choices it is compatible with, most often one. A silence's reading is what every observation agrees on: one
choice, a few that nothing has told apart yet ("kept or filled in"), or "mixed" when the target did not answer
alike, with an example of each answer. Where a correct server may well choose differently for different parts
of a silence (errors' media type by status, 400 or 422 by the constraint broken), each part has its reading.
Nothing here is a verdict: a reading is never a failure of the contract.

Readings is what http/ (every raw answer, as an AnswerObserver) and the judge (every judged exchange, as an
ExchangeObserver) are given by running/; reporting/readings.py writes, compares and renders what it gathered.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from engage_contract.http.retries import GATEWAY_STATUSES, RETRIED_STATUSES
from engage_contract.judging.checks.translations import ANY, requested_language
from engage_contract.judging.customer import TRANSLATABLE, as_json, same, translations
from engage_contract.judging.exchange import Body, Exchange
from engage_contract.tzdb import distance_km, zones

NOT_REACHED, MIXED = "not reached", "mixed"
# Beyond this from a zone's principal place, no resolver would give a location that zone (the widest zones
# span about half of it).
FAR_FROM_ZONE_KM = 6000.0
EXAMPLE_BODY = 160  # characters of a request body an example keeps


@dataclass(frozen=True)
class Seen:
    """One observation: the choices an answer is compatible with (the first names it), what showed it, and the
    part of the silence it is about, where a correct server may choose part by part (a status, a field, a kind
    of invalid body): a reading is made, and compared, part by part."""

    choices: tuple[str, ...]
    detail: str = ""
    part: str = ""

    @property
    def label(self) -> str:
        return named(self.choices)


Observer = Callable[[Exchange], Iterable[Seen]]


@dataclass(frozen=True)
class Silence:
    name: str  # the reading's name in readings.json and in the README's table
    question: str  # what the page and the notes leave open
    observe: Observer | None = None  # None: read off raw responses by the client (Readings.response)
    # False: what the environment did (a gateway's blip, a token's lifetime) more than what the API chose; shown,
    # never reported as a change
    compared: bool = True


def named(choices: Iterable[str]) -> str:
    choices = list(choices)
    return " or ".join(choices) if len(choices) <= 3 else f"one of {len(choices)}: {', '.join(choices[:3])}, …"


# Conditions shared by the observers: an answer that can show a silence's choice, and nothing else's.

def _plain_update(x: Exchange) -> bool:
    """Our PATCH of the test customer, with a plain id and headers as described, that got an answer."""
    return x.is_update and not x.inconclusive and x.plain_id and x.headers_are_valid and not x.elsewhere


def _accepted(x: Exchange) -> dict[str, Any] | None:
    """The 200 body's data of a plain, schema-valid update."""
    return x.data if _plain_update(x) and x.body is Body.VALID and x.status == 200 else None


REFUSED = "refused with 400"


def _refused(x: Exchange) -> bool:
    """A plain, schema-valid update refused as malformed: a choice at the silence its body meets, where a 422 may be
    a business rule the data met (a location that does not geocode), and tells nothing of the silence."""
    return _plain_update(x) and x.body is Body.VALID and x.status == 400 and not x.breaks_a_convention


def _sent_location(x: Exchange) -> dict[str, Any] | None:
    location = x.sent_fields.get("location")
    return location if isinstance(location, dict) else None


def _status(x: Exchange) -> Iterator[Seen]:
    yield Seen((str(x.status),))


def empty_body(x: Exchange) -> Iterator[Seen]:
    if _plain_update(x) and x.body is Body.EMPTY:
        yield Seen(("an empty update" if x.status == 200 else str(x.status),),
                   part="no body" if x.sent.body is None else "zero bytes")


def invalid_body(x: Exchange) -> Iterator[Seen]:
    # A body that breaks constraints of several kinds tells nothing of which gets what.
    if _plain_update(x) and x.body is Body.INVALID and x.sent_is_json and x.broken_keyword:
        yield Seen((str(x.status),), part=x.broken_keyword)


def malformed_json(x: Exchange) -> Iterator[Seen]:
    if _plain_update(x) and x.body is Body.INVALID and not x.sent_is_json:
        yield from _status(x)


def foreign_media_type(x: Exchange) -> Iterator[Seen]:
    # A body that would be valid as JSON: a server reading it as JSON answers as it would to JSON.
    if _plain_update(x) and x.body is Body.FOREIGN and x.sent_is_valid_json:
        yield Seen(("read as JSON" if x.status in (200, 422) else str(x.status),), part=x.sent.media_type)


def omitted(part: str) -> Observer:
    """A location sent without `part` (postalCode, or a translation list): what came back of it."""

    def observe(x: Exchange) -> Iterator[Seen]:
        sent = _sent_location(x)
        if sent is None or part in (sent if part == "postalCode" else sent.get("translations") or {}):
            return
        if _refused(x):
            yield Seen((REFUSED,))
            return
        before = (x.before or {}).get("location")
        got = ((_accepted(x) or {}).get("location"))
        if not isinstance(before, dict) or not isinstance(got, dict):
            return
        if part == "postalCode":
            was, now = before.get(part), got.get(part)
        else:
            was, now = translations(before)[part], translations(got)[part]
        if not was and not now:
            return  # cleared and kept look alike
        detail = f"{as_json(was, 60)} -> {as_json(now, 60)}"
        if not now:
            yield Seen(("cleared",), detail)
        elif now == was:
            yield Seen(("kept", "filled in"), detail)  # a geocoder may fill in what was there
        else:
            yield Seen(("filled in",), detail)

    return observe


def country_code_case(x: Exchange) -> Iterator[Seen]:
    sent = _sent_location(x)
    if sent is None or sent["countryCode"] == sent["countryCode"].upper():
        return
    if _refused(x):
        yield Seen((REFUSED,))
        return
    got = ((_accepted(x) or {}).get("location") or {}).get("countryCode")
    if not isinstance(got, str):
        return
    code = sent["countryCode"]
    yield Seen(("as sent" if got == code else "upper case" if got == code.upper() else
                "lower case" if got == code.lower() else "another",), f"{code} -> {got}")


def number_precision(x: Exchange) -> Iterator[Seen]:
    sent = (_sent_location(x) or {}).get("geolocation") if _accepted(x) is not None else None
    read = ((x.read_back_data or {}).get("location") or {}).get("geolocation") if x.read_back_conclusive else None
    if not isinstance(sent, dict) or not isinstance(read, dict):
        return
    precise = {key: value for key, value in sent.items() if isinstance(value, float) and round(value, 7) != value}
    if not precise:
        return
    same = all(read.get(key) == value for key, value in precise.items())
    detail = ", ".join(f"{key} {value!r} -> {read.get(key)!r}" for key, value in precise.items())
    yield Seen(("as sent" if same else "rounded",), detail)


def _far_from(zone_name: str, geolocation: Any) -> bool:
    """The point is far from every principal place of the zone: no resolver would give it that zone."""
    if not isinstance(geolocation, dict):
        return False
    places = [zone for zone in zones() if zone.name == zone_name]
    try:
        latitude, longitude = float(geolocation["latitude"]), float(geolocation["longitude"])
    except (KeyError, TypeError, ValueError):
        return False
    return bool(places) and all(distance_km(latitude, longitude, zone.latitude, zone.longitude) > FAR_FROM_ZONE_KM
                                for zone in places)


def time_zone_with_location(x: Exchange) -> Iterator[Seen]:
    data, sent = _accepted(x), _sent_location(x)
    zone = x.sent_fields.get("timeZone")
    if data is None or sent is None or not isinstance(zone, str):
        return
    got = data.get("timeZone")
    if got != zone:
        yield Seen(("the location",), f"sent {zone}, got {got}")
    elif _far_from(zone, sent.get("geolocation")):
        yield Seen(("the timeZone sent",), f"sent {zone} with a location far from it, got {got}")
    else:
        yield Seen(("the timeZone sent", "the location"), f"sent {zone} with a location that may be in it")


def existing_null(x: Exchange) -> Iterator[Seen]:
    if "existing" not in x.sent_fields or x.sent_fields["existing"] is not None:
        return
    if _refused(x):
        yield Seen((REFUSED,))
        return
    data = _accepted(x)
    if data is None:
        return
    got = data.get("existing")
    kept = x.before is not None and x.before.get("existing") == got
    yield Seen((f"stored as {as_json(got)}", *(("kept",) if kept else ())))


def _representations(x: Exchange) -> Iterator[dict[str, Any]]:
    """The customer as the PATCH answered it and as it was read back, where they were 200s."""
    if x.targets_customer and not x.inconclusive and x.data is not None:
        yield x.data
    if x.read_back_conclusive and x.read_back_data is not None:
        yield x.read_back_data


def optional_nulls(x: Exchange) -> Iterator[Seen]:
    contract = x.contract
    optional = [name for name in contract.component("Customer")["properties"]
                if name not in contract.component("Customer")["required"]]
    in_location = [name for name in contract.location_fields if name not in contract.component("Location")["required"]]
    for data in _representations(x):
        shown = [(name, name in data) for name in optional if data.get(name) is None]
        location = data.get("location")
        if isinstance(location, dict):
            shown += [(f"location.{name}", name in location) for name in in_location if location.get(name) is None]
        for name, there in shown:  # a server may leave out some nulls and send others: field by field
            yield Seen(("sent as null" if there else "left out",), part=name)


def _extras(given: Any, named: Iterable[str]) -> Seen | None:
    if not isinstance(given, dict):
        return None
    extra = sorted(set(given) - set(named))
    return Seen((f"some: {', '.join(extra)}"[:120] if extra else "none",))


def location_extras(x: Exchange) -> Iterator[Seen]:
    for data in _representations(x):
        seen = _extras(data.get("location"), x.contract.location_fields)
        if seen is not None:
            yield seen


def envelope_extras(x: Exchange) -> Iterator[Seen]:
    if x.status == 200 and x.targets_customer and x.data is not None:
        seen = _extras(x.json, x.contract.component("CustomerEnvelope")["properties"])
        if seen is not None:
            yield seen


def error_extras(x: Exchange) -> Iterator[Seen]:
    body = x.json
    if x.status < 400 or x.status in GATEWAY_STATUSES or not isinstance(body, dict):
        return
    if not isinstance(body.get("errors"), list):
        return
    named = set(x.contract.component("Error")["properties"]) | ({"arguments"} if x.status == 422 else set())
    extra = set(body) - set(x.contract.component("ErrorEnvelope")["properties"])
    for item in body["errors"]:
        if isinstance(item, dict):
            extra |= {f"errors[].{key}" for key in set(item) - named}
    yield Seen((f"some: {', '.join(sorted(extra))}"[:120] if extra else "none",), part=str(x.status))


_OFFSET = re.compile(r"T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$")


def _form(value: Any) -> tuple[str, str] | None:
    """How a date-time is written: its offset, and its decimals (a detail: a server may trim trailing zeros)."""
    found = _OFFSET.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    offset = found.group(2)
    form = {"Z": "Z", "z": "lower-case z", "+00:00": "+00:00"}.get(offset, "another offset")
    return form, f"{len(found.group(1) or '.') - 1} decimals"


def date_time_form(x: Exchange) -> Iterator[Seen]:
    if not (x.targets_customer and x.read_back_conclusive):
        return
    answered, read = _form((x.data or {}).get("updatedAt")), _form((x.read_back_data or {}).get("updatedAt"))
    if answered is None or read is None:
        return
    label = answered[0] if answered[0] == read[0] else f"{answered[0]} on PATCH, {read[0]} on GET"
    yield Seen((label,), f"PATCH {answered[1]}, GET {read[1]}")


def error_media_type(x: Exchange) -> Iterator[Seen]:
    if x.status >= 400 and x.status not in (404, 422) and x.status < 500 and not x.inconclusive:
        yield Seen((x.content_type or "none",), part=str(x.status))


def malformed_accept_language(x: Exchange) -> Iterator[Seen]:
    if (x.targets_customer and x.authorized and not x.inconclusive and x.plain_id and not x.elsewhere
            and x.accept_language is not None and not x.headers_are_valid
            and (x.method == "GET" or (x.body is Body.VALID and not x.breaks_a_convention))):
        yield Seen(("ignored" if x.status in (200, 422) else str(x.status),), f"Accept-Language: {x.accept_language[:60]}")


def non_iana_time_zone(x: Exchange) -> Iterator[Seen]:
    # Without a location: a sent location may decide the zone, and the zone sent then never counts.
    if _plain_update(x) and x.body is Body.VALID and x.breaks_a_convention and x.sent_fields.get("location") is None:
        yield Seen(("accepted" if x.status == 200 else str(x.status),), f"timeZone {as_json(x.sent_fields['timeZone'], 60)}")


def _picked(x: Exchange) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Each 200 location, with the Accept-Language it was asked in."""
    if x.targets_customer and not x.inconclusive and x.data is not None:
        yield x.data.get("location"), x.accept_language
    if x.read_back_conclusive and x.read_back_data is not None:
        yield x.read_back_data.get("location"), x.after.accept_language


def default_language(x: Exchange) -> Iterator[Seen]:
    languages = x.contract.languages
    for location, asked in _picked(x):
        if not isinstance(location, dict) or requested_language(asked) != ANY or asked is not None and not x.headers_are_valid:
            continue
        lists = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            if not isinstance(picked, dict) or not lists[name]:
                continue
            there = {language for language, _ in lists[name]}
            # A default the list lacks falls back to some translation: every such language is still possible.
            yield Seen((str(picked.get("language")), *(language for language in languages if language not in there)),
                       f"location.{name} among {', '.join(sorted(map(str, there)))}")


def _weights(header: str) -> list[tuple[str, float]] | None:
    ranked = []
    for item in header.split(","):
        tag, _, weight = item.strip().partition(";")
        try:
            quality = float(weight.strip().removeprefix("q=")) if weight else 1.0
        except ValueError:
            return None
        ranked.append((tag.strip().lower(), quality))
    return ranked if len(ranked) > 1 and any(";" in item for item in header.split(",")) else None


def weighted_languages(x: Exchange) -> Iterator[Seen]:
    for location, asked in _picked(x):
        ranked = _weights(asked) if isinstance(asked, str) else None
        if not isinstance(location, dict) or ranked is None:
            continue
        lists = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            there = {str(language).lower() for language, _ in lists[name]}
            offered = [(tag, quality) for tag, quality in ranked if tag in there and quality > 0]
            if not isinstance(picked, dict) or not offered:
                continue
            first = offered[0][0]
            best = max(offered, key=lambda pair: pair[1])[0]
            language = str(picked.get("language")).lower()
            choices = tuple(rule for rule, tag in (("by weight", best), ("in the order given", first)) if tag == language)
            yield Seen(choices or ("another rule",), f"Accept-Language: {asked[:60]}, location.{name} in {language}")


def _sent_lists(x: Exchange) -> Iterator[tuple[str, list[dict[str, Any]], list[Any] | None]]:
    """Each translation list of a location sent in an accepted update, with the list that came back (None: the
    update was refused as malformed)."""
    sent = _sent_location(x)
    refused = _refused(x)
    got = (_accepted(x) or {}).get("location")
    if sent is None or not (refused or isinstance(got, dict)):
        return
    for name, entries in (sent.get("translations") or {}).items():
        yield name, entries, None if refused else ((got.get("translations") or {}).get(name) or [])


def one_language_twice(x: Exchange) -> Iterator[Seen]:
    for name, entries, got in _sent_lists(x):
        values: dict[str, list[str]] = {}
        for entry in entries:
            values.setdefault(entry["language"], []).append(entry["value"])
        for language, sent in values.items():
            if len(set(sent)) < 2:
                continue
            if got is None:
                yield Seen((REFUSED,))
                continue
            came = [entry.get("value") for entry in got if isinstance(entry, dict) and entry.get("language") == language]
            label = ("every one" if len(set(came)) > 1 else "the last one" if came == [sent[-1]] else
                     "the first one" if came == [sent[0]] else "another")
            yield Seen((label,), f"location.translations.{name}: sent {as_json(sent, 50)}, got {as_json(came, 50)}")


def translation_twice(x: Exchange) -> Iterator[Seen]:
    for name, entries, got in _sent_lists(x):
        pairs = Counter((entry["language"], entry["value"]) for entry in entries)
        for pair, times in pairs.items():
            if times > 1 and got is None:
                yield Seen((REFUSED,))
            elif times > 1:
                came = sum(1 for entry in got if isinstance(entry, dict)
                           and (entry.get("language"), entry.get("value")) == pair)
                yield Seen(("stored once" if came == 1 else "stored as often as sent" if came == times else "another",),
                           f"location.translations.{name}: {as_json(list(pair), 50)} sent {times} times, came {came}")


def translation_item_extras(x: Exchange) -> Iterator[Seen]:
    for name, entries, got in _sent_lists(x):
        for entry in entries:
            extra = set(entry) - {"language", "value"}
            if not extra:
                continue
            if got is None:
                yield Seen((REFUSED,))
                continue
            back = [item for item in got if isinstance(item, dict)
                    and (item.get("language"), item.get("value")) == (entry["language"], entry["value"])]
            if not back:
                continue  # the item itself did not come back (one kept per language, say): nothing of its extras
            kept = any(all(item.get(key) == entry[key] for key in extra) for item in back)
            yield Seen(("stored and echoed" if kept else "dropped",), f"location.translations.{name}: {', '.join(sorted(extra))}")


def odd_id(x: Exchange) -> Iterator[Seen]:
    if (x.authorized and not x.targets_customer and not x.plain_id and not x.elsewhere and not x.inconclusive
            and x.headers_are_valid and (x.method == "GET" or x.body in (Body.VALID, Body.EMPTY))):
        kind = ("a slash" if "/" in x.path_id else "a space" if " " in x.path_id else
                "non-ASCII" if not x.path_id.isascii() else "other")
        yield Seen((str(x.status),), f"id {as_json(x.path_id, 60)}", part=kind)


def unauthenticated(x: Exchange) -> Iterator[Seen]:
    if (not x.authorized and not x.read_only and not x.elsewhere and x.targets_customer and x.plain_id
            and x.headers_are_valid and x.body is Body.VALID):
        yield Seen((str(x.status),), part="no token" if x.sent.header("Authorization") is None else "a token not ours")


def other_enterprise(x: Exchange) -> Iterator[Seen]:
    if x.elsewhere and not x.inconclusive:
        yield from _status(x)


def read_only_token(x: Exchange) -> Iterator[Seen]:
    if x.read_only and not x.inconclusive:
        yield from _status(x)


def text_spaces(x: Exchange) -> Iterator[Seen]:
    data = _accepted(x)
    if data is None:
        return
    for name, sent in x.sent_fields.items():
        if isinstance(sent, str) and sent != sent.strip() and sent.strip() and isinstance(data.get(name), str):
            got = data[name]
            yield Seen(("as sent" if got == sent else "trimmed" if got == sent.strip() else "another",), f"{name}")


def server_set_in_body(x: Exchange) -> Iterator[Seen]:
    if _plain_update(x) and x.body is Body.VALID and x.names_server_set and x.status in (200, 400, 422):
        yield Seen(("ignored" if x.status == 200 else str(x.status),))


def no_op_updated_at(x: Exchange) -> Iterator[Seen]:
    data = _accepted(x)
    if data is None or x.before is None or x.simultaneous or x.stable(x.before) != x.stable(data):
        return
    if ((x.before.get("location") or {}).get("translations") != (data.get("location") or {}).get("translations")):
        return  # the same translations in another order, or their items' extras dropped: a change all the same
    if x.before.get("updatedAt") is not None:
        # Equal is also what a clock that moved less than the timestamps' precision shows.
        yield Seen(("kept", "moved") if same(data.get("updatedAt"), x.before["updatedAt"]) else ("moved",))


def simultaneous_updates(x: Exchange) -> Iterator[Seen]:
    if x.simultaneous and x.is_update and set(x.simultaneous) <= {200, 409}:
        yield Seen(("one refused with 409" if 409 in x.simultaneous else "both accepted",))


SILENCES: tuple[Silence, ...] = (
    Silence("empty-body", "A PATCH with no body, or zero bytes of JSON", empty_body),
    Silence("invalid-body", "Which of 400 or 422 a schema-invalid JSON body gets", invalid_body),
    Silence("malformed-json", "Which of 400 or 422 a body sent as JSON that is not JSON gets", malformed_json),
    Silence("foreign-media-type", "A body in a media type the page does not describe", foreign_media_type),
    Silence("omitted-postal-code", "A location sent without postalCode", omitted("postalCode")),
    Silence("omitted-state", "A location sent without its state translations", omitted("state")),
    Silence("omitted-street2", "A location sent without its street2 translations", omitted("street2")),
    Silence("country-code-case", "The case of a country code sent in lower case", country_code_case),
    Silence("number-precision", "The precision coordinates are stored with", number_precision),
    Silence("time-zone-with-location", "Which decides the time zone: a timeZone or a location sent together",
            time_zone_with_location),
    Silence("existing-null", "existing sent as null", existing_null),
    Silence("optional-nulls", "A null field the response does not mark Required", optional_nulls),
    Silence("location-extras", "Properties of a response's location the page does not name", location_extras),
    Silence("envelope-extras", "Properties of the 200 envelope besides data", envelope_extras),
    Silence("error-extras", "Properties of an error envelope or error the page does not name", error_extras),
    Silence("date-time-form", "How a date-time is written (updatedAt, on PATCH and GET)", date_time_form),
    Silence("error-media-type", "The media type of errors other than 404 and 422", error_media_type),
    Silence("malformed-accept-language", "An Accept-Language other than the notes' list of language tags",
            malformed_accept_language),
    Silence("non-iana-time-zone", "A timeZone that is no IANA name (schema-valid)", non_iana_time_zone),
    Silence("default-language", "The enterprise's default language (for * or no Accept-Language)", default_language),
    Silence("weighted-languages", "Accept-Language with q weights", weighted_languages),
    Silence("one-language-twice", "One language twice in a translation list, with different values",
            one_language_twice),
    Silence("translation-twice", "A translation sent twice, the same language and value", translation_twice),
    Silence("translation-item-extras", "Unknown properties of a translation item", translation_item_extras),
    Silence("text-spaces", "Leading or trailing spaces in text sent", text_spaces),
    Silence("server-set-in-body", "A body naming a property only the server sets (an id, a timestamp)",
            server_set_in_body),
    Silence("no-op-updated-at", "updatedAt after an update that changes nothing", no_op_updated_at),
    Silence("simultaneous-updates", "Two updates of one customer at the same moment", simultaneous_updates),
    Silence("odd-id", "An id a URL must encode (a slash, a space, non-ASCII) that does not exist", odd_id),
    Silence("unauthenticated", "The status for a missing or wrong token", unauthenticated),
    Silence("other-enterprise", "The status for a customer read under another enterprise", other_enterprise),
    Silence("read-only-token", "The status for an update with a read-only token", read_only_token),
    # Read off every raw answer by the client, retried ones too (Readings.response)
    Silence("correlation-id-echo", "Whether X-Correlation-Id is echoed"),
    Silence("media-type-parameters", "Media-type parameters on a JSON response"),
    Silence("keep-alive", "Keep-alive or a closed connection after each response"),
    Silence("content-encoding", "A gzip-encoded body or an identity one"),
    Silence("transfer-encoding", "A chunked body or one with a Content-Length"),
    Silence("retry-after", "Retry-After on a 409 or 429: seconds or an HTTP-date"),
    Silence("gateway-errors", "A gateway's 502, 503 or 504 now and then", compared=False),
    Silence("token-refused-mid-run", "A token that expires or is revoked mid-run", compared=False),
)
RAW = tuple(silence.name for silence in SILENCES if silence.observe is None)


@dataclass
class _Reading:
    common: set[str] | None = None  # the choices every observation so far is compatible with
    order: list[str] = field(default_factory=list)  # choices in the order first seen
    seen: Counter = field(default_factory=Counter)  # label -> observations
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> the first exchange that showed it

    def add(self, seen: Seen, example: Callable[[], dict[str, Any]]) -> None:
        self.common = set(seen.choices) if self.common is None else self.common & set(seen.choices)
        self.order += [choice for choice in seen.choices if choice not in self.order]
        self.seen[seen.label] += 1
        if seen.label not in self.examples:
            self.examples[seen.label] = {**example(), **({"detail": seen.detail} if seen.detail else {})}

    def as_json(self) -> dict[str, Any]:
        choices = [choice for choice in self.order if choice in self.common]
        return {"reading": named(choices) if choices else MIXED, "choices": choices, "answers": list(self.order),
                "seen": dict(self.seen.most_common()), "examples": self.examples}


class Readings:
    """What the run saw at each silence, from every lane (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readings: dict[tuple[str, str], _Reading] = {}  # (silence, part) -> what was seen
        self._errors: dict[str, str] = {}  # silence -> the first error of its observer

    def exchange(self, x: Exchange) -> None:
        """Every observer's look at one judged exchange that is the API's own answer. An observer that trips on
        an answer is the suite's bug: its row says so, and the run's verdict is left alone."""
        if not _the_apis_answer(x.status) or x.inconclusive:
            return
        for silence in SILENCES:
            if silence.observe is None:
                continue
            try:
                for seen in silence.observe(x):
                    self._add(silence.name, seen, lambda: _example_of(x))
            except Exception as exc:  # noqa: BLE001 - a reading is never worth a run
                with self._lock:
                    self._errors.setdefault(silence.name, f"{type(exc).__name__}: {exc}"[:200])

    def response(self, response: Any, after_refresh: bool = False, after_gateway: int | None = None) -> None:
        """What one raw answer shows of the transport's silences (retried ones and the restore's too);
        `after_refresh`: it answers a retry with a new token; `after_gateway`: a retry after that gateway status.
        An answer it cannot read is said in the rows, never raised into the request that got it."""
        try:
            self._response(response)
            if after_refresh:
                self._add("token-refused-mid-run", Seen(("a new token accepted" if response.status_code != 401
                                                         else "a new token refused too",)),
                          lambda: _example_of_response(response))
            if after_gateway is not None:
                self._add("gateway-errors", Seen(("recovered after a retry" if response.status_code not in GATEWAY_STATUSES
                                                  else "persisted",), part=str(after_gateway)),
                          lambda: _example_of_response(response))
        except Exception as exc:  # noqa: BLE001 - a reading is never worth a request
            with self._lock:
                for name in RAW:
                    self._errors.setdefault(name, f"{type(exc).__name__}: {exc}"[:200])

    def _response(self, response: Any) -> None:
        status = response.status_code
        headers = {name.lower(): value for name, value in _headers(response).items()}
        example = lambda: _example_of_response(response)  # noqa: E731
        part = str(status)
        if status in RETRIED_STATUSES:
            after = (headers.get("retry-after") or "").strip()
            self._add("retry-after", Seen(("absent" if not after else "seconds" if re.fullmatch(r"\d+", after)
                                           else "an HTTP-date",), f"Retry-After: {after}"[:80], part), example)
        if not _the_apis_answer(status) or status == 429:  # a rate limiter's answer may differ too
            return
        sent = response.request.headers.get("X-Correlation-Id")
        if sent:
            echoed = headers.get("x-correlation-id")
            self._add("correlation-id-echo", Seen(("echoed" if echoed == sent else "not echoed" if echoed is None
                                                   else "another id",), part=part), example)
        media_type, _, parameters = (headers.get("content-type") or "").partition(";")
        if "json" in media_type:
            self._add("media-type-parameters", Seen((re.sub(r"\s+", "", parameters.lower()) or "none",),
                                                    headers.get("content-type", ""), part), example)
        self._add("keep-alive", Seen(("closed" if "close" in (headers.get("connection") or "").lower()
                                      else "kept alive",), part=part), example)
        if response.content:
            self._add("content-encoding", Seen(((headers.get("content-encoding") or "none").lower(),), part=part),
                      example)
            self._add("transfer-encoding", Seen(("chunked" if "chunked" in (headers.get("transfer-encoding") or "")
                                                 else "Content-Length",), part=part), example)

    def _add(self, name: str, seen: Seen, example: Callable[[], dict[str, Any]]) -> None:
        with self._lock:
            self._readings.setdefault((name, seen.part), _Reading()).add(seen, example)

    def result(self) -> dict[str, dict[str, Any]]:
        """By silence: its reading; a silence read part by part has its parts, and a reading that sums them up."""
        with self._lock:
            found = {}
            for silence in SILENCES:
                parts = {part: reading.as_json() for (name, part), reading in sorted(self._readings.items())
                         if name == silence.name}
                error = {"error": self._errors[silence.name]} if silence.name in self._errors else {}
                if not silence.compared:
                    error["compared"] = False
                if not parts:
                    found[silence.name] = {"silence": silence.question, "reading": NOT_REACHED, **error}
                elif list(parts) == [""]:
                    found[silence.name] = {"silence": silence.question, **parts[""], **error}
                else:
                    found[silence.name] = {"silence": silence.question, "reading": summed(parts), "parts": parts,
                                           **error}
            return found


def summed(parts: dict[str, dict[str, Any]]) -> str:
    """One reading for every part, or each part's."""
    readings = {row["reading"] for row in parts.values()}
    if len(readings) == 1:
        return readings.pop()
    return "; ".join(f"{part}: {row['reading']}" for part, row in parts.items())


def _the_apis_answer(status: int) -> bool:
    """Whether an answer can show what the API chose: a redirect or a 5xx is a proxy's or a gateway's as often as
    the API's (a 5xx or a redirect of the API itself fails its own clause), and a reading of one would call a
    gateway's bad minute a change of the API."""
    return not (300 <= status < 400 or status >= 500)


def _headers(response: Any) -> dict[str, str]:
    """One value a header: requests' headers, or schemathesis' lists."""
    return {name: values[0] if isinstance(values, list) and values else values if isinstance(values, str) else ""
            for name, values in response.headers.items()}


def _example_of(x: Exchange) -> dict[str, Any]:
    body = (x.sent.body or b"").decode("utf-8", "replace")
    return {"request": f"{x.method} {urlsplit(x.sent.url).path or x.path_id}", "status": x.status,
            "correlation_id": x.correlation_id, "accept_language": x.accept_language,
            "content_type": x.sent.header("Content-Type"),
            "body": body if len(body) <= EXAMPLE_BODY else body[:EXAMPLE_BODY - 1] + "…"}


def _example_of_response(response: Any) -> dict[str, Any]:
    request = response.request
    return {"request": f"{request.method} {urlsplit(request.url).path}", "status": response.status_code,
            "correlation_id": request.headers.get("X-Correlation-Id")}
