"""Each relation on hand-made sequences: it passes what its clause allows, the readings the page leaves open
among them, and fails what breaks its clause, naming the broken part."""

from __future__ import annotations

import threading
import time

import pytest

from engage_contract.judging import relations
from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.relations import Read
from engage_contract.judging.turns import Turns
from engage_contract.probes import sequences
from tests.unit.test_checks import CONTRACT, CUSTOMER_ID, customer, exchange


def verdict(relation, *arguments) -> str | None:
    try:
        relation(*arguments)
    except Violation as violation:
        return violation.signature or "(no signature)"
    return None


def read(data=None, status: int = 200, customer_id: str = CUSTOMER_ID, language: str | None = None) -> Read:
    return Read(customer_id, language, status if data is not None or status != 200 else None, data)


def test_repeated_update_stores_the_same() -> None:
    body = {"firstName": "Ada"}
    once = exchange(body=body, response=customer(firstName="Ada"))
    assert verdict(relations.repeated_update_stores_the_same, once,
                   exchange(body=body, response=customer(firstName="Ada", updatedAt="2030-01-01T00:00:00.000Z"))) is None
    # What a stable view leaves out counts when both were read in the same language: the address shown, say.
    moved = customer(firstName="Ada", location__formattedAddress="another address")
    assert verdict(relations.repeated_update_stores_the_same, once,
                   exchange(body=body, response=moved)) == "location.formattedAddress"


def test_inverse_update_restores() -> None:
    start = read(customer())
    forward = exchange(body={"lastName": "Byron"}, response=customer(lastName="Byron"))
    back = exchange(body={"lastName": customer()["lastName"]}, response=customer())
    assert verdict(relations.inverse_update_restores, start, forward, back) is None
    stuck = exchange(body={"lastName": customer()["lastName"]}, response=customer(notes="changed"))
    assert verdict(relations.inverse_update_restores, start, forward, stuck) == "notes"
    # Sent with a location, the time zone may follow the location (the page does not say which decides).
    located = exchange(body={"location": sequences.repeated_update(CONTRACT)["location"]},
                       response=customer(timeZone="Asia/Tokyo"))
    assert verdict(relations.inverse_update_restores, start, forward, located) is None


def test_stored_whatever_was_there() -> None:
    near = {"firstName": " John "}
    # Trimmed both times, or kept both times: the same outcome whatever was there.
    for stored in ("John", " John "):
        assert verdict(relations.stored_whatever_was_there,
                       exchange(body=near, response=customer(firstName=stored)),
                       exchange(body=near, response=customer(firstName=stored)), ["firstName"]) is None
    assert verdict(relations.stored_whatever_was_there,
                   exchange(body=near, response=customer(firstName=" John ")),
                   exchange(body=near, response=customer(firstName="John")), ["firstName"]) == "firstName"


def _bilingual(picked_language: str) -> dict:
    data = customer()
    data["location"]["translations"]["city"] = [{"language": "en", "value": "Ghent"}, {"language": "nl", "value": "Gent"}]
    data["location"]["city"] = {"language": picked_language, "value": "Ghent" if picked_language == "en" else "Gent"}
    for name in ("state", "street1", "street2"):
        data["location"]["translations"][name] = [{"language": "en", "value": name}]
        data["location"][name] = {"language": "en", "value": name} if picked_language == "en" else None
    return data


def test_reads_follow_their_language() -> None:
    assert verdict(relations.reads_follow_their_language,
                   [read(_bilingual("nl"), language="nl"), read(_bilingual("en"), language="en")]) is None
    assert verdict(relations.reads_follow_their_language,
                   [read(_bilingual("en"), language="nl"), read(_bilingual("en"), language="en")]) == "location.city"


def test_other_spelling_is_another_id() -> None:
    before = customer()
    absent = exchange(404, path_id="01001")
    assert verdict(relations.other_spelling_is_another_id, CUSTOMER_ID, absent, before, read(customer())) is None
    # An id that must be encoded may be refused as malformed.
    assert verdict(relations.other_spelling_is_another_id, CUSTOMER_ID, exchange(400, path_id="+1001"), before,
                   read(customer())) is None
    assert verdict(relations.other_spelling_is_another_id, CUSTOMER_ID, exchange(400, path_id="01001"), before,
                   read(customer())) == "400"
    reached = exchange(200, response=customer(), path_id="01001")
    assert verdict(relations.other_spelling_is_another_id, CUSTOMER_ID, reached, before, read(customer())) == "reached"
    assert verdict(relations.other_spelling_is_another_id, CUSTOMER_ID, absent, before,
                   read(customer(notes="spelled"))) == "notes"


