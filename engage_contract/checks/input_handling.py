"""Input handling: what the body of a request decides about its outcome."""

from __future__ import annotations

from engage_contract.customer import differences, stable_view
from engage_contract.exchange import Exchange

# Retried by the client; still there after the retries, they say nothing about the body.
INCONCLUSIVE = (409, 429)


def valid_input_accepted(exchange: Exchange) -> None:
    """A schema-valid request gets 200, or 422 with a listed code."""
    if not exchange.is_update or not exchange.body_is_valid or exchange.status in INCONCLUSIVE:
        return
    assert exchange.status in (200, 422), f"a schema-valid request got {exchange.status}"


def invalid_input_rejected(exchange: Exchange) -> None:
    """A schema-invalid request is rejected with 400 or 422."""
    if not exchange.is_update or exchange.body_is_valid or exchange.status in INCONCLUSIVE:
        return
    assert exchange.status in (400, 422), f"a schema-invalid request got {exchange.status}"


def rejected_request_changes_nothing(exchange: Exchange) -> None:
    """A rejected request changes nothing."""
    if exchange.status == 200 or not exchange.targets_customer or exchange.before is None:
        return
    after = exchange.read_back_data
    assert after is not None, f"reading the customer back after a {exchange.status} got {exchange.read_back.status_code}"
    changed = differences(stable_view(exchange.before), stable_view(after))
    assert not changed, f"a request rejected with {exchange.status} changed the customer: " + "; ".join(changed[:5])
