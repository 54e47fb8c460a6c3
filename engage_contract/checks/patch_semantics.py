"""PATCH semantics: what a 200 says about the customer, against what the suite knew of it before."""

from __future__ import annotations

from typing import Any

from engage_contract.customer import (
    SERVER_CHOSEN_ON_NULL,
    TRANSLATABLE,
    differences,
    parse_time,
    stable_view,
    translations,
)
from engage_contract.exchange import Exchange


def _accepted_update(exchange: Exchange) -> dict[str, Any] | None:
    """The 200 body's data for a schema-valid update, or None when the clause does not apply."""
    if exchange.is_update and exchange.status == 200 and exchange.body_is_valid:
        return exchange.data
    return None


def _response_fields(exchange: Exchange) -> dict[str, Any]:
    return exchange.contract.component("Customer")["properties"]


def id_matches_path(exchange: Exchange) -> None:
    """data.id equals the path id."""
    data = _accepted_update(exchange)
    if data is None:
        return
    assert data.get("id") == exchange.path_id, f"data.id is {data.get('id')!r}, the path id is {exchange.path_id!r}"


def sent_values_stored(exchange: Exchange) -> None:
    """Every field sent with a value comes back with exactly that value; a nullable field sent as null comes back null."""
    data = _accepted_update(exchange)
    if data is None:
        return
    fields = _response_fields(exchange)
    wrong = []
    for name, sent in exchange.sent_body.items():
        if name == "location" or name not in fields:
            continue
        if sent is None and name in SERVER_CHOSEN_ON_NULL:
            continue
        if data.get(name) != sent:
            wrong.append(f"{name}: sent {sent!r:.80}, got {data.get(name)!r:.80}")
    assert not wrong, "sent values did not come back: " + "; ".join(wrong[:5])


def unsent_fields_kept(exchange: Exchange) -> None:
    """Fields not sent keep their previous values (location included)."""
    data = _accepted_update(exchange)
    if data is None or exchange.before is None:
        return
    sent = set(exchange.sent_body) | {"createdAt"}  # createdAt has a clause of its own
    if "location" in sent:
        sent.add("timeZone")  # how a time zone follows from a location is the platform's choice
    before, after = stable_view(exchange.before), stable_view(data)
    changed = [line for line in differences(before, after) if line.split(":")[0].split(".")[0] not in sent]
    assert not changed, "fields not sent changed: " + "; ".join(changed[:5])


def location_matches_sent(exchange: Exchange) -> None:
    """A location sent comes back with the same countryCode, postalCode, geolocation (when sent) and translations."""
    data = _accepted_update(exchange)
    if data is None or "location" not in exchange.sent_body:
        return
    sent, got = exchange.sent_body["location"], data.get("location")
    if sent is None:
        assert got is None, "location was sent as null but came back set"
        return
    assert got is not None, "a location was sent but came back null"
    wrong = []
    if got.get("countryCode") != sent["countryCode"]:
        wrong.append(f"countryCode: sent {sent['countryCode']!r}, got {got.get('countryCode')!r}")
    if "postalCode" in sent and got.get("postalCode") != sent["postalCode"]:
        wrong.append(f"postalCode: sent {sent['postalCode']!r}, got {got.get('postalCode')!r}")
    if sent.get("geolocation") is not None and got.get("geolocation") != sent["geolocation"]:
        wrong.append(f"geolocation: sent {sent['geolocation']!r}, got {got.get('geolocation')!r}")
    if translations(sent) != translations(got):
        wrong.append(f"translations: sent {sent['translations']!r:.120}, got {got.get('translations')!r:.120}")
    assert not wrong, "the location came back different: " + "; ".join(wrong)


def picked_translations_are_listed(exchange: Exchange) -> None:
    """Each of location.city/state/street1/street2 is null or one of that field's translations."""
    data = exchange.data if exchange.status == 200 else None
    location = (data or {}).get("location")
    if not isinstance(location, dict) or not isinstance(location.get("translations"), dict):
        return
    listed = translations(location)
    for name in TRANSLATABLE:
        picked = location.get(name)
        if picked is None:
            continue
        pair = (picked.get("language"), picked.get("value"))
        assert pair in listed[name], f"location.{name} is {picked!r}, not one of its translations {listed[name]!r:.200}"


def change_persists(exchange: Exchange) -> None:
    """The change persists: reading the customer back gives the same representation, updatedAt aside."""
    data = _accepted_update(exchange)
    if data is None:
        return
    status = exchange.read_back.status_code
    assert status == 200, f"reading the customer back got {status}"
    after = exchange.read_back_data or {}
    strip = lambda d: {k: v for k, v in d.items() if k != "updatedAt"}  # noqa: E731
    changed = differences(strip(data), strip(after))
    assert not changed, "reading back differs from the 200 body: " + "; ".join(changed[:5])


def timestamps_are_consistent(exchange: Exchange) -> None:
    """createdAt never changes; updatedAt is not before createdAt."""
    data = exchange.data if exchange.status == 200 and exchange.targets_customer else None
    if data is None:
        return
    if exchange.created_at is not None:
        assert data.get("createdAt") == exchange.created_at, (
            f"createdAt changed from {exchange.created_at!r} to {data.get('createdAt')!r}"
        )
    created, updated = parse_time(data.get("createdAt")), parse_time(data.get("updatedAt"))
    if created is not None and updated is not None:
        assert updated >= created, f"updatedAt {data['updatedAt']!r} is before createdAt {data['createdAt']!r}"