def test_server_set_properties_ignored() -> None:
    named = sequences.server_set_properties(CONTRACT, "engage-contract-absent-x")
    body = {"notes": "marker", **named}
    assert set(named) == set(CONTRACT.server_set_fields)
    ignored = exchange(body=body, response=customer(notes="marker", updatedAt="2030-01-01T00:00:00.000Z"))
    assert verdict(relations.server_set_properties_ignored, ignored, named) is None
    assert verdict(relations.server_set_properties_ignored, exchange(400, body=body), named) is None
    taken = exchange(body=body, response=customer(notes="marker", createdAt=sequences.LONG_AGO))
    assert verdict(relations.server_set_properties_ignored, taken, named) == ",".join(sorted(named))
    unstored = exchange(body=body, response=customer())
    assert verdict(relations.server_set_properties_ignored, unstored, named) is not None


def test_body_id_creates_nothing() -> None:
    assert verdict(relations.body_id_creates_nothing, "x", read(status=404)) is None
    assert verdict(relations.body_id_creates_nothing, "x", read(customer(id="x"), customer_id="x")) == "200"


def test_path_customer_decides() -> None:
    before = customer()
    assert verdict(relations.path_customer_decides, CUSTOMER_ID, exchange(404, path_id="absent"), before,
                   read(customer())) is None
    assert verdict(relations.path_customer_decides, CUSTOMER_ID,
                   exchange(200, response=customer(), path_id="absent"), before, read(customer())) == "reached"
    assert verdict(relations.path_customer_decides, CUSTOMER_ID, exchange(404, path_id="absent"), before,
                   read(customer(notes="elsewhere"))) == "notes"


def test_simultaneous_updates_both_count() -> None:
    one = exchange(body={"externalId": "A"}, response=customer(externalId="A"))
    other = exchange(body={"customerNumber": "B"}, response=customer(customerNumber="B"))
    both = read(customer(externalId="A", customerNumber="B"))
    assert verdict(relations.simultaneous_updates_both_count, one, other, both) is None
    refused = exchange(409, body={"customerNumber": "B"})
    assert verdict(relations.simultaneous_updates_both_count, one, refused, read(customer(externalId="A"))) is None
    assert verdict(relations.simultaneous_updates_both_count, one, other, read(customer(externalId="A"))) == "customerNumber"
    assert verdict(relations.simultaneous_updates_both_count, one, refused, both) == "customerNumber"


def test_other_customers_untouched() -> None:
    others = {"1002": customer(id="1002")}
    assert verdict(relations.other_customers_untouched, others, {"1002": read(customer(id="1002"), customer_id="1002")},
                   CONTRACT.location_fields) is None
    assert verdict(relations.other_customers_untouched, others,
                   {"1002": read(customer(id="1002", company="Renamed"), customer_id="1002")},
                   CONTRACT.location_fields) == "company"


def test_a_broken_relation_shows_every_request() -> None:
    steps = [("the update", None), ("then", None)]
    broken = relations.RelationBroken(relations.body_id_creates_nothing, Violation("it was created", "200"), steps)
    assert broken.finding.check == "body_id_creates_nothing"
    assert broken.finding.clause == relations.clause(relations.body_id_creates_nothing)
    assert str(broken).startswith("body_id_creates_nothing: An id named in a body creates no customer")


def test_the_sequences_come_from_the_schema() -> None:
    fields = sequences.text_fields(CONTRACT)
    assert fields and all(CONTRACT.request_fields[name] for name in fields) and "timeZone" not in fields
    near = sequences.near_values(CONTRACT)
    for name in fields:
        assert near["case"][name].casefold() == near["original"][name].casefold()
        assert near["spaces"][name].strip() == near["original"][name]
        assert CONTRACT.request_body.is_valid(near["elsewhere"])
    assert sequences.id_spellings("1001")["arabic-indic-digits"] == "١٠٠١"
    assert "other-case" not in sequences.id_spellings("1001") and sequences.id_spellings("a1")["other-case"] == "A1"


def test_a_lane_alone_waits_for_the_others_and_holds_them_off() -> None:
    turns, seen = Turns(2), []
    started = threading.Event()

    def other_lane() -> None:
        with turns.shared():
            started.set()
            time.sleep(0.05)
            seen.append("other ended")

    thread = threading.Thread(target=other_lane)
    thread.start()
    started.wait()
    with turns.alone():
        seen.append("alone")
        with turns.shared():  # its own cases, within its turn alone
            seen.append("own case")
    thread.join()
    assert seen == ["other ended", "alone", "own case"]


@pytest.mark.parametrize("relation", relations.ALL, ids=lambda relation: relation.__name__)
def test_every_relation_quotes_its_clause(relation) -> None:
    assert relations.clause(relation).endswith(".") and relation.__doc__.strip()[0].isupper()



def test_every_read_shows_the_update() -> None:
    update = exchange(body={"notes": "marker"}, response=customer(notes="marker"))
    fresh = [read(customer(notes="marker"), language=language) for language in ("nl", "en")]
    assert verdict(relations.every_read_shows_the_update, update, fresh) is None
    stale = [read(customer(notes="before"), language="nl"), fresh[1]]
    assert verdict(relations.every_read_shows_the_update, update, stale) == "notes"
