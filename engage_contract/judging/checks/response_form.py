"""Response form: what every response must look like, whatever was asked."""

from __future__ import annotations

from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.customer import as_json
from engage_contract.judging.exchange import Body, Exchange


def _schema_errors(validator, instance) -> tuple[str, list[str]]:
    """The first few errors as text, and where they are (array indices as *) as the signature."""
    found = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    text = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in found[:3])
    where = ["/".join("*" if isinstance(part, int) else str(part) for part in e.absolute_path) + f":{e.validator}"
             for e in found]
    return text, where


def _json_body(exchange: Exchange) -> None:
    # The page gives application/json for 200, 404 and 422; for the platform's other errors it names no media
    # type, so a JSON one (application/problem+json, say) is as good.
    stated = exchange.status in (200, 404, 422)
    if exchange.content_type != "application/json" and (stated or not exchange.content_type.endswith("+json")):
        raise Violation(f"Content-Type is {as_json(exchange.content_type)}, not application/json", "content-type")
    if exchange.json is None:
        raise Violation("the body is not JSON", "not-json")


def ok_body_matches_schema(exchange: Exchange) -> None:
    """A 200 body matches the 200 schema, formats included (RFC 3339 date-time with T)."""
    if exchange.status != 200:
        return
    _json_body(exchange)
    problems, where = _schema_errors(exchange.contract.customer_envelope, exchange.json)
    if problems:
        raise Violation(f"the 200 body breaks the schema: {problems}", where)


def error_body_is_envelope(exchange: Exchange) -> None:
    """Every 4xx body is the error envelope: errors non-empty; message, code, type, statusCode non-empty strings; statusCode equals the HTTP status; Content-Type is JSON."""
    if not 400 <= exchange.status < 500:
        return
    _json_body(exchange)
    problems, where = _schema_errors(exchange.contract.error_envelope, exchange.json)
    if problems:
        raise Violation(f"the {exchange.status} body is not the error envelope: {problems}", where)
    mismatched = [e["statusCode"] for e in exchange.json["errors"] if e["statusCode"] != str(exchange.status)]
    if mismatched:
        raise Violation(f"statusCode {as_json(mismatched[0])} differs from the HTTP status {exchange.status}",
                        f"statusCode-for-{exchange.status}")


def business_error_code_is_listed(exchange: Exchange) -> None:
    """A 422 carries one of the three listed codes."""
    if exchange.status != 422 or not isinstance(exchange.json, dict):
        return
    listed = exchange.contract.business_error_codes
    codes = [e.get("code") for e in exchange.json.get("errors") or [] if isinstance(e, dict)]
    unlisted = [str(code) for code in codes if code not in listed]
    if unlisted:
        raise Violation(f"422 code {as_json(unlisted[0])} is not one of {', '.join(listed)}", unlisted)
    problems, where = _schema_errors(exchange.contract.business_error_envelope, exchange.json)
    if problems:
        raise Violation(f"the 422 body breaks its schema: {problems}", where)


def status_is_documented(exchange: Exchange) -> None:
    """No status outside the documented ones for PATCH; never a 5xx or a redirect."""
    if exchange.status >= 500:
        raise Violation(f"server error {exchange.status}", str(exchange.status))
    if 300 <= exchange.status < 400:
        # The suite follows no redirect: a gateway that answers an update with one has not applied it here.
        raise Violation(f"redirect {exchange.status} to {as_json(exchange.headers.get('location'))} (the "
                        f"contract documents no redirect, and none is followed)", str(exchange.status))
    if exchange.status == 415 and exchange.body is Body.FOREIGN:
        return  # a body in a media type the page does not describe: refusing it as such is no break of it
    documented = exchange.contract.documented_statuses(exchange.method)
    if exchange.status not in documented:
        raise Violation(f"status {exchange.status} is not documented "
                        f"(documented: {', '.join(map(str, sorted(documented)))})", str(exchange.status))
