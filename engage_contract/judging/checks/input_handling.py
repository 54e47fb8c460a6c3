"""Input handling: what the body of a request decides about its outcome."""

from __future__ import annotations

from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import differences
from engage_contract.judging.exchange import Body, Exchange


def _judged_update(exchange: Exchange, body: Body) -> bool:
    """An update whose body is of this kind, and whose status says something about it."""
    return exchange.is_update and exchange.body is body and not exchange.inconclusive


def valid_input_accepted(exchange: Exchange) -> None:
    """A schema-valid request gets 200, or 422 with a listed code."""
    # A header the contract describes sent malformed (Accept-Language) may be rejected with 400 or ignored.
    if not _judged_update(exchange, Body.VALID) or not exchange.headers_are_valid:
        return
    # A time zone that is no IANA name breaks the notes' data conventions: 400 (malformed) is as good as 422.
    # A body naming a property only the server sets may be refused for it, as malformed (400) or not.
    allowed = (200, 422, 400) if exchange.breaks_a_convention or exchange.names_server_set else (200, 422)
    if exchange.status not in allowed:
        raise Violation(f"a schema-valid request got {exchange.status}", str(exchange.status))


def invalid_input_rejected(exchange: Exchange) -> None:
    """A schema-invalid request is rejected with 400 or 422."""
    if not _judged_update(exchange, Body.INVALID):
        return
    if exchange.status not in (400, 422):
        raise Violation(f"a schema-invalid request got {exchange.status}", str(exchange.status))


def example_request_accepted(exchange: Exchange) -> None:
    """The reference page's own example request is accepted with 200."""
    if not exchange.known_good or not exchange.is_update or exchange.inconclusive:
        return
    if exchange.status != 200:
        raise Violation(f"the reference page's example request got {exchange.status}, not 200", str(exchange.status))


def empty_update_changes_nothing(exchange: Exchange) -> None:
    """A PATCH without a body is an empty update: 200 that changes nothing, or rejected with 400 or 422."""
    if not _judged_update(exchange, Body.EMPTY):
        return
    if exchange.status not in (200, 400, 422):
        raise Violation(f"a PATCH without a body got {exchange.status}", str(exchange.status))
    if exchange.status != 200 or exchange.before is None:
        return  # rejected: rejected_request_changes_nothing judges it
    for what, after in (("the 200 body", exchange.data), ("reading it back", exchange.read_back_data)):
        if after is None:
            continue
        found = differences(exchange.stable(exchange.before), exchange.stable(after))
        if found:
            raise Violation(f"a PATCH without a body changed the customer ({what}): "
                            + "; ".join(map(str, found[:5])), [d.where for d in found])


def rejected_request_changes_nothing(exchange: Exchange) -> None:
    """A rejected request changes nothing."""
    if (exchange.status == 200 or not exchange.targets_customer or exchange.before is None
            or not exchange.read_back_conclusive):
        return
    after = exchange.read_back_data
    if after is None:
        raise Violation(f"reading the customer back after a {exchange.status} got {exchange.after.status}",
                        f"read-back-{exchange.after.status}")
    found = differences(exchange.stable(exchange.before), exchange.stable(after))
    if found:
        raise Violation(f"a request rejected with {exchange.status} changed the customer: "
                        + "; ".join(map(str, found[:5])), [d.where for d in found])
