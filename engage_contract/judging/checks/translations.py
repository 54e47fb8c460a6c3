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
    (as no header is); None where the answer depends on what the platform leaves open (several tags, region
    or script subtags)."""
    if header is None:
        return ANY
    items = [item for item in re.split(r"[ ,]+", header.strip()) if item]
    if len(items) != 1:
        return None
    if items[0] == ANY:
        return ANY
    return items[0].lower() if re.fullmatch(r"[A-Za-z]{2,3}", items[0]) else None


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
        wanted = requested_language(asked)
        if wanted is None:
            continue
        listed = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            picked_language = str(picked.get("language")).lower() if isinstance(picked, dict) else None
            available = {str(language).lower() for language, _ in listed[name]}
            if wanted == ANY:
                expected = "a translation" if available and picked is None else None
            elif wanted in available:
                expected = f"the {as_json(wanted)} translation" if picked_language != wanted else None
            else:
                expected = "null" if picked is not None else None
            if expected:
                raise Violation(f"asked for {as_json(asked)}, location.{name} in {what} is {as_json(picked)}, not "
                                f"{expected} (translations: {as_json(listed[name], 120)})",
                                f"location.{name}:{'any' if wanted == ANY else 'listed' if wanted in available else 'absent'}")
