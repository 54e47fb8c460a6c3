"""Relations: what a correct server satisfies across two or more requests, one function a clause.

A single exchange shows what one answer says; a relation shows what the answers of a sequence say of one
another: an update sent twice, a value sent again in other letter case, two reads in two languages, the id
spelled another way, two updates at the same moment, another customer's state. Each relation takes the
sequence's exchanges (or reads) and raises a Violation when its clause is broken; its docstring quotes the
clause. `broken` turns a Violation into a failure that shows every request of the sequence, each with its
curl line and correlation id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engage_contract.judging.checks.translations import ANY, requested_language
from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import TRANSLATABLE, as_json, differences, same, stable_view, translations
from engage_contract.judging.exchange import Exchange
from engage_contract.judging.failures import Evidence, Finding

Relation = Callable[..., None]


@dataclass(frozen=True)
class Read:
    """One GET of a customer in a relation: what was asked, what came back, and how to repeat it."""

    customer_id: str
    accept_language: str | None
    status: int | None
    data: dict[str, Any] | None
    evidence: Evidence | None = None


class RelationBroken(AssertionError):
    """A relation's clause is broken by a sequence of requests; `finding` shows each of them."""

    def __init__(self, relation: Relation, violation: Violation, steps: Iterable[tuple[str, Evidence | None]]) -> None:
        lines = [violation.message]
        for what, evidence in steps:
            if evidence is None:
                continue
            lines += [f"{what}: {evidence.request}", f"  answered: {evidence.response}",
                      f"  repeat: {evidence.curl}", f"  X-Correlation-Id: {evidence.correlation_id}"]
        self.finding = Finding(relation.__name__, clause(relation), "\n".join(lines))
        self.signature = f"{relation.__name__}|{violation.signature}"
        super().__init__(f"{relation.__name__}: {clause(relation)} {violation.message}")


def clause(relation: Relation) -> str:
    """The clause a relation's docstring quotes: its first paragraph, on one line."""
    return " ".join(line.strip() for line in (relation.__doc__ or "").strip().split("\n\n")[0].splitlines())


def steps_of(exchanges: Sequence[Exchange | Read], names: Sequence[str] | None = None) -> list[tuple[str, Evidence | None]]:
    """Each exchange or read of a sequence, as a failure shows it."""
    found = []
    for index, step in enumerate(exchanges):
        what = names[index] if names is not None else f"request {index + 1}"
        found.append((what, step.evidence if isinstance(step, Read) else step.evidence_of()
                      if step.evidence_of is not None else None))
    return found


def _stored(exchange: Exchange) -> dict[str, Any] | None:
    """What an accepted update stored: its read-back, else its answer."""
    if exchange.status != 200:
        return None
    return exchange.read_back_data if exchange.read_back_conclusive else exchange.data


def _view(exchange: Exchange, data: dict[str, Any] | None) -> dict[str, Any] | None:
    return stable_view(data, exchange.contract.location_fields)


def _as_read(exchange: Exchange, data: dict[str, Any] | None, language: str | None,
             other_language: str | None) -> dict[str, Any] | None:
    """A representation, updatedAt aside; what follows the language too, unless both were read in the same one."""
    if data is None:
        return None
    if language == other_language:
        return {key: value for key, value in data.items() if key != "updatedAt"}
    return _view(exchange, data)


def _read_language(exchange: Exchange) -> str | None:
    return exchange.after.accept_language if exchange.read_back_conclusive else exchange.accept_language


def repeated_update_stores_the_same(first: Exchange, second: Exchange) -> None:
    """An update sent twice leaves the customer as sent once, updatedAt aside."""
    once, twice = _stored(first), _stored(second)
    if once is None or twice is None:
        return
    language = _read_language(first)
    found = differences(_as_read(first, once, language, _read_language(second)),
                        _as_read(second, twice, _read_language(second), language))
    if found:
        raise Violation("the same update sent again changed the customer again: " + "; ".join(map(str, found[:5])),
                        [d.where for d in found])


def inverse_update_restores(start: Read, forward: Exchange, inverse: Exchange) -> None:
    """An update and then its inverse (the fields it sent, written back as they were) leave the customer as it
    started, updatedAt aside."""
    back = _stored(inverse)
    if start.data is None or back is None or _stored(forward) is None:
        return
    found = differences(_as_read(inverse, start.data, start.accept_language, _read_language(inverse)),
                        _as_read(inverse, back, _read_language(inverse), start.accept_language))
    if inverse.sent_fields.get("location") is not None:
        # Which of a sent location and a sent timeZone decides the zone is not said (sent_values_stored).
        found = [d for d in found if d.field != "timeZone"]
    if found:
        raise Violation("writing back what an update changed did not return the customer to its start: "
                        + "; ".join(map(str, found[:5])), [d.where for d in found])


