"""PATCH semantics: what a 200 says about the customer, against what the suite knew of it before."""

from __future__ import annotations

from typing import Any

from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import (
    TRANSLATABLE,
    Difference,
    as_json,
    differences,
    parse_time,
    same,
    translations,
)
from engage_contract.judging.exchange import Body, Exchange
from engage_contract.tzdb import zone_names


def _accepted_update(exchange: Exchange) -> dict[str, Any] | None:
    """The 200 body's data for a schema-valid update, or None when the clause does not apply."""
    if exchange.is_update and exchange.status == 200 and exchange.body is Body.VALID:
        return exchange.data
    return None


def _raise_differences(found: list[Difference], message: str) -> None:
    if found:
        raise Violation(f"{message}: " + "; ".join(map(str, found[:5])), [d.where for d in found])


def id_matches_path(exchange: Exchange) -> None:
    """data.id equals the path id."""
    data = _accepted_update(exchange)
    if data is None:
        return
    if data.get("id") != exchange.path_id:
        raise Violation(f"data.id is {as_json(data.get('id'))}, the path id is {as_json(exchange.path_id)}", "id")


def sent_values_stored(exchange: Exchange) -> None:
    """Every field sent with a value comes back with exactly that value; a nullable field sent as null comes back null."""
    data = _accepted_update(exchange)
    if data is None:
        return
    sent_fields = exchange.sent_fields
    wrong = []
    for name, sent in sent_fields.items():
        if name == "location":
            continue  # location_matches_sent
        if sent is None and name in exchange.contract.server_chosen_on_null:
            continue  # the response never carries null there: the server chooses
        if name == "timeZone" and sent_fields.get("location") is not None:
            continue  # the page does not say whether a sent location or a sent timeZone decides the zone
        if not same(data.get(name), sent) and not _trimmed(sent, data.get(name)):
            wrong.append(Difference((name,), sent, data.get(name)))
    _raise_differences(wrong, "sent values did not come back")


def _trimmed(sent: Any, got: Any) -> bool:
    """Text stored without the spaces around it: the page says nothing of trimming (relations.py's
    stored_whatever_was_there holds a server to trimming alike whatever was stored before)."""
    return isinstance(sent, str) and isinstance(got, str) and bool(got) and got in (sent.strip(), sent.strip(" "))


def unsent_fields_kept(exchange: Exchange) -> None:
    """Fields not sent keep their previous values (location included)."""
    data = _accepted_update(exchange)
    if data is None or exchange.before is None:
        return
    # Every property sent counts, known or not: what a server does with an unknown one is not said.
    sent = set(exchange.sent_body) | {"createdAt"}  # createdAt has a clause of its own
    if "location" in sent:
        sent.add("timeZone")  # how a time zone follows from a location is the platform's choice
    found = [d for d in differences(exchange.stable(exchange.before), exchange.stable(data)) if d.field not in sent]
    _raise_differences(found, "fields not sent changed")


def location_matches_sent(exchange: Exchange) -> None:
    """A location sent comes back with what was sent of it: countryCode, postalCode, geolocation and translations."""
    data = _accepted_update(exchange)
    if data is None or "location" not in exchange.sent_fields:
        return
    sent, got = exchange.sent_fields["location"], data.get("location")
    if sent is None:
        if got is not None:
            raise Violation("location was sent as null but came back set", "location")
        return
    if not isinstance(got, dict):
        raise Violation("a location was sent but came back null", "location")
    # What a sent location leaves out (postalCode, state, street2, geolocation) may be cleared, kept as a merge
    # patch would, or filled in by a geocoder: the page does not say which, so only what was sent is judged.
    wrong = []
    if str(got.get("countryCode")).upper() != sent["countryCode"].upper():  # ISO 3166 codes know no case
        wrong.append(Difference(("location", "countryCode"), sent["countryCode"], got.get("countryCode")))
    if "postalCode" in sent and got.get("postalCode") != sent["postalCode"]:
        wrong.append(Difference(("location", "postalCode"), sent["postalCode"], got.get("postalCode")))
    if sent.get("geolocation") is not None and not same(got.get("geolocation"), sent["geolocation"]):
        wrong.append(Difference(("location", "geolocation"), sent["geolocation"], got.get("geolocation")))
    sent_lists, got_lists = translations(sent), translations(got)
    for name in TRANSLATABLE:
        if name in sent["translations"] and not _same_translations(sent_lists[name], got_lists[name]):
            wrong.append(Difference(("location", "translations", name), sent_lists[name], got_lists[name]))
    _raise_differences(wrong, "the location came back different")


def _same_translations(sent: list[tuple[str, str]], got: list[tuple[str, str]]) -> bool:
    """Every translation sent, or, where one language was sent more than once (the page says nothing of it), one
    of the values sent for it: a server may key translations on their language. Never a value or a language
    that was not sent, nor a language dropped."""
    if got == sent:
        return True
    languages = {language for language, _ in sent}
    return (set(got) <= set(sent) and {language for language, _ in got} == languages
            and len(got) == len(languages))


def change_persists(exchange: Exchange) -> None:
    """The change persists: reading the customer back gives the same representation, updatedAt aside."""
    data = _accepted_update(exchange)
    if data is None or not exchange.read_back_conclusive:
        return
    if exchange.after.status != 200:
        raise Violation(f"reading the customer back got {exchange.after.status}", f"read-back-{exchange.after.status}")
    after = exchange.read_back_data or {}
    if exchange.after.accept_language == exchange.accept_language:
        found = differences({k: v for k, v in data.items() if k != "updatedAt"},
                            {k: v for k, v in after.items() if k != "updatedAt"})
    else:  # read in another language (the request's was malformed): what depends on it may differ
        found = differences(exchange.stable(data), exchange.stable(after))
    _raise_differences(found, "reading back differs from the 200 body")


def timestamps_are_consistent(exchange: Exchange) -> None:
    """createdAt never changes; updatedAt is not before createdAt."""
    data = exchange.data if exchange.targets_customer else None
    if data is None:
        return
    # A body that names createdAt is the relation server_set_properties_ignored's to judge, with the request's own
    # evidence; here the clause is about what the body did not ask for.
    if exchange.created_at is not None and "createdAt" not in exchange.sent_body:
        if not same(data.get("createdAt"), exchange.created_at):
            raise Violation(f"createdAt changed from {as_json(exchange.created_at)} to "
                            f"{as_json(data.get('createdAt'))}", "createdAt")
    created, updated = parse_time(data.get("createdAt")), parse_time(data.get("updatedAt"))
    if created is not None and updated is not None and updated < created:
        raise Violation(f"updatedAt {as_json(data['updatedAt'])} is before createdAt {as_json(data['createdAt'])}", "updatedAt")


def chosen_time_zone_is_iana(exchange: Exchange) -> None:
    """A time zone the server chooses (timeZone sent as null, or left to the location) is an IANA name, as the
    platform notes its time zones."""
    data = exchange.data if exchange.is_update and exchange.status == 200 else None
    if data is None:
        return
    zone, sent = data.get("timeZone"), exchange.sent_fields.get("timeZone")
    # A zone the customer had already is not the server's choice now (it may come from before the convention).
    kept = exchange.before is not None and zone == exchange.before.get("timeZone")
    if isinstance(zone, str) and zone != sent and not kept and zone not in zone_names():
        raise Violation(f"the server chose the time zone {as_json(zone)}, which is no IANA name", "timeZone")
