"""The HTTP side: one kept-alive session, the bearer token, a fresh correlation id per request, timeouts,
retries (429 and 409 after a pause; a gateway's 502, 503 or 504, a dropped connection, a broken answer or a
timeout once), a request budget per minute, and a count of everything sent. No redirect is followed
(transport.py).

The token lives here and in config only; what leaves this module for a report is masked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import threading
import unittest
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import requests
from schemathesis import Case
from urllib3.exceptions import ProtocolError
from schemathesis.core.transport import Response

from engage_contract.scrub import MASK, Scrubber, remember
from engage_contract.http.transport import NoRedirectSession

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


class Credential(str):
    """A secret as a string: sent as it is, but shown as [Filtered] by repr() and str(), so that no
    traceback's locals (pytest --showlocals), assertion message or exception text that quotes it shows it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)

    def __str__(self) -> str:
        return MASK

    def reveal(self) -> str:
        return str.__str__(self)




class ClientError(Exception):
    """Anything else that went wrong sending a request; its message never carries a credential."""


class TargetTimedOut(Exception):
    """A request got no answer within the per-request timeout."""


class TargetUnreachable(Exception):
    """A request could not be delivered, even after one retry."""


class AnswerBroken(Exception):
    """The answer was no complete HTTP message (cut short, reset, undecodable), even after one retry."""


class RunStopped(unittest.SkipTest):
    """The run is being stopped: no request starts but the restore's (a skip wherever it lands)."""


class RateLimiter:
    """At most `per_minute` requests in any minute, spaced evenly (no bursts against a shared API); a 429's
    pause holds every lane."""

    def __init__(self, per_minute: float | None) -> None:
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, stopped: threading.Event) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            stopped.wait(delay)  # a stop ends the pause

    def hold(self, seconds: float) -> None:
        """No request before `seconds` from now, whichever lane sends it."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


class Pacer:
    """The run's share of the platform, for every lane at once: the rate limit, at most `max_in_flight`
    requests at a time, and the count of what was sent. Once the run is stopping, only the restore's
    requests start."""

    def __init__(self, per_minute: float | None = None, max_in_flight: int = 1) -> None:
        self.limiter = RateLimiter(per_minute)
        self.max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Condition()
        self._stopped = threading.Event()  # the run is being stopped: no pause, no retry, no new request
        self.in_flight = 0  # requests of the cases and probes being answered now
        self.sent = 0
        self.retries = 0
        self.transient_5xx = 0  # a gateway's 5xx that a retry got past

    @property
    def stopping(self) -> bool:
        return self._stopped.is_set()

    @stopping.setter
    def stopping(self, value: bool) -> None:
        if value:
            self._stopped.set()
        else:
            self._stopped.clear()

    def pause(self, seconds: float) -> None:
        """A retry's pause, cut short by a stop."""
        self._stopped.wait(seconds)

    @contextlib.contextmanager
    def turn(self, *, paced: bool) -> Iterator[None]:
        """One request's slot: taken before the pause, so that no lane's pause lets another burst. `paced`: any
        request but the restore's after a stop, which waits at most a few seconds for a slot (the lanes it
        waits for are stopped, and CI gives seconds before SIGKILL)."""
        if paced and self.stopping:
            raise RunStopped("the run was stopped")
        slot = self._slots.acquire(timeout=None if paced else URGENT_TIMEOUT)
        try:
            if paced:
                self.limiter.wait(self._stopped)
                if self.stopping:
                    raise RunStopped("the run was stopped")
            with self._lock:
                self.sent += 1
                self.in_flight += paced
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= paced
                    self._lock.notify_all()
        finally:
            if slot:
                self._slots.release()

    def drain(self, seconds: float) -> bool:
        """Wait until no case's or probe's request is in flight (at most `seconds`): the restore comes after."""
        with self._lock:
            return self._lock.wait_for(lambda: self.in_flight == 0, timeout=seconds)

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def recovered_from_5xx(self) -> None:
        with self._lock:
            self.transient_5xx += 1