def stored_whatever_was_there(from_elsewhere: Exchange, from_near: Exchange, fields: Iterable[str]) -> None:
    """A value that differs from the stored one only in letter case, or in leading or trailing spaces, is stored
    as it would be over any other value: what is stored does not depend on what was there before."""
    elsewhere, near = _stored(from_elsewhere), _stored(from_near)
    if elsewhere is None or near is None:
        return
    wrong = [name for name in fields if elsewhere.get(name) != near.get(name)]
    if wrong:
        raise Violation("the same values were stored differently over a value that differs from them only in case "
                        "or spaces: " + "; ".join(f"{name}: {as_json(elsewhere.get(name))} over another value, "
                                                  f"{as_json(near.get(name))} over a near one" for name in wrong[:5]),
                        wrong)


def reads_follow_their_language(reads: Sequence[Read]) -> None:
    """Reads one after the other in different languages, no write between, each come back in their own language
    (or null where it has no translation)."""
    for read in reads:
        wanted = requested_language(read.accept_language)
        location = (read.data or {}).get("location")
        if wanted in (None, ANY) or not isinstance(location, dict):
            continue
        listed = translations(location)
        for name in TRANSLATABLE:
            picked = location.get(name)
            got = str(picked.get("language")).lower() if isinstance(picked, dict) else None
            available = {str(language).lower() for language, _ in listed[name]}
            expected = wanted if wanted in available else None
            if got != expected:
                raise Violation(f"read with Accept-Language {as_json(read.accept_language)} just after a read in "
                                f"another language, location.{name} is {as_json(picked)}, not "
                                f"{'the ' + as_json(wanted) + ' translation' if expected else 'null'}",
                                f"location.{name}")


def every_read_shows_the_update(update: Exchange, reads: Sequence[Read]) -> None:
    """After an update, a read in any language shows it: no read is answered from before it."""
    if update.status != 200:
        return
    for read in reads:
        if read.data is None:
            continue
        stale = [name for name, sent in update.sent_fields.items() if not same(read.data.get(name), sent)]
        if stale:
            raise Violation(f"read with Accept-Language {as_json(read.accept_language)} after an update, "
                            + "; ".join(f"{name} is {as_json(read.data.get(name))}, the update stored "
                                        f"{as_json(update.sent_fields[name])}" for name in stale), stale)


def _changed(customer_id: str, before: dict[str, Any] | None, after: Read, fields: Iterable[str]) -> list[Any]:
    if before is None or after.data is None or after.customer_id != customer_id:
        return []
    fields = tuple(fields)
    return differences(stable_view(before, fields), stable_view(after.data, fields))


def other_spelling_is_another_id(customer_id: str, spelled: Exchange, before: dict[str, Any] | None,
                                 after: Read) -> None:
    """The id is a string: another string a backend might parse to the same row (leading zeros, a sign, spaces,
    other digits, other letter case) is another id, which answers 404 (400 where it must be encoded), never the
    customer, and changes nothing."""
    if spelled.inconclusive:
        return
    data = spelled.data
    if data is not None and data.get("id") == customer_id:
        raise Violation(f"the id spelled {as_json(spelled.path_id)} reached customer {as_json(customer_id)} "
                        f"(answered {spelled.status} with it)", "reached")
    absent = (404,) if spelled.plain_id else (400, 404)
    if spelled.status not in absent:
        raise Violation(f"the id spelled {as_json(spelled.path_id)} got {spelled.status}, not "
                        f"{' or '.join(map(str, absent))}", str(spelled.status))
    found = _changed(customer_id, before, after, spelled.contract.location_fields)
    if found:
        raise Violation(f"an update of the id spelled {as_json(spelled.path_id)} changed customer "
                        f"{as_json(customer_id)}: " + "; ".join(map(str, found[:5])), [d.where for d in found])


