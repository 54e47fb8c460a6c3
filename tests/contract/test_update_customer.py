"""The contract of PATCH /customers/{id}, run against the configured target: the generated cases (one schemathesis
test), and the hand-made probes, each a sequence declared with `probe` (sent by the run, reported by an item of
its own, test_<sequence>[<variant>]), with the clause it enforces in its docstring."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from engage_contract.http.errors import AnswerBroken, ClientError, TargetTimedOut, TargetUnreachable
from engage_contract.judging import checks
from engage_contract.judging.judge import Judge
from engage_contract.probes.edges import LONG_TEXT, edge_bodies
from engage_contract.probes.mishandled import (
    boolean_bodies,
    character_bodies,
    language_headers,
    length_bodies,
    null_bodies,
    with_other_changes,
)
from engage_contract.probes.outcomes import bilingual_location, boundary_body, business_rule_bodies, invalid_bodies
from engage_contract.probes.probe import probe
from engage_contract.running import lanes, suite
from engage_contract.running.contract_run import ContractRun

# The run started before collection (engage_contract/plugin.py): the schema is loaded for its target, eagerly.
API = suite.api_schema(suite.current())
schema = API.include(method="PATCH")
CONTRACT = suite.current().contract


PROBED = suite.probe_operation(suite.current())


def _request(customer_id: str, body=None, headers: dict[str, str] | None = None):
    operation = PROBED
    if body is None:  # no body at all
        return operation.Case(path_parameters={"id": customer_id}, headers=headers)
    return operation.Case(body=body, media_type="application/json", path_parameters={"id": customer_id},
                          headers=headers)


def _seed_request(contract_run: ContractRun, customer_id: str):
    return _request(customer_id, contract_run.contract.request_example)


@probe(smoke=True)
def example_request_accepted(run: ContractRun, judge: Judge) -> None:
    """The reference page's own example request is accepted: without that, nothing else proves much."""
    judge.send(_seed_request(run, judge.customer_id), known_good=True)


@schema.parametrize()
@lanes.shared_out
def test_update_customer(case, judge: Judge) -> None:
    """Generated requests (examples, coverage, fuzzing; valid and invalid) to the test customer; with several
    customers, shared out among their lanes. A case alike one sent before is not sent again."""
    judge.send_generated(case)


@probe({"no-token": None, "wrong-token": "wrong"}, smoke=True)
def unauthenticated_request_rejected(run: ContractRun, judge: Judge, token: str | None) -> None:
    """Without a bearer token, and with a wrong one, the operation answers 401 (or 403) and changes nothing."""
    case = _seed_request(run, judge.customer_id)
    judge.send(case, authorized=False, token=None if token is None else f"engage-contract-{uuid.uuid4().hex}")


# A name no enterprise has, drawn for the run.
OTHER_ENTERPRISE = f"engage-contract-none-{uuid.uuid4().hex[:12]}"
ELSEWHERE, ELSEWHERE_URL = suite.elsewhere_operation(suite.current(), OTHER_ENTERPRISE)
UPDATE_ELSEWHERE, _ = suite.elsewhere_operation(suite.current(), OTHER_ENTERPRISE, "PATCH")


@probe({"read": "read", "update": "update"}, smoke=lambda how: how == "read")
def other_enterprise_refused(run: ContractRun, judge: Judge, how: str) -> None:
    """The test customer's id read, or updated, under an enterprise that is not the target's answers 401, 403 or 404
    with the error envelope, never the customer, and changes nothing: the enterprise in the path is enforced."""
    if ELSEWHERE is None:
        pytest.skip(f"ENGAGE_BASE_URL names no enterprise (.../enterprises/<name>): {run.client.base_url}")
    if how == "read":
        judge.send(ELSEWHERE.Case(path_parameters={"id": judge.customer_id}), base_url=ELSEWHERE_URL)
        return
    # A write path that forgets the enterprise its read path checks: the read-back, at home, shows what it did.
    body = {"notes": f"Engage contract under {OTHER_ENTERPRISE}"}
    judge.send(UPDATE_ELSEWHERE.Case(body=body, media_type="application/json",
                                     path_parameters={"id": judge.customer_id}), base_url=ELSEWHERE_URL)


