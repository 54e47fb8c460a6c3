"""Relations between requests: what a correct server satisfies across a sequence of them (judging/relations.py),
with the sequences derived from the schema (probes/sequences.py). Each is a hand-made probe, declared with
`probe` like the others."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from engage_contract.judging import relations
from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.judge import Judge
from engage_contract.probes import sequences
from engage_contract.probes.probe import probe
from engage_contract.running.contract_run import ContractRun
from tests.contract.test_update_customer import BILINGUAL, CONTRACT, FIRST, PROBED, SECOND, _request

READ = PROBED.schema["/customers/{id}"]["GET"]


def _read(customer_id: str, language: str | None = None):
    return READ.Case(path_parameters={"id": customer_id},
                     headers={"Accept-Language": language} if language is not None else None)


def _holds(*judged: tuple[Callable[..., None], tuple[Any, ...], list]) -> None:
    """Judge each relation on its steps; every one broken is reported, each with its requests."""
    broken = []
    for relation, arguments, steps in judged:
        try:
            relation(*arguments)
        except Violation as violation:
            broken.append(relations.RelationBroken(relation, violation, steps))
    if len(broken) == 1:
        raise broken[0]
    if broken:
        raise BaseExceptionGroup(f"{len(broken)} relations broken", broken)


def _sequence(judge: Judge, sequence: Callable[[], None]) -> None:
    """Send and judge a sequence beside the other lanes; one that fails while another lane wrote is sent again with
    the target alone, and only that verdict counts (another customer's update may have reached this one)."""
    if judge.turns.lanes == 1 or judge.turns.is_alone():
        return sequence()
    others = judge.others_events_at_known()  # what it knows of the customer may predate their latest writes
    try:
        return sequence()
    except (AssertionError, BaseExceptionGroup):
        if judge.others_events() == others:
            raise
    with judge.turns.alone():
        judge.refresh()
        return sequence()


def _marker(what: str) -> dict[str, str]:
    """A change of the first text field that no other request makes."""
    return {sequences.text_fields(CONTRACT)[-2]: f"Engage contract {what} {uuid.uuid4().hex[:8]}"}


@probe()
def update_repeated_then_undone(run: ContractRun, judge: Judge) -> None:
    """An update sent twice stores what it stores once; written back as it was, the customer is as it started."""

    def sequence() -> None:
        start = judge.observe(_read(judge.customer_id))
        body = sequences.repeated_update(CONTRACT)
        first = judge.send(_request(judge.customer_id, body))
        second = judge.send(_request(judge.customer_id, body))
        inverse = judge.send(_request(judge.customer_id, sequences.inverse_of(start.data or {}, body, CONTRACT)))
        _holds((relations.repeated_update_stores_the_same, (first, second),
                relations.steps_of([first, second], ["the update", "the same update again"])),
               (relations.inverse_update_restores, (start, first, inverse),
                relations.steps_of([start, first, inverse], ["the start", "the update", "its inverse"])))

    _sequence(judge, sequence)


@probe({"case": "case", "spaces": "spaces"})
def near_value_stored(run: ContractRun, judge: Judge, near: str) -> None:
    """Text written over a value that differs from it only in letter case (or only in spaces around it) is stored as
    it is over any other value."""

    def sequence() -> None:
        values = sequences.near_values(CONTRACT)
        judge.send(_request(judge.customer_id, values["original"]))
        over_near = judge.send(_request(judge.customer_id, values[near]))
        judge.send(_request(judge.customer_id, values["elsewhere"]))
        over_another = judge.send(_request(judge.customer_id, values[near]))
        _holds((relations.stored_whatever_was_there, (over_another, over_near, list(values[near])),
                relations.steps_of([over_another, over_near], ["over another value", "over a near one"])))

    _sequence(judge, sequence)


@probe()
def blank_text_stored(run: ContractRun, judge: Judge) -> None:
    """Every free text field sent as a single space (schema-valid: at least one character) gets 200 or a listed 422,
    and what comes back is still a valid customer (a trimming server must not answer "")."""
    judge.send(_request(judge.customer_id, sequences.near_values(CONTRACT)["blank"]))


@probe()
def reads_in_two_languages(run: ContractRun, judge: Judge) -> None:
    """Two reads one after the other, in two languages the location has, no write between: each in its own; then an
    update, and reads in both languages again: each shows it."""

    def sequence() -> None:
        judge.send(_request(judge.customer_id, BILINGUAL, headers={"Accept-Language": FIRST}))
        reads = [judge.observe(_read(judge.customer_id, language)) for language in (SECOND, FIRST)]
        update = judge.send(_request(judge.customer_id, _marker("read")))
        after = [judge.observe(_read(judge.customer_id, language)) for language in (SECOND, FIRST)]
        _holds((relations.reads_follow_their_language, (reads,),
                relations.steps_of(reads, [f"read in {SECOND}", f"then in {FIRST}"])),
               (relations.every_read_shows_the_update, (update, after),
                relations.steps_of([*reads, update, *after], [f"read in {SECOND}", f"then in {FIRST}", "an update",
                                                              f"then read in {SECOND}", f"and in {FIRST}"])))

    _sequence(judge, sequence)


@probe()
def correlation_id_any_string(run: ContractRun, judge: Judge) -> None:
    """X-Correlation-Id is any non-empty string, and one event chain may span several requests: two different
    updates under one id that is no UUID are each judged as any other."""
    chain = f"engage-contract-chain-{uuid.uuid4().hex[:12]}"
    for step in ("first", "second"):
        judge.send(_request(judge.customer_id, _marker(f"chain {step}")), correlation_id=chain)


@probe({spelling: spelling for spelling in sequences.id_spellings("1001")})
def id_spelled_otherwise(run: ContractRun, judge: Judge, spelling: str) -> None:
    """The test customer's id written as another string a backend might parse to the same row is another id: 404
    (400 where it must be encoded), never the customer, and it changes nothing."""

    def sequence() -> None:
        spelled = sequences.id_spellings(judge.customer_id).get(spelling)
        if spelled is None:
            pytest.skip(f"the id {judge.customer_id!r} has no {spelling} spelling")
        before = judge.known
        # Encoded here, as the unknown-id probes encode theirs: schemathesis would send a space or a sign as it is.
        (update,), after = judge.send_together([_request(quote(spelled, safe=""), _marker("spelled"))],
                                               _read(judge.customer_id))
        _holds((relations.other_spelling_is_another_id, (judge.customer_id, update, before, after),
                relations.steps_of([update, after], ["the id spelled otherwise", "then the customer"])))

    _sequence(judge, sequence)


@probe()
def body_names_server_set_properties(run: ContractRun, judge: Judge) -> None:
    """A body that names an id, createdAt, updatedAt or deletedAt is refused, or updates the path's customer with
    those ignored; it creates no customer, and names no other customer to update."""

    def sequence() -> None:
        fresh = f"engage-contract-absent-{uuid.uuid4().hex}"
        named = sequences.server_set_properties(CONTRACT, fresh)
        before = judge.known
        (update,), _ = judge.send_together([_request(judge.customer_id, {**_marker("named"), **named})],
                                           _read(judge.customer_id))
        update.before = before
        created = judge.observe(_read(fresh))
        before = judge.known
        (elsewhere,), after = judge.send_together(
            [_request(f"engage-contract-absent-{uuid.uuid4().hex}", {**_marker("elsewhere"), "id": judge.customer_id})],
            _read(judge.customer_id))
        _holds((relations.server_set_properties_ignored, (update, named),
                relations.steps_of([update], ["the update naming them"])),
               (relations.body_id_creates_nothing, (fresh, created),
                relations.steps_of([update, created], ["the update naming the id", "then that id"])),
               (relations.path_customer_decides, (judge.customer_id, elsewhere, before, after),
                relations.steps_of([elsewhere, after], ["an unknown id's update naming the customer", "then the customer"])))

    _sequence(judge, sequence)


@probe()
def simultaneous_updates(run: ContractRun, judge: Judge) -> None:
    """Two updates of different fields of the customer at the same moment: both stored, or one refused (409) and
    nothing of it stored."""
    # Alone: the other lanes' requests would hold the pacer's slots, and the two would no longer meet.
    with judge.turns.alone():
        first, second = sequences.two_fields(CONTRACT)
        (one, other), after = judge.send_together(
            [_request(judge.customer_id, first), _request(judge.customer_id, second)], _read(judge.customer_id))
        _holds((relations.simultaneous_updates_both_count, (one, other, after),
                relations.steps_of([one, other, after], ["one update", "the other, at the same moment", "then"])))


@probe()
def other_customers_untouched(run: ContractRun, judge: Judge) -> None:
    """With several test customers: updates of one, made while no other lane sends, leave the others as they were."""
    neighbours = [lane for lane in run.lanes if lane.customer_id != judge.customer_id]
    others = [lane.customer_id for lane in neighbours]
    if not others:
        pytest.skip("one test customer: there is no other to watch (ENGAGE_CUSTOMER_ID takes several)")
    with judge.turns.alone():
        judge.refresh()
        # Each neighbour read by its own lane's judge, which takes what it reads as what it knows: an update of
        # another lane (this fault's own doing, say) may have changed the neighbour since that judge last read it.
        before = [lane.judge.observe(_read(lane.customer_id)) for lane in neighbours]
        for lane, read in zip(neighbours, before):
            if read.data is not None:
                lane.judge.remember(read.data)
        if before[0].data is None:
            pytest.skip(f"customer {others[0]} could not be read")
        # The other lanes' cases may have left a neighbour's text empty, and no update by value reaches an empty
        # field: each neighbour gets text of its own first, from its own lane's judge (which keeps what it knows
        # of its customer true; its lane is held back meanwhile and sees the write as another lane's).
        seeded = []
        for index, (lane, read) in enumerate(zip(neighbours, before)):
            missing = sequences.filled(read.data or {}, CONTRACT, f"neighbour {lane.number}")
            if read.data is not None and missing:
                seeded.append(lane.judge.send(_request(lane.customer_id, missing)))
                before[index] = lane.judge.observe(_read(lane.customer_id))
        # Each neighbour's own values in turn, then others: a backend that updates rows by value renames the
        # namesakes of what it replaces, one that copies a change to related rows copies it, and each neighbour is
        # a namesake once.
        known = [read.data for read in before if read.data is not None]
        updates = []
        for data in known:
            updates.append(judge.send(_request(judge.customer_id, sequences.same_as(data, CONTRACT))))
            # Then everything but the text that it shares with that neighbour: a change copied to the rows that share
            # a value (its company, say) reaches the neighbour.
            updates.append(judge.send(_request(judge.customer_id, sequences.unlike(known, CONTRACT, but_text=True))))
        updates.append(judge.send(_request(judge.customer_id, sequences.unlike(known, CONTRACT))))
        after = {customer_id: judge.observe(_read(customer_id)) for customer_id in others}
    _holds((relations.other_customers_untouched,
            ({read.customer_id: read.data for read in before if read.data is not None}, after,
             CONTRACT.location_fields),
            relations.steps_of([*seeded, *before, *updates, *after.values()])))