def server_set_properties_ignored(update: Exchange, named: dict[str, Any]) -> None:
    """A body naming an id, or another property only the server sets, is refused (400 or 422), or accepted with those
    properties ignored: the path's customer is the one updated, and what only the server sets stays the server's."""
    if update.inconclusive or update.status in (400, 422):
        return
    data = _stored(update)
    if update.status != 200 or data is None:
        raise Violation(f"an update naming properties only the server sets got {update.status}", str(update.status))
    wrong = [f"{name} stored as {as_json(data.get(name))}, sent {as_json(value)}"
             for name, value in update.sent_fields.items() if not same(data.get(name), value)]
    for name, sent in named.items():
        if name == "updatedAt":
            if data.get(name) == sent:
                wrong.append(f"updatedAt is the {as_json(sent)} the body named")
        elif update.before is not None and data.get(name) != (update.before.get(name) if name != "id"
                                                             else update.path_id):
            wrong.append(f"{name} went from {as_json(update.before.get(name))} to {as_json(data.get(name))} "
                         f"(the body named {as_json(sent)})")
    if wrong:
        raise Violation("an update naming properties only the server sets took them: " + "; ".join(wrong),
                        sorted(named))


def body_id_creates_nothing(named_id: str, read: Read) -> None:
    """An id named in a body creates no customer: reading it afterwards answers 404 (or 400)."""
    if read.status not in (None, 400, 404):
        raise Violation(f"after an update whose body named the id {as_json(named_id)}, reading that id answered "
                        f"{read.status}{' with a customer' if read.data is not None else ''}", str(read.status))


def path_customer_decides(customer_id: str, elsewhere: Exchange, before: dict[str, Any] | None, after: Read) -> None:
    """An update of an unknown id whose body names the test customer's id answers 404 (or is refused for what its
    body names: 400, 422) and leaves the test customer as it was."""
    if elsewhere.inconclusive:
        return
    if elsewhere.status not in (400, 404, 422):
        reached = elsewhere.status == 200 and (elsewhere.data or {}).get("id") == customer_id
        raise Violation(f"an update of the unknown id {as_json(elsewhere.path_id[:60])} naming {as_json(customer_id)} "
                        f"in its body got {elsewhere.status}{' and that customer' if reached else ''}",
                        "reached" if reached else str(elsewhere.status))
    found = _changed(customer_id, before, after, elsewhere.contract.location_fields)
    if found:
        raise Violation(f"an update of an unknown id naming {as_json(customer_id)} in its body changed it: "
                        + "; ".join(map(str, found[:5])), [d.where for d in found])


def simultaneous_updates_both_count(first: Exchange, second: Exchange, after: Read) -> None:
    """Two updates of different fields of one customer at the same moment are both stored, or one is refused
    (409) and nothing of it is stored."""
    if after.data is None:
        return
    for exchange in (first, second):
        if exchange.status in (200, 409, 429) or exchange.status >= 500:
            continue
        raise Violation(f"one of two simultaneous updates got {exchange.status}", str(exchange.status))
    wrong = []
    for exchange in (first, second):
        for name, sent in exchange.sent_fields.items():
            stored = after.data.get(name)
            if exchange.status == 200 and stored != sent:
                wrong.append(f"{name}: sent {as_json(sent)} and answered 200, stored {as_json(stored)}")
            elif exchange.status == 409 and stored == sent and (exchange.before or {}).get(name) != sent:
                wrong.append(f"{name}: refused with 409, stored {as_json(stored)} all the same")
    if wrong:
        raise Violation("of two simultaneous updates, one was lost: " + "; ".join(wrong),
                        [item.split(":")[0] for item in wrong])


def other_customers_untouched(before: dict[str, dict[str, Any]], after: dict[str, Read],
                              location_fields: Iterable[str]) -> None:
    """An update of one customer leaves every other customer as it was."""
    fields = tuple(location_fields)
    for customer_id, was in before.items():
        read = after.get(customer_id)
        if read is None or read.data is None:
            continue
        found = differences(stable_view(was, fields), stable_view(read.data, fields))
        if found:
            raise Violation(f"updates of another customer changed customer {as_json(customer_id)}: "
                            + "; ".join(map(str, found[:5])), [d.where for d in found])


ALL: tuple[Relation, ...] = (
    repeated_update_stores_the_same,
    inverse_update_restores,
    stored_whatever_was_there,
    reads_follow_their_language,
    every_read_shows_the_update,
    other_spelling_is_another_id,
    server_set_properties_ignored,
    body_id_creates_nothing,
    path_customer_decides,
    simultaneous_updates_both_count,
    other_customers_untouched,
)