@probe({"example": "example", "empty": "empty"}, smoke=lambda update: update == "example")
def read_only_token_cannot_write(run: ContractRun, judge: Judge, update: str) -> None:
    """With a token of the read-only scope (ENGAGE_READONLY_TOKEN), the page's example update, and an empty one,
    answer 403 (or 401) and change nothing."""
    if run.readonly_token is None:
        pytest.skip("ENGAGE_READONLY_TOKEN is not set (a token with the scope engage:customers:readOnly)")
    # A token refused outright (expired, say) would get its 401 whatever its scope: a refusal proves nothing then.
    try:
        reads = judge.client.read(judge.customer_id, token=run.readonly_token).status_code
    except (TargetUnreachable, TargetTimedOut, AnswerBroken, ClientError) as exc:
        pytest.skip(f"could not make sure ENGAGE_READONLY_TOKEN can read the customer: {exc}")
    if reads != 200:
        pytest.skip(f"ENGAGE_READONLY_TOKEN cannot read the customer either (GET answered {reads}): expired, or "
                    "another enterprise's? Its refusal to update would prove nothing")
    # An empty update too: a scope check in the write path is passed by an update that writes nothing.
    request = _seed_request(run, judge.customer_id) if update == "example" else _request(judge.customer_id, {})
    judge.send(request, authorized=False, token=run.readonly_token, read_only=True)


@probe({"no-body": None, "empty-json": b""}, smoke=lambda payload: payload == "no-body")
def empty_update(run: ContractRun, judge: Judge, payload: bytes | None) -> None:
    """A PATCH without a body (or with zero bytes of JSON) is an empty update: 200 that changes nothing, or 400/422."""
    judge.send(_seed_request(run, judge.customer_id))  # a known state, every field set
    judge.send(_request(judge.customer_id, payload))


MALFORMED = {
    "truncated": b'{"firstName": "Ada", "lastName": ',
    "trailing-comma": b'{"firstName": "Ada",}',
    "single-quotes": b"{'firstName': 'Ada'}",
    "not-json": b"firstName=Ada",
}


@probe(MALFORMED, smoke=lambda payload: payload == "truncated")
def malformed_json_rejected(run: ContractRun, judge: Judge, payload: bytes) -> None:
    """A body that is not JSON is rejected with 400 or 422 and changes nothing."""
    judge.send(_request(judge.customer_id, payload))


# With changes to the fields the rule does not touch: a 422 must store none of them.
BUSINESS_RULES = {code: with_other_changes(CONTRACT, body) for code, body in business_rule_bodies(CONTRACT).items()}


@probe(BUSINESS_RULES, smoke=lambda code: code != "LOCATION_GEOCODING_FAILED")
def business_rule_reached(run: ContractRun, judge: Judge, body: dict) -> None:
    """A request most likely to meet a listed 422, changing other fields too, gets 200 (the platform accepts it)
    or a 422 with a listed code that changes nothing."""
    judge.send(_request(judge.customer_id, body))


BILINGUAL, (FIRST, SECOND, ABSENT) = bilingual_location(CONTRACT)
LANGUAGES = {"first": FIRST, "second": SECOND, "absent": ABSENT, "any": "*",
             # The notes' own form (`en *`): a language without translations, then any.
             "absent-then-any": f"{ABSENT} *",
             **language_headers(CONTRACT, FIRST, SECOND),
             # The order given and the weights disagree: which one the platform follows is not said (a reading).
             "weighted": f"{SECOND};q=0.4, {FIRST};q=0.9"}


@probe(LANGUAGES, smoke=lambda asked: asked in ("upper-case", "any"))
def accept_language_honoured(run: ContractRun, judge: Judge, asked: str) -> None:
    """Asked for a language its translations have, in any case, a location comes back in it, on PATCH and GET;
    asked for one they lack, or one outside the page's list, null; asked for any, or for one they lack then any,
    in some language; asked with weights, in one of the translations."""
    judge.send(_request(judge.customer_id, BILINGUAL, headers={"Accept-Language": asked}))


UNKNOWN_IDS = {
    "generated": "engage-contract-absent-{}",
    "unicode": "engage-contract-ünïcødé-客户-🙂-{}",
    "spaces": "engage contract absent {}",
    "slash": "engage-contract/absent/{}",
    "long": "engage-contract-" + "x" * 2000 + "-{}",
}


