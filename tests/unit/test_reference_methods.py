"""The reference server answers every method it does not serve as it answers DELETE: 405 with the envelope."""

from __future__ import annotations

import pytest
import requests

from engage_contract import reference
from engage_contract.contract import load


@pytest.mark.parametrize("method", ["DELETE", "QUERY", "PROPFIND"])
def test_an_unserved_method_gets_405_with_the_envelope(method: str) -> None:
    server = reference.start(token="t")
    try:
        answer = requests.request(method, f"{server.base_url}/customers/1001", headers={"Authorization": "Bearer t"},
                                  timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, PATCH"
    assert load().error_envelope.is_valid(answer.json())
