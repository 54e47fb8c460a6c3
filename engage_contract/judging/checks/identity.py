"""Identity and access: who may change which customer."""

from __future__ import annotations

from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import as_json
from engage_contract.judging.exchange import INCONCLUSIVE_STATUSES, Body, Exchange


def unauthenticated_request_rejected(exchange: Exchange) -> None:
    """Without a bearer token, or with a wrong one, the operation answers 401 (or 403)."""
    if exchange.authorized or exchange.inconclusive or exchange.read_only:
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


def other_enterprise_refused(exchange: Exchange) -> None:
    """A token of one enterprise gets no customer under another enterprise: 401, 403 or 404 with the error envelope."""
    if not exchange.elsewhere or not exchange.authorized or exchange.inconclusive:
        return
    if exchange.status not in (401, 403, 404):
        got = "200 and the customer" if exchange.status == 200 and exchange.data is not None else str(exchange.status)
        raise Violation(f"reading customer {as_json(exchange.path_id[:80])} under another enterprise "
                        f"({exchange.sent.url}) got {got}: the enterprise in the path is not enforced",
                        str(exchange.status))


def read_only_token_cannot_write(exchange: Exchange) -> None:
    """A token with the scope engage:customers:readOnly cannot update a customer: 403 (or 401), and nothing changes."""
    if not exchange.read_only or exchange.status in INCONCLUSIVE_STATUSES:
        return
    if exchange.status not in (401, 403):
        raise Violation(f"an update with a read-only token got {exchange.status}", str(exchange.status))
