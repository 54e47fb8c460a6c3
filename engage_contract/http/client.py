"""The HTTP side: one kept-alive session, the bearer token, a fresh correlation id per request, timeouts,
retries (429 and 409 after a pause; a gateway's 502, 503 or 504, a dropped connection, a broken answer or a
timeout once), a request budget per minute, and a count of everything sent. No redirect is followed
(transport.py).

The token lives here and in config only; what leaves this module for a report is masked.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

import requests
from schemathesis import Case
from schemathesis.core.transport import Response
from urllib3.exceptions import ProtocolError

from engage_contract.http.auth import BearerFlow, ClientCredentialsToken, StaticToken
from engage_contract.http.errors import (
    AnswerBroken,
    ClientError,
    CredentialsRejected,
    NoTls,
    RunStopped,
    TargetTimedOut,
    TargetUnreachable,
)
from engage_contract.http.pacing import Pacer, Timings
from engage_contract.http.retries import RETRIED_STATUSES, URGENT_TIMEOUT, RetryPolicy, reason
from engage_contract.http.transport import NoRedirectSession
from engage_contract.scrub import Scrubber


@runtime_checkable
class AnswerObserver(Protocol):
    """What looks at every raw answer the client gets, retried ones and the restore's too (the run's readings of
    the transport's silences). It is given by whoever starts the run; it never raises into the request."""

    def response(self, response: requests.Response | Response, after_refresh: bool = False,
                 after_gateway: int | None = None) -> None:
        """A case's answer is schemathesis' Response, a read-back's or a restore's requests'; `after_refresh`: the answer to a retry with a new token; `after_gateway`: to a retry after that status."""


@dataclass
class Shared:
    """What every lane's client shares: the target, the auth flow (one token), the pacer (one budget of requests
    and of requests in flight), the timings and the run's observer. A lane's own is its session alone."""

    base_url: str
    timeout: float
    auth: BearerFlow
    pacer: Pacer
    timings: Timings
    observer: AnswerObserver | None = None  # shown every raw answer


class Client:
    """Sends schemathesis cases and read-backs to one target, over a kept-alive session of its own."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float,
                 per_minute: float | None = None, credentials: Any = None, max_in_flight: int = 1,
                 shared: Shared | None = None) -> None:
        if shared is None:
            timings = Timings()
            tokens = (ClientCredentialsToken(credentials, timeout, timings) if credentials is not None
                      else StaticToken(token or ""))
            shared = Shared(base_url, timeout, BearerFlow(tokens), Pacer(per_minute, max_in_flight), timings)
        self.shared = shared
        # requests' sessions are not to be shared across threads: each lane has its own.
        self.session = NoRedirectSession()
        self.writes = 0  # requests this client sent that may change a customer (its lane's restore needs them)

    def sibling(self) -> Client:
        """A client for another lane: its own session over the same shared state."""
        return Client(self.base_url, timeout=self.timeout, shared=self.shared)

    base_url = property(lambda self: self.shared.base_url)
    timeout = property(lambda self: self.shared.timeout)
    pacer = property(lambda self: self.shared.pacer)
    timings = property(lambda self: self.shared.timings)
    auth = property(lambda self: self.shared.auth)
    tokens = property(lambda self: self.shared.auth.tokens)

    @property
    def observer(self) -> AnswerObserver | None:
        """The run's, shared by its lanes."""
        return self.shared.observer

    @observer.setter
    def observer(self, observer: AnswerObserver | None) -> None:
        self.shared.observer = observer

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
        return self.auth.headers()

    def sent_our_token(self, headers: Any) -> bool:
        return self.auth.sent_ours(headers)

    def mask(self, text: str) -> str:
        """A safety net for texts from elsewhere (an exception's message): credentials there are masked."""
        return Scrubber(self.tokens.secrets).text(text)

    def send(self, case: Case, *, authorized: bool = True, token: str | None = None,
             base_url: str | None = None, retry_conflicts: bool = True, correlation_id: str | None = None) -> Response:
        """Send a case with a fresh X-Correlation-Id (or the one given), with or without our token (or with another
        one); to the target, or to `base_url` (the same API under another enterprise); `retry_conflicts=False`: a
        409 is the answer (to updates sent at the same moment, it is one the contract allows)."""
        headers: dict[str, str] = {}

        def attempt() -> Response:
            headers.clear()
            headers["X-Correlation-Id"] = correlation_id or str(uuid.uuid4())
            self.writes += case.method.upper() != "GET"
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            elif authorized:
                headers.update(self.authorization())
            with self.timings.timing("update" if case.method.upper() == "PATCH" else "read"):
                return case.call(base_url=base_url or self.base_url, session=self.session, headers=headers,
                                 timeout=self.timeout)

        try:
            return self._guarded(lambda: self._with_retries(
                attempt, describe=lambda: "", retried=RETRIED_STATUSES if retry_conflicts else (429,)))
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
                      timeout: float | None = None, retried: tuple[int, ...] = RETRIED_STATUSES) -> Any:
        """Send until the retry policy takes an answer; each attempt paced (unless urgent), each answer shown to
        the observer, each retry counted."""
        policy = RetryPolicy(retried, urgent)
        while True:
            try:
                with self.pacer.turn(paced=not urgent):
                    response = send()
            except requests.RequestException as exc:
                if policy.after_failure() is None:
                    raise _transport_failure(exc, timeout or self.timeout, urgent, describe, self.base_url) from None
                self.pacer.retried()
                continue
            if self.observer is not None:
                self.observer.response(response, after_refresh=policy.after_refresh,
                                       after_gateway=policy.after_gateway)
            if policy.recovered(response.status_code):
                self.pacer.recovered_from_5xx()
            retry = policy.after_answer(response, refresh=lambda: self.auth.refreshed(response))
            if retry is None:
                return response
            if retry.waits and self.stopping and not urgent:
                raise RunStopped("the run was stopped")
            self.pacer.retried()
            if retry.limit:
                self.pacer.limiter.hold(retry.pause)
            if urgent:
                time.sleep(retry.pause)
            elif retry.pause:
                self.pacer.pause(retry.pause)


def _transport_failure(exc: requests.RequestException, timeout: float, urgent: bool, describe: Callable[[], str],
                       base_url: str) -> Exception:
    """What a request that got no usable answer raises, once it is not retried again."""
    to = describe()
    to = f", to: {_shortened(to)}" if to else ""
    if isinstance(exc, requests.Timeout):
        return TargetTimedOut(f"no complete answer within {timeout:g} s, {'once' if urgent else 'twice'}{to}")
    cause = exc.args[0] if exc.args else None
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)) \
            or (isinstance(exc, requests.ConnectionError) and isinstance(cause, ProtocolError)):
        what = "could not be decoded" if isinstance(exc, requests.exceptions.ContentDecodingError) else \
            "was cut short or reset"
        return AnswerBroken(f"the answer {what} ({reason(exc)}), {'once' if urgent else 'twice'}{to}")
    if isinstance(exc, requests.exceptions.SSLError):
        return NoTls(f"{base_url} did not complete a TLS handshake ({reason(exc)}): is it an http:// server, or is "
                     "its certificate not one this machine trusts?")
    if isinstance(exc, requests.ConnectionError):
        return TargetUnreachable(f"cannot reach {base_url}: {reason(exc)}")
    return ClientError(f"{type(exc).__name__}: {reason(exc)}")


def _shortened(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