class Timings:
    """How long answers took, by kind of request (update, read, restore, token): for the run's summary. Shared
    by every lane's client."""

    KINDS = ("update", "read", "restore", "token")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: dict[str, list[float]] = {kind: [] for kind in self.KINDS}

    @contextlib.contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        """Time what the block sends; only an answer that came is counted."""
        started = time.monotonic()
        yield
        with self._lock:
            self._seconds[kind].append(time.monotonic() - started)

    def milliseconds(self) -> dict[str, list[float]]:
        with self._lock:
            return {kind: [seconds * 1000 for seconds in values] for kind, values in self._seconds.items()}

    def summary(self) -> dict[str, dict[str, float | int]]:
        """Per kind: how many, and the 50th and 95th percentiles and the most, in milliseconds (nearest rank)."""
        found = {}
        for kind, values in self.milliseconds().items():
            ordered = sorted(values)
            if ordered:
                rank = lambda share: ordered[max(0, -(-len(ordered) * share // 100) - 1)]  # noqa: E731
                found[kind] = {"count": len(ordered), "p50": round(rank(50), 1), "p95": round(rank(95), 1),
                               "max": round(ordered[-1], 1)}
        return found


class CredentialsRejected(Exception):
    """The token endpoint refused the client credentials."""


class NoTls(TargetUnreachable):
    """An https:// target that does not answer in TLS (an http server), or whose certificate does not hold."""


class TokenUnavailable(TargetUnreachable):
    """The token endpoint gave no token, though it did not refuse the credentials (a 5xx, a redirect, no
    answer): no verdict can be had until it does."""


class TokenEndpointWrong(TokenUnavailable):
    """ENGAGE_TOKEN_URL names no token endpoint (a 404 or 405 there)."""


class StaticToken:
    """A bearer token given as it is (ENGAGE_TOKEN)."""

    def __init__(self, token: str) -> None:
        self._token = Credential(token)

    def get(self) -> Credential:
        return self._token

    def refresh(self) -> bool:
        return False

    def secrets(self) -> list[str]:
        return [self._token.reveal()]


class ClientCredentialsToken:
    """OAuth 2.0 client credentials: fetched once, refreshed before expires_in runs out, and on demand."""

    def __init__(self, credentials: Any, session: requests.Session, timeout: float,
                 timings: Timings | None = None) -> None:
        self._lock = threading.RLock()  # lanes share the token: one fetch at a time
        self._timings = timings or Timings()
        self._credentials = credentials
        self._session = session
        self._timeout = timeout
        self._token: str | None = None
        self._refresh_at = 0.0
        self._issued: list[str] = []
        self.fetched = 0

    def get(self) -> Credential:
        with self._lock:
            if self._token is None or time.monotonic() >= self._refresh_at:
                self._fetch()
            return self._token

    def refresh(self) -> bool:
        with self._lock:
            self._fetch()
        return True

    def secrets(self) -> list[str]:
        return [self._credentials.client_secret, *(token.reveal() for token in self._issued)]

    def _fetch(self) -> None:
        credentials = self._credentials
        where = f"the token endpoint {credentials.token_url}"
        for attempt in range(2):  # a gateway's 5xx, or a dropped connection, once more
            try:
                with self._timings.timing("token"):
                    response = self._session.post(credentials.token_url, timeout=self._timeout, data={
                        "grant_type": "client_credentials", "client_id": credentials.client_id,
                        "client_secret": credentials.client_secret, "scope": credentials.scope})
            except requests.RequestException as exc:
                if attempt:
                    raise TokenUnavailable(f"cannot reach {where}: {_reason(exc)}") from None
                continue
            if response.status_code not in GATEWAY_STATUSES or attempt:
                break
            time.sleep(min(_retry_after(response, 0, default=GATEWAY_PAUSE), URGENT_RETRY_AFTER))
        status = response.status_code
        if 300 <= status < 400:
            raise TokenUnavailable(f"{where} redirected ({status}) to {response.headers.get('Location') or 'nowhere'}, and the "
                                   "suite follows no redirect: check ENGAGE_TOKEN_URL")
        if status in (404, 405):
            raise TokenEndpointWrong(f"{where} answered {status}: it is no token endpoint; check ENGAGE_TOKEN_URL (or "
                                     "the enterprise in ENGAGE_BASE_URL it is derived from)")
        if status in (400, 401, 403):
            raise CredentialsRejected(f"{where} refused the client credentials ({status}); check ENGAGE_CLIENT_ID "
                                      "and ENGAGE_CLIENT_SECRET")
        try:
            token, lifetime = _access_token(response)
        except (ValueError, KeyError, TypeError):
            raise TokenUnavailable(f"{where} answered {status} without an access token") from None
        self._token = token
        self._issued.append(token)
        remember(token.reveal())  # for every scrubber, from now on: a start-up error may quote it
        self.fetched += 1
        # Refresh early: a tenth of the lifetime, at most 30 s, before it runs out.
        self._refresh_at = time.monotonic() + lifetime - min(30.0, lifetime / 10)


class Client:
    """Sends schemathesis cases and read-backs to one target, over a kept-alive session of its own."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float,
                 per_minute: float | None = None, credentials: Any = None, max_in_flight: int = 1) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.session = NoRedirectSession()
        self.timings = Timings()
        self.tokens = (ClientCredentialsToken(credentials, self.session, timeout, self.timings)
                       if credentials is not None else StaticToken(token or ""))
        self.pacer = Pacer(per_minute, max_in_flight)
        self.writes = 0  # requests this client sent that may change a customer (its lane's restore needs them)
        self.readings: Any = None  # what every raw answer shows of the silences (readings.Readings), the run's

    def sibling(self) -> "Client":
        """A client for another lane: its own session (requests' are not shared across threads), the same
        target, token and pacer."""
        other = Client.__new__(Client)
        other.base_url, other.timeout, other.tokens, other.pacer = self.base_url, self.timeout, self.tokens, self.pacer
        other.timings = self.timings
        other.session = NoRedirectSession()
        other.writes = 0
        other.readings = self.readings
        return other

    @property
    def sent(self) -> int:
        """Requests the whole run has sent, in every lane."""
        return self.pacer.sent

    @property
    def retries(self) -> int:
        return self.pacer.retries

    @property
    def stopping(self) -> bool:
        return self.pacer.stopping

    @stopping.setter
    def stopping(self, value: bool) -> None:
        self.pacer.stopping = value

    def authorization(self) -> dict[str, str]:
        return {"Authorization": Credential("Bearer " + self.tokens.get().reveal())}

    def sent_our_token(self, headers: Any) -> bool:
        sent = headers.get("Authorization") or ""
        return sent.startswith("Bearer ") and sent[7:] in self.tokens.secrets()

    def mask(self, text: str) -> str:
        """A safety net for texts from elsewhere (an exception's message): credentials there are masked."""
        return Scrubber(self.tokens.secrets).text(text)

    def send(self, case: Case, *, authorized: bool = True, token: str | None = None,
             base_url: str | None = None) -> Response:
        """Send a case with a fresh X-Correlation-Id, with or without our token (or with another one); to the
        target, or to `base_url` (the same API under another enterprise)."""
        headers: dict[str, str] = {}

        def attempt() -> Response:
            headers.clear()
            headers["X-Correlation-Id"] = str(uuid.uuid4())
            self.writes += case.method.upper() != "GET"
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            elif authorized:
                headers.update(self.authorization())
            with self.timings.timing("update" if case.method.upper() == "PATCH" else "read"):
                return case.call(base_url=base_url or self.base_url, session=self.session, headers=headers,
                                 timeout=self.timeout)

        try:
            return self._guarded(lambda: self._with_retries(attempt, describe=lambda: ""))
        except (TargetTimedOut, AnswerBroken) as exc:
            exc.sent_headers = dict(headers)  # the failure shows the request with the headers it went with
            raise

    def read(self, customer_id: str, accept_language: str | None = None, *, urgent: bool = False,
             token: str | None = None) -> requests.Response:
        """GET the customer, as the contract's read-back; with our token, or with another one."""
        headers = {"Accept-Language": accept_language} if accept_language is not None else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self._request("GET", customer_id, urgent=urgent, headers=headers)

    def write(self, customer_id: str, body: dict[str, Any], *, urgent: bool = False) -> requests.Response:
        """PATCH a body outside of any generated case (restoring the customer)."""
        return self._request("PATCH", customer_id, body=body, urgent=urgent)

    def _request(self, method: str, customer_id: str, headers: dict[str, str] | None = None,
                 body: dict[str, Any] | None = None, urgent: bool = False) -> requests.Response:
        """One request outside the generated cases; `urgent` (restoring before a stop): unpaced, no waiting
        retries, a short timeout, so that it fits in the seconds a CI runner gives between SIGTERM and SIGKILL."""
        url = self.customer_url(customer_id)
        timeout = min(self.timeout, URGENT_TIMEOUT) if urgent else self.timeout

        def attempt() -> requests.Response:
            self.writes += method != "GET"
            sent = {"X-Correlation-Id": str(uuid.uuid4()), **self.authorization(), **(headers or {})}
            with self.timings.timing("read" if method == "GET" else "restore"):
                return self.session.request(method, url, headers=sent, json=body, timeout=timeout)

        return self._guarded(lambda: self._with_retries(attempt, describe=lambda: f"curl -X {method} '{url}'",
                                                        urgent=urgent, timeout=timeout))

    def _guarded(self, send: Callable[[], Any]) -> Any:
        """Whatever leaves the client is one of its own exceptions, with every credential masked."""
        try:
            return send()
        except (TargetTimedOut, TargetUnreachable, AnswerBroken, CredentialsRejected, RunStopped):
            raise
        except Exception as exc:  # noqa: BLE001 - anything, so that nothing unmasked gets out
            raise ClientError(f"{type(exc).__name__}: {self.mask(str(exc))}"[:500]) from None

    def customer_url(self, customer_id: str) -> str:
        return f"{self.base_url}/customers/{quote(customer_id, safe='')}"

    def _with_retries(self, send: Callable[[], Any], describe: Callable[[], str], urgent: bool = False,
                      timeout: float | None = None) -> Any:
        retried_once = refreshed = just_refreshed = False
        attempt = 0
        gateway_status, recovered = None, False  # a 502, 503 or 504 retried once, and whether that helped
        while True:
            try:
                with self.pacer.turn(paced=not urgent):
                    response = send()
            except requests.RequestException as exc:
                failure = _transport_failure(exc, timeout or self.timeout, urgent, describe, self.base_url)
                if retried_once or urgent:
                    raise failure from None
                retried_once = True
                self.pacer.retried()
                continue
            status = response.status_code
            if self.readings is not None:
                self.readings.response(response)
                if just_refreshed:
                    self.readings.token_refused(accepted_after_refresh=status != 401)
                if gateway_status is not None and not recovered:
                    self.readings.gateway_error(gateway_status, recovered=status not in GATEWAY_STATUSES)
            just_refreshed = False
            if gateway_status is not None and not recovered and status not in GATEWAY_STATUSES:
                recovered = True
                self.pacer.recovered_from_5xx()
            if status in GATEWAY_STATUSES and gateway_status is None and not urgent:
                if self.stopping:
                    raise RunStopped("the run was stopped")
                gateway_status = status
                self.pacer.retried()
                self.pacer.pause(_retry_after(response, 0, default=GATEWAY_PAUSE))
                continue
            if (status == 401 and not refreshed and self.sent_our_token(response.request.headers)
                    and self.tokens.refresh()):
                refreshed = just_refreshed = True  # our token may have expired or been revoked mid-run: once more
                self.pacer.retried()
                continue
            if status in RETRIED_STATUSES and attempt < (URGENT_RETRIES if urgent else MAX_RETRIES):
                if self.stopping and not urgent:
                    raise RunStopped("the run was stopped")
                attempt += 1
                self.pacer.retried()
                pause = _retry_after(response, attempt)
                # Stopping: the notes say 409 and 429 may be retried, but CI gives seconds before SIGKILL.
                pause = min(pause, URGENT_RETRY_AFTER) if urgent else pause
                if status == 429:  # the platform's limit is the client's, not one lane's
                    self.pacer.limiter.hold(pause)
                if urgent:
                    time.sleep(pause)
                else:
                    self.pacer.pause(pause)
                continue
            return response


def _transport_failure(exc: requests.RequestException, timeout: float, urgent: bool, describe: Callable[[], str],
                       base_url: str) -> Exception:
    """What a request that got no usable answer raises, once it is not retried again."""
    to = describe()
    to = f", to: {_shortened(to)}" if to else ""
    if isinstance(exc, requests.Timeout):
        return TargetTimedOut(f"no complete answer within {timeout:g} s, {'once' if urgent else 'twice'}{to}")
    reason = exc.args[0] if exc.args else None
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)) \
            or (isinstance(exc, requests.ConnectionError) and isinstance(reason, ProtocolError)):
        what = "could not be decoded" if isinstance(exc, requests.exceptions.ContentDecodingError) else \
            "was cut short or reset"
        return AnswerBroken(f"the answer {what} ({_reason(exc)}), {'once' if urgent else 'twice'}{to}")
    if isinstance(exc, requests.exceptions.SSLError):
        return NoTls(f"{base_url} did not complete a TLS handshake ({_reason(exc)}): is it an http:// server, or is "
                     "its certificate not one this machine trusts?")
    if isinstance(exc, requests.ConnectionError):
        return TargetUnreachable(f"cannot reach {base_url}: {_reason(exc)}")
    return ClientError(f"{type(exc).__name__}: {_reason(exc)}")


def _shortened(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _access_token(response: requests.Response) -> tuple[Credential, float]:
    # No local holds the token response's body: a traceback through here shows no secret.
    return Credential(response.json()["access_token"]), float(response.json().get("expires_in") or 300)


def _header(response: Any, name: str) -> str | None:
    value = response.headers.get(name.lower()) or response.headers.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _retry_after(response: Any, attempt: int, default: float | None = None) -> float:
    """Retry-After in seconds or as an HTTP-date (RFC 9110 allows both), at most MAX_RETRY_AFTER. A date counts
    from the response's own Date where it has one: the server's clock, not this machine's."""
    fallback = 0.5 * attempt if default is None else default
    raw = (_header(response, "Retry-After") or "").strip()
    if not raw:
        return fallback
    try:
        seconds = float(raw)
    except ValueError:
        when = _http_date(raw)
        if when is None:
            return fallback
        now = _http_date(_header(response, "Date") or "") or dt.datetime.now(dt.timezone.utc)
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return fallback
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _http_date(text: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


_REASONS = {
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


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker, reason in _REASONS.items():
        if marker in text:
            return reason
    return text.splitlines()[0][:200] if text else type(exc).__name__
