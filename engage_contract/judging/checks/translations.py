"""Translations: which translation of a location's city, state and streets a response picks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import TRANSLATABLE, as_json, translations
from engage_contract.judging.exchange import Exchange

ANY = "*"


def _locations(exchange: Exchange) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """Each customer location the exchange shows (the response's, the read-back's), with the language asked."""
    reads = [("the response", exchange.data, exchange.accept_language)]
    if not exchange.headers_are_valid:
        reads = []  # an Accept-Language unlike the notes' may be ignored: what comes back says nothing of it
    if exchange.after is not None:
        reads.append(("reading it back", exchange.after.data, exchange.after.accept_language))
    for what, data, asked in reads:
        location = (data or {}).get("location")
        if isinstance(location, dict) and isinstance(location.get("translations"), dict):
            yield what, location, asked


def requested_language(header: str | None) -> str | None:
    """The one language a well-formed Accept-Language value asks for plainly: a language tag alone, or `*`
    (as no header is); None where it asks for several, or the answer depends on what the platform leaves open
    (region or script subtags)."""
    requested = requested_languages(header)
    if requested is None or header is not None and len(re.split(r"[ ,]+", header.strip())) != 1:
        return None
    tags, any_language = requested
    return ANY if any_language else next(iter(tags))


def requested_languages(header: str | None) -> tuple[frozenset[str], bool] | None:
    """What a well-formed Accept-Language value asks for plainly: its language tags, and whether it holds `*`
    (no header asks for any, as `*` does); None where the answer depends on what the platform leaves open
    (weights, region or script subtags)."""
    if header is None:
        return frozenset(), True
    items = [item for item in re.split(r"[ ,]+", header.strip()) if item]
    if not items or not all(item == ANY or re.fullmatch(r"[A-Za-z]{2,3}", item) for item in items):
        return None
    return frozenset(item.lower() for item in items if item != ANY), ANY in items


def picked_translations_are_listed(exchange: Exchange) -> None:
    """Each of location.city/state/street1/street2 is null or one of that field's translations."""
    for what, location, _ in _locations(exchange):
        listed = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            if picked is None:
                continue
            if not isinstance(picked, dict) or (picked.get("language"), picked.get("value")) not in listed[name]:
                raise Violation(f"location.{name} in {what} is {as_json(picked)}, not one of its translations "
                                f"{as_json(listed[name], 200)}", f"location.{name}")


def requested_language_honoured(exchange: Exchange) -> None:
    """Translatable fields come back in the requested language, or null when it has none; with * or no Accept-Language, in some language whenever one exists."""
    for what, location, asked in _locations(exchange):
        requested = requested_languages(asked)
        if requested is None:
            continue
        tags, any_language = requested
        listed = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            picked_language = str(picked.get("language")).lower() if isinstance(picked, dict) else None
            available = {str(language).lower() for language, _ in listed[name]}
            if any_language:  # `*` alone, no header, or a list that ends in "then any" (the notes' `en *`)
                expected, kind = ("a translation" if available and picked is None else None), "any"
            elif len(tags) == 1:
                (wanted,) = tags
                kind = "listed" if wanted in available else "absent"
                if wanted in available:
                    expected = f"the {as_json(wanted)} translation" if picked_language != wanted else None
                else:
                    expected = "null" if picked is not None else None
            else:  # which of several tags wins is the platform's to say; one not asked for is not among them
                kind = "several"
                expected = (f"null or one of {as_json(sorted(tags))}"
                            if picked is not None and picked_language not in tags else None)
            if expected:
                raise Violation(f"asked for {as_json(asked)}, location.{name} in {what} is {as_json(picked)}, not "
                                f"{expected} (translations: {as_json(listed[name], 120)})", f"location.{name}:{kind}")
