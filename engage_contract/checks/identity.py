"""Identity and access: who may change which customer."""

from __future__ import annotations

from engage_contract.checks.violation import Violation
from engage_contract.exchange import Exchange


def unauthenticated_request_rejected(exchange: Exchange) -> None:
    """Without a bearer token, or with a wrong one, the operation answers 401 (or 403)."""
    if exchange.authorized:
        return
    sent = "a wrong token" if exchange.sent.header("Authorization") else "no token"
    if exchange.status not in (401, 403):
        raise Violation(f"a request with {sent} got {exchange.status}", f"{sent}:{exchange.status}")


def unknown_id_not_found(exchange: Exchange) -> None:
    """An id that does not exist answers 404 and creates nothing."""
    if not exchange.authorized or exchange.targets_customer or exchange.inconclusive:
        return
    if exchange.status != 404:
        raise Violation(f"the unknown id {exchange.path_id[:80]!r} got {exchange.status}", str(exchange.status))
    if exchange.read_back_conclusive and exchange.after.status != 404:
        raise Violation(f"after the request, reading the unknown id {exchange.path_id[:80]!r} got "
                        f"{exchange.after.status}, not 404", f"read-back-{exchange.after.status}")
