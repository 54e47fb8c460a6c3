"""The benchmark's baseline: the cases the suite would generate, sent with a bare `case.call()`:
no checks, no read-backs, no bookkeeping. Run by bench/run.py, not by the project's tests."""

from __future__ import annotations

from engage_contract.running import suite
from engage_contract.running.contract_run import ContractRun

# The suite's own schema, for the run the plugin started: the same generated cases as the suite's.
schema = suite.api_schema(suite.current()).include(method="PATCH")


@schema.parametrize()
def test_bare_call(case, contract_run: ContractRun) -> None:
    client = contract_run.client
    case.call(base_url=client.base_url, session=client.session, headers=client.authorization(),
              timeout=client.timeout)
    contract_run.judge.tally.cases += 1  # counted as the suite counts its cases, for a like-with-like rate
