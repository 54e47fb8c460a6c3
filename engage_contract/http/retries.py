"""When a request is tried again, and after how long: the statuses the platform says may be retried, a
gateway's, the pauses, and reading Retry-After and a transport error's reason."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Retry:
    """Send the request again, after `pause` seconds; `limit`: the pause holds the whole client (a 429: the
    platform's limit is the client's, not one lane's); `waits`: a retry a stopping run does not make."""

    pause: float = 0.0
    limit: bool = False
    waits: bool = True


class RetryPolicy:
    """One request's retries, decided from its answers alone: a transport failure once more; a gateway's 502,
    503 or 504 once, after its Retry-After; a 401 to our token once, with a token the auth flow refreshes; a 409
    or 429 up to MAX_RETRIES times, after its Retry-After. `urgent` (restoring before a stop): no transport
    retry, no gateway retry, and short pauses, to fit in the seconds a CI runner gives before SIGKILL."""

    def __init__(self, retried: tuple[int, ...] = RETRIED_STATUSES, urgent: bool = False) -> None:
        self.retried, self.urgent = retried, urgent
        self.after_refresh = False  # the answer now in hand is to a retry with a new token
        self._failed = self._refreshed = self._recovered = False
        self._gateway: int | None = None  # the 502, 503 or 504 retried once
        self._attempts = 0

    @property
    def after_gateway(self) -> int | None:
        """The gateway status the answer in hand follows, until an answer that is not one."""
        return None if self._recovered else self._gateway

    def recovered(self, status: int) -> bool:
        """Whether this answer is the first after a gateway's status that is not one (the blip passed)."""
        if self._gateway is not None and not self._recovered and status not in GATEWAY_STATUSES:
            self._recovered = True
            return True
        return False

    def after_failure(self) -> Retry | None:
        """No usable answer (refused, reset, timed out): once more, unless urgent."""
        if self._failed or self.urgent:
            return None
        self._failed = True
        return Retry(waits=False)

    def after_answer(self, response: Any, refresh: Callable[[], bool]) -> Retry | None:
        """What to do with an answer: None, it is the answer; or a Retry. `refresh` asks the auth flow for a new
        token after a 401 to ours, and says whether it has one."""
        status, self.after_refresh = response.status_code, False
        if status in GATEWAY_STATUSES and self._gateway is None and not self.urgent:
            self._gateway = status
            return Retry(retry_after(response, 0, default=GATEWAY_PAUSE))
        if status == 401 and not self._refreshed and refresh():
            self._refreshed = self.after_refresh = True  # our token may have expired or been revoked mid-run
            return Retry(waits=False)
        if status in self.retried and self._attempts < (URGENT_RETRIES if self.urgent else MAX_RETRIES):
            self._attempts += 1
            pause = retry_after(response, self._attempts)
            # The notes say 409 and 429 may be retried, but a stopping run has seconds before SIGKILL.
            return Retry(min(pause, URGENT_RETRY_AFTER) if self.urgent else pause, limit=status == 429)
        return None
