"""Identity and access: who may change which customer."""

from __future__ import annotations

from engage_contract.checks.violation import Violation
from engage_contract.customer import as_json
from engage_contract.exchange import Body, Exchange


def unauthenticated_request_rejected(exchange: Exchange) -> None:
    """Without a bearer token, or with a wrong one, the operation answers 401 (or 403)."""
    if exchange.authorized or exchange.inconclusive:
        return
    sent = "a wrong token" if exchange.sent.header("Authorization") else "no token"
    # Which a server checks first, the token or a malformed request, is not said: 400 is as good there.
    malformed = exchange.body in (Body.INVALID, Body.FOREIGN) or not exchange.headers_are_valid
    if exchange.status not in (401, 403) and not (malformed and exchange.status == 400):
        raise Violation(f"a request with {sent} got {exchange.status}", f"{sent}:{exchange.status}")


def unknown_id_not_found(exchange: Exchange) -> None:
    """An id that does not exist answers 404 and creates nothing; an odd one may be refused as malformed (400)."""
    if not exchange.authorized or exchange.targets_customer or exchange.inconclusive:
        return
    # An id with characters a URL must encode (a slash, spaces, non-ASCII) may be refused as malformed.
    absent = (404,) if exchange.plain_id else (400, 404)
    if exchange.status not in absent:
        raise Violation(f"the unknown id {as_json(exchange.path_id[:80])} got {exchange.status}",
                        str(exchange.status))
    if exchange.read_back_conclusive and exchange.after.status not in absent:
        raise Violation(f"after the request, reading the unknown id {as_json(exchange.path_id[:80])} got "
                        f"{exchange.after.status}, not 404", f"read-back-{exchange.after.status}")
