"""The bearer token: given as it is, or fetched with OAuth 2.0 client credentials and refreshed, and the auth flow
that puts it on every request and asks for a new one when ours is refused; a Credential shows as [Filtered]
wherever it is printed."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from engage_contract.http.errors import CredentialsRejected, TokenEndpointWrong, TokenUnavailable
from engage_contract.http.pacing import Timings
from engage_contract.http.retries import GATEWAY_PAUSE, GATEWAY_STATUSES, URGENT_RETRY_AFTER, reason, retry_after
from engage_contract.http.transport import NoRedirectSession
from engage_contract.scrub import MASK, remember


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
    """OAuth 2.0 client credentials: fetched once, refreshed before expires_in runs out, and on demand. Lanes share
    it: one fetch at a time, on a session of its own (no lane's, which its lane's thread may be using)."""

    def __init__(self, credentials: Any, timeout: float, timings: Timings | None = None) -> None:
        self._lock = threading.RLock()
        self._timings = timings or Timings()
        self._credentials = credentials
        self._session = NoRedirectSession()
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
                    raise TokenUnavailable(f"cannot reach {where}: {reason(exc)}") from None
                continue
            if response.status_code not in GATEWAY_STATUSES or attempt:
                break
            time.sleep(min(retry_after(response, 0, default=GATEWAY_PAUSE), URGENT_RETRY_AFTER))
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


class BearerFlow:
    """The token's part in each request: the Authorization header it goes with, and, when the answer is a 401 to
    the token we sent, a new one (once a request: the retry policy asks)."""

    def __init__(self, tokens: StaticToken | ClientCredentialsToken) -> None:
        self.tokens = tokens

    def headers(self) -> dict[str, str]:
        return {"Authorization": Credential("Bearer " + self.tokens.get().reveal())}

    def sent_ours(self, headers: Any) -> bool:
        """Whether a request went with our token (not none, not another one given on purpose)."""
        sent = headers.get("Authorization") or ""
        return sent.startswith("Bearer ") and sent[7:] in self.tokens.secrets()

    def refreshed(self, response: Any) -> bool:
        """After a refusal of our token: whether there is a new one to send the request with again."""
        return self.sent_ours(response.request.headers) and self.tokens.refresh()

    def secrets(self) -> list[str]:
        return self.tokens.secrets()


def _access_token(response: requests.Response) -> tuple[Credential, float]:
    # No local holds the token response's body: a traceback through here shows no secret.
    return Credential(response.json()["access_token"]), float(response.json().get("expires_in") or 300)
