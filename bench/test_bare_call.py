"""The benchmark's baseline: the cases the suite would generate, sent with a bare `case.call()`:
no checks, no read-backs, no bookkeeping. Run by bench/run.py, not by the project's tests."""

from __future__ import annotations

import schemathesis

from engage_contract.run import Run

schema = schemathesis.pytest.from_fixture("api_schema").include(method="PATCH")


@schema.parametrize()
def test_bare_call(case, run: Run) -> None:
    client = run.client
    case.call(base_url=client.base_url, session=client.session, headers=client.authorization(),
              timeout=client.timeout)
