"""The contract of PATCH /customers/{id}, run against the configured target."""

from __future__ import annotations

import uuid

import pytest
import schemathesis

from engage_contract import contract as contract_module
from engage_contract.edges import edge_bodies
from engage_contract.judge import Judge
from engage_contract.run import Run

schema = schemathesis.pytest.from_fixture("api_schema").include(method="PATCH")


@schema.parametrize()
def test_update_customer(case, judge: Judge) -> None:
    """Generated requests (examples, coverage, fuzzing; valid and invalid) to the test customer."""
    judge.run(case)


def _request(api_schema, customer_id: str, body: dict | bytes):
    operation = api_schema["/customers/{id}"]["PATCH"]
    return operation.Case(body=body, media_type="application/json", path_parameters={"id": customer_id})


def _seed_request(run: Run, api_schema, customer_id: str):
    return _request(api_schema, customer_id, run.contract.request_example)


@pytest.mark.parametrize("token", [None, "wrong"], ids=["no-token", "wrong-token"])
def test_unauthenticated_request_rejected(run: Run, api_schema, judge: Judge, token: str | None) -> None:
    """Without a bearer token, and with a wrong one, the operation answers 401 (or 403) and changes nothing."""
    case = _seed_request(run, api_schema, run.customer_id)
    judge.run(case, authorized=False, token=None if token is None else f"engage-contract-{uuid.uuid4().hex}")


MALFORMED = {
    "truncated": b'{"firstName": "Ada", "lastName": ',
    "trailing-comma": b'{"firstName": "Ada",}',
    "single-quotes": b"{'firstName': 'Ada'}",
    "not-json": b"firstName=Ada",
    "empty": b"",
}


@pytest.mark.parametrize("payload", list(MALFORMED))
def test_malformed_json_rejected(run: Run, api_schema, judge: Judge, payload: str) -> None:
    """A body that is not JSON is rejected with 400 or 422 and changes nothing."""
    judge.run(_request(api_schema, run.customer_id, MALFORMED[payload]))


UNKNOWN_IDS = {
    "generated": "engage-contract-absent-{}",
    "unicode": "engage-contract-ünïcødé-客户-🙂-{}",
    "spaces": "engage contract absent {}",
    "slash": "engage-contract/absent/{}",
    "long": "engage-contract-" + "x" * 2000 + "-{}",
}


@pytest.mark.parametrize("kind", list(UNKNOWN_IDS))
def test_unknown_id_not_found(run: Run, api_schema, judge: Judge, kind: str, request) -> None:
    """An id that does not exist answers 404 and creates nothing; odd ids answer 404, never 5xx."""
    if kind != "generated":
        request.getfixturevalue("thorough")
    customer_id = UNKNOWN_IDS[kind].format(uuid.uuid4().hex)
    if judge.client.read(customer_id).status_code == 200:
        pytest.skip(f"the generated id {customer_id[:60]!r} exists")
    judge.run(_seed_request(run, api_schema, customer_id))


# Collected before any run starts, so the names come from the schema the suite ships with.
EDGES = edge_bodies(contract_module.load())


@pytest.mark.parametrize("edge", list(EDGES))
def test_unstated_edge(run: Run, api_schema, judge: Judge, thorough: None, edge: str) -> None:
    """Schema-valid values at edges the contract does not state get 200 or a listed 422, and are stored."""
    judge.run(_request(api_schema, run.customer_id, EDGES[edge]))
