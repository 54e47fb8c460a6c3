"""Identity and access: who may change which customer."""

from __future__ import annotations

from engage_contract.exchange import Exchange


def unauthenticated_request_rejected(exchange: Exchange) -> None:
    """Without a bearer token, or with a wrong one, the operation answers 401 (or 403)."""
    if exchange.authorized:
        return
    sent = "a wrong token" if exchange.response.request.headers.get("Authorization") else "no token"
    assert exchange.status in (401, 403), f"a request with {sent} got {exchange.status}"


def unknown_id_not_found(exchange: Exchange) -> None:
    """An id that does not exist answers 404 and creates nothing."""
    if not exchange.authorized or exchange.targets_customer:
        return
    assert exchange.status == 404, f"the unknown id {exchange.path_id[:80]!r} got {exchange.status}"
    read = exchange.read_back.status_code
    assert read == 404, f"after the request, reading the unknown id {exchange.path_id[:80]!r} got {read}, not 404"
