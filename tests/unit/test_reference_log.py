"""The reference server, run by hand, logs one line a request: a failure's correlation id finds it there."""

from __future__ import annotations

import re

import requests

from engage_contract import reference


def test_one_line_a_request_with_its_correlation_id() -> None:
    lines: list[str] = []
    server = reference.start(token="reference-log-token", log=lines.append)
    try:
        requests.patch(f"{server.base_url}/customers/1001", json={"firstName": ""},
                       headers={"Authorization": "Bearer reference-log-token", "X-Correlation-Id": "c0ffee-1"})
        requests.get(f"{server.base_url}/customers/1001", headers={"Authorization": "Bearer reference-log-token"})
    finally:
        server.shutdown()
        server.server_close()
    assert len(lines) == 2, lines
    assert re.fullmatch(r"PATCH /enterprises/acme/customers/1001 400 X-Correlation-Id=c0ffee-1 \d+ ms", lines[0])
    assert re.fullmatch(r"GET /enterprises/acme/customers/1001 200 X-Correlation-Id=- \d+ ms", lines[1])