@probe(UNKNOWN_IDS, smoke=lambda kind: kind in ("generated", "unicode"), customerless=True)
def unknown_id_not_found(run: ContractRun, judge: Judge, spelled: str) -> None:
    """An id that does not exist answers 404 and creates nothing; odd ids answer 404, never 5xx."""
    customer_id = spelled.format(uuid.uuid4().hex)
    try:
        exists = judge.client.read(customer_id).status_code == 200
    except (TargetUnreachable, TargetTimedOut, AnswerBroken, ClientError) as exc:
        pytest.skip(f"could not make sure the id {customer_id[:60]!r} does not exist: {exc}")
    if exists:
        pytest.skip(f"the generated id {customer_id[:60]!r} exists")
    # Encoded here, as the read-back encodes it: schemathesis would send a slash as a path separator.
    judge.send(_seed_request(run, quote(customer_id, safe="")))


@probe(smoke=True)
def every_edge_at_once(run: ContractRun, judge: Judge) -> None:
    """Bounded strings at their maxLength, the others very long, enums at a value YAML misreads, location cleared,
    all in one schema-valid request: 200 or a listed 422, never a 400 or a crash."""
    judge.send(_request(judge.customer_id, boundary_body(run.contract, LONG_TEXT)))


@probe(invalid_bodies(CONTRACT), smoke=lambda broken: not broken.endswith("-in-other-case"))
def invalid_request_rejected(run: ContractRun, judge: Judge, body: dict) -> None:
    """The page's example with one constraint broken is rejected with 400 or 422, and changes nothing."""
    judge.send(_request(judge.customer_id, body))


@probe(edge_bodies(CONTRACT))
def unstated_edge(run: ContractRun, judge: Judge, body: dict) -> None:
    """Schema-valid values at edges the contract does not state get 200 or a listed 422, and are stored."""
    judge.send(_request(judge.customer_id, body))


@probe(character_bodies(CONTRACT), smoke=lambda kind: kind == "nul")
def characters_stored_as_sent(run: ContractRun, judge: Judge, body: dict) -> None:
    """A NUL, other control characters, a lone combining mark or a right-to-left mark inside every free string and
    translation is schema-valid: 200 or a listed 422, and stored exactly as sent."""
    judge.send(_request(judge.customer_id, body))


@probe(length_bodies(CONTRACT), smoke=lambda bound: bound.endswith("-at-max-length-2-byte"))
def length_counted_in_characters(run: ContractRun, judge: Judge, body: dict) -> None:
    """A maxLength met exactly in 2-byte, 3-byte or astral characters is schema-valid (200 or a listed 422); one
    character more is not (400 or 422, and nothing changes)."""
    judge.send(_request(judge.customer_id, body))


@probe(boolean_bodies(CONTRACT), smoke=lambda value: value.endswith("-false"))
def boolean_stored(run: ContractRun, judge: Judge, body: dict) -> None:
    """Every boolean sent false, true or null is stored (null: as the server chooses) and changes nothing else."""
    judge.send(_request(judge.customer_id, body))


@probe(null_bodies(CONTRACT))
def null_stored(run: ContractRun, judge: Judge, body: dict) -> None:
    """A nullable field sent as null in an accepted update comes back null, and reads back null."""
    judge.send(_request(judge.customer_id, body))


def _narrowed(contract_run: ContractRun, config: pytest.Config) -> bool:
    """Whether the run was asked for some tests only (-k, -m, --deselect, --ignore, a test id): then it may send
    no update."""
    option = config.option
    return contract_run.narrowed or bool(option.ignore or option.ignore_glob or any("::" in arg for arg in config.args))


def test_contract_exercised(contract_run: ContractRun, request: pytest.FixtureRequest) -> None:
    """A run in which no schema-valid update was accepted proves nothing: it fails, saying so."""
    try:
        problem = contract_run.tally().exercised()
    except LookupError as exc:
        if _narrowed(contract_run, request.config):
            pytest.skip(f"nothing to judge in the tests asked for: {exc}")
        # Nothing told: a run that could not judge, which exits as such unless something else failed.
        contract_run.unjudged.append(str(exc))
        pytest.fail(f"{checks.CONTRACT_EXERCISED}: {checks.CONTRACT_EXERCISED_CLAUSE} {checks.NOTHING_JUDGED} {exc}",
                    pytrace=False)
    if problem:
        pytest.fail(f"{checks.CONTRACT_EXERCISED}: {checks.CONTRACT_EXERCISED_CLAUSE} {problem}", pytrace=False)
