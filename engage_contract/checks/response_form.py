"""Response form: what every response must look like, whatever was asked."""

from __future__ import annotations

from engage_contract.exchange import Exchange


def _errors(validator, instance) -> str:
    found = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in found[:3])


def ok_body_matches_schema(exchange: Exchange) -> None:
    """A 200 body matches the 200 schema, formats included (RFC 3339 date-time with T)."""
    if exchange.status != 200:
        return
    assert exchange.content_type == "application/json", f"Content-Type is {exchange.content_type!r}, not JSON"
    assert exchange.json is not None, "the body is not JSON"
    problems = _errors(exchange.contract.customer_envelope, exchange.json)
    assert not problems, f"the 200 body breaks the schema: {problems}"


def error_body_is_envelope(exchange: Exchange) -> None:
    """Every 4xx body is the error envelope: errors non-empty; message, code, type, statusCode non-empty strings; statusCode equals the HTTP status; Content-Type is JSON."""
    if not 400 <= exchange.status < 500:
        return
    assert exchange.content_type == "application/json", f"Content-Type is {exchange.content_type!r}, not JSON"
    assert exchange.json is not None, "the body is not JSON"
    problems = _errors(exchange.contract.error_envelope, exchange.json)
    assert not problems, f"the {exchange.status} body is not the error envelope: {problems}"
    mismatched = [e["statusCode"] for e in exchange.json["errors"] if e["statusCode"] != str(exchange.status)]
    assert not mismatched, f"statusCode {mismatched[0]!r} differs from the HTTP status {exchange.status}"


def business_error_code_is_listed(exchange: Exchange) -> None:
    """A 422 carries one of the three listed codes."""
    if exchange.status != 422 or not isinstance(exchange.json, dict):
        return
    listed = exchange.contract.business_error_codes
    codes = [e.get("code") for e in exchange.json.get("errors") or [] if isinstance(e, dict)]
    unlisted = [code for code in codes if code not in listed]
    assert not unlisted, f"422 code {unlisted[0]!r} is not one of {', '.join(listed)}"
    problems = _errors(exchange.contract.business_error_envelope, exchange.json)
    assert not problems, f"the 422 body breaks its schema: {problems}"


def status_is_documented(exchange: Exchange) -> None:
    """No status outside the documented ones for PATCH; never a 5xx."""
    documented = exchange.contract.documented_statuses(exchange.case.method)
    assert exchange.status < 500, f"server error {exchange.status}"
    assert exchange.status in documented, (
        f"status {exchange.status} is not documented (documented: {', '.join(map(str, sorted(documented)))})"
    )
