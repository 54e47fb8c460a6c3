"""When a request is tried again, and after how long: the statuses the platform says may be retried, a
gateway's, the pauses, and reading Retry-After and a transport error's reason."""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

RETRIED_STATUSES = (409, 429)
# A gateway in front of the API answers these while it deploys or restarts: retried once, like a dropped
# connection; one that persists is the API's answer.
GATEWAY_STATUSES = (502, 503, 504)
GATEWAY_PAUSE = 1.0
MAX_RETRIES = 3
MAX_RETRY_AFTER = 30.0
URGENT_TIMEOUT = 3.0
URGENT_RETRIES = 1
URGENT_RETRY_AFTER = 2.0


def header(response: Any, name: str) -> str | None:
    value = response.headers.get(name.lower()) or response.headers.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def retry_after(response: Any, attempt: int, default: float | None = None) -> float:
    """Retry-After in seconds or as an HTTP-date (RFC 9110 allows both), at most MAX_RETRY_AFTER. A date counts
    from the response's own Date where it has one: the server's clock, not this machine's."""
    fallback = 0.5 * attempt if default is None else default
    raw = (header(response, "Retry-After") or "").strip()
    if not raw:
        return fallback
    try:
        seconds = float(raw)
    except ValueError:
        when = http_date(raw)
        if when is None:
            return fallback
        now = http_date(header(response, "Date") or "") or dt.datetime.now(dt.timezone.utc)
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return fallback
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def http_date(text: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


REASONS = {
    "Connection refused": "connection refused",
    "Name or service not known": "name or service not known",
    "No route to host": "no route to host",
    "timed out": "timed out",
    "IncompleteRead": "the body ended before its announced length",
    "Connection reset by peer": "the connection was reset",
    "Remote end closed connection": "the server closed the connection without an answer",
    "content-encoding": "the body is not in its Content-Encoding",
    "Connection broken": "the connection broke mid-answer",
}


def reason(exc: Exception) -> str:
    text = str(exc)
    for marker, said in REASONS.items():
        if marker in text:
            return said
    return text.splitlines()[0][:200] if text else type(exc).__name__
