"""The reference server's HTTP side: routing, bearer auth, validation against schema/, error envelopes."""

from __future__ import annotations

import contextlib
import copy
import email.utils
import gzip
import json
import math
import re
import secrets
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from engage_contract.contract import Contract
from engage_contract.reference import places
from engage_contract.reference.faults import Switches
from engage_contract.reference.store import BusinessError, Busy, Store

HANG_SECONDS = 600
# legal-rate-limit: bursts one longer than the suite's client retries, in the first requests of a run only,
# so that they fall on generated cases and read-backs rather than on the final restore.
RATE_LIMIT_BURST = 4
# Two starts of opposite parity: a case is a PATCH and its read-back, so bursts fall on each of them.
RATE_LIMIT_BURSTS_AT = (3, 54)
CUT_SHORT_AFTER = 30
_KNOWN_STATUSES = frozenset(HTTPStatus)  # those http.server has a phrase for
RATE_LIMITED_UNTIL = 700
# legal-gateway-blip and legal-retry-after-date: the requests that meet a gateway's 503 and a dated 429.
GATEWAY_BLIPS_AT = (25, 60)
DATED_429_AT = (15, 40)
# Longer than the pauses the client makes without a Retry-After (0.5 + 1 + 1.5 s): only a date read as one waits.
DATED_429_SECONDS = 5
# gateway-body-limit-8k: a proxy's cap on request bodies, and its page.
GATEWAY_BODY_LIMIT = 8192
GATEWAY_413_PAGE = "<html><head><title>413 Request Entity Too Large</title></head><body><h1>413</h1></body></html>"
# What a gateway or load balancer in front of the API answers: an HTML page, no error envelope.
GATEWAY_PAGE = "<html><body><h1>503 Service Unavailable</h1><p>The service is being deployed.</p></body></html>"
# locked-for-a-while: how long the customer stays locked.
LOCK_SECONDS = 6.0
# read-back-503: the GETs that answer 503, two of every five in this range.
READ_BACK_503 = range(20, 200)
DRIP_PIECES, DRIP_PAUSE = 60, 0.1  # slow-drip: 6 s for the whole body
# The gateway variants: status, where to, whether the update is applied first.
REDIRECTS = {
    "redirect-301-applied": (301, "self", True),
    "redirect-302": (302, "/login?next=/enterprises", False),
    "redirect-303": (303, "self", False),
    "redirect-307-elsewhere": (307, "/maintenance", False),
    "redirect-308-applied": (308, "/v2/enterprises/acme/customers", True),
}
# Faults of the answer's transport to a PATCH that sets notes (and is answered 200).
TRANSPORT_FAULTS = ("slow-drip", "broken-gzip", "reset-mid-body")
_ERROR_TYPES = {400: "VALIDATION", 401: "AUTHENTICATION", 404: "NOT_FOUND", 405: "METHOD", 422: "BUSINESS", 429: "RATE_LIMIT", 500: "INTERNAL"}


class Verbatim(Exception):
    """An answer as it is, from something in front of the API (a gateway's page, a redirect)."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.payload, self.headers = status, payload, headers


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str, arguments: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.arguments = arguments
        self.headers = headers or {}


class Traffic:
    """What the platform limits, as this server saw it: requests at once, and when each arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.arrivals: list[float] = []

    @contextlib.contextmanager
    def request(self) -> Iterator[Callable[[], None]]:
        """One request, from its arrival until `answering()` (called before the answer is written: a client can
        send its next request as soon as it has the answer, which must not count as two at once)."""
        with self._lock:
            self.arrivals.append(time.monotonic())
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        done = False

        def answering() -> None:
            nonlocal done
            with self._lock:
                if not done:
                    done = True
                    self.in_flight -= 1

        try:
            yield answering
        finally:
            answering()

    def busiest(self, seconds: float, since: int = 0) -> int:
        """The most requests that arrived within any `seconds` (after the first `since`)."""
        with self._lock:
            arrivals = self.arrivals[since:]
        most = start = 0
        for end, moment in enumerate(arrivals):
            while moment - arrivals[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most


class ReferenceServer(ThreadingHTTPServer):
    """PATCH and GET /enterprises/{enterprise}/customers/{id}, as the contract describes them."""

    daemon_threads = True
    block_on_close = False  # a handler of the `hang` variant sleeps; closing must not wait for it
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, contract: Contract, token: str, enterprise: str = "acme",
                 customer_ids: tuple[str, ...] = ("1001",), faults: Switches = Switches(),
                 latency: float = 0.0, client_id: str | None = None, client_secret: str | None = None,
                 token_lifetime: float = 300.0, readonly_token: str | None = None,
                 first_reads_delay: float = 0.0, log: Callable[[str], None] | None = None) -> None:
        self.contract = contract
        self.log = log  # one line a request (method, path, status, correlation id, ms), when run by hand
        self.first_reads_delay = first_reads_delay
        self.token = token
        self.readonly_token = readonly_token
        self.enterprise = enterprise
        self.customer_ids = customer_ids
        self.faults = faults
        self.latency = latency
        self.store = Store(contract, customer_ids, faults)
        self.requests_served = 0
        self.patches_served = 0
        self.gets_served = 0
        self.locked_until: float | None = None  # locked-for-a-while
        self.blocked_until = 0.0  # legal-retry-after-date: the wall-clock time before which every request gets 429
        self.count_lock = threading.Lock()
        self.traffic = Traffic()
        self.read_cache: dict[Any, Any] = {}  # read-cache-ignores-language (by URL), -partly-invalidated (and language)
        self.last_language: str | None = None  # locale-leaks-between-requests
        self.replayed: dict[str, Any] = {}  # correlation-id-replays: the first answer to each correlation id
        self.read_only_seen: set[str] = set()  # scope-cached-per-token: tokens that were let through once
        self.client_id, self.client_secret, self.token_lifetime = client_id, client_secret, token_lifetime
        self.issued_tokens: dict[str, float] = {}
        self.tokens_ever_issued: list[str] = []
        self._tokens_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout, Ctrl-C), or a connection reset on purpose (reset-mid-body), is not the
        # server's error; anything else is reported.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/enterprises/{self.enterprise}"

    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        """An access token for the configured client, or None for any other."""
        if self.client_id is None or self.client_secret is None:
            return None
        if not (secrets.compare_digest(client_id, self.client_id)
                and secrets.compare_digest(client_secret, self.client_secret)):
            return None
        token = secrets.token_urlsafe(24)
        with self._tokens_lock:
            self.issued_tokens[token] = time.monotonic() + self.token_lifetime
            self.tokens_ever_issued.append(token)
        return token

    def revoke_tokens(self) -> None:
        with self._tokens_lock:
            self.issued_tokens.clear()

    def token_is_valid(self, token: str) -> bool:
        if secrets.compare_digest(token, self.token):
            return True
        with self._tokens_lock:
            expiry = self.issued_tokens.get(token)
        return expiry is not None and expiry > time.monotonic()


# The reads that first_reads_delay slows down: the first read of each of two runs started together.
FIRST_READS = 2


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReferenceServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, delayed ACKs add 40 ms to each answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class names it so
        pass

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_GET(self) -> None:
        self._serve("GET")

    def _unsupported(self) -> None:
        self._serve(self.command)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = _unsupported

    def __getattr__(self, name: str) -> Any:
        # Any other method (QUERY, PROPFIND, ...) is one the API does not serve: 405 with the envelope, as for those
        # above, where the base class would answer 501 with an HTML page.
        if name.startswith("do_"):
            return self._unsupported
        raise AttributeError(name)

    def _serve(self, method: str) -> None:
        started = time.monotonic()
        self._status = None  # a kept-alive handler serves many requests: this one's, or none
        self._transport_fault = None
        try:
            self._answer(method)
        finally:
            if self.server.log is not None:
                self.server.log(f"{method} {self.path} {self._status or '-'}{self._transport_fault and ' ' + self._transport_fault or ''} "
                                f"X-Correlation-Id={self.headers.get('X-Correlation-Id') or '-'} "
                                f"{(time.monotonic() - started) * 1000:.0f} ms")

    def _answer(self, method: str) -> None:
        with self.server.traffic.request() as answering:
            # unread-body-on-401: a request refused for its token is answered before its body is read.
            body = b"" if "unread-body-on-401" in self.server.faults and not self._looks_authenticated() \
                else self._read_body()
            self._raw = body
            if self.server.latency:
                time.sleep(self.server.latency)
            self._transport_fault = None
            try:
                status, payload, headers = self._route(method, body)
            except Verbatim as answer:
                status, payload, headers = answer.status, answer.payload, answer.headers
            except HttpError as error:
                status, payload, headers = error.status, self._envelope(error), error.headers
            except Exception as exc:  # the reference server answers 500 rather than dropping the connection
                status, payload, headers = 500, self._envelope(HttpError(500, "INTERNAL_ERROR", repr(exc))), {}
            if "non-uuid-correlation-id-500" in self.server.faults and not _is_uuid(self.headers.get("X-Correlation-Id")):
                # The access log's middleware, after the handler: the update is made, the answer is a 500.
                status, payload, headers = 500, self._envelope(HttpError(500, "INTERNAL_ERROR", "badly formed UUID")), {}
            answering()
            self._status = status
            if "echoes-authorization" in self.server.faults:
                payload, headers = self._echo_authorization(payload, headers)
            self._send(status, payload, headers, head=method == "HEAD")

    def _echo_authorization(self, payload: Any, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
        got = self.headers.get("Authorization") or "(none)"
        headers = {**headers, "X-Echo-Authorization": got}
        if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
            for item in payload["errors"]:
                item["message"] = f"{item['message']} (Authorization: {got})"
        elif isinstance(payload, dict):
            payload = {"debug": {"authorization": got}, **payload}  # first: within what a failure shows
        return payload, headers

    def _looks_authenticated(self) -> bool:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        token = token.strip()
        return scheme.lower() == "bearer" and bool(token) and (self.server.token_is_valid(token) or bool(
            self.server.readonly_token and secrets.compare_digest(token, self.server.readonly_token)))

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self, method: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        server, faults = self.server, self.server.faults
        with server.count_lock:
            server.requests_served += 1
            served = self._served = server.requests_served
            server.patches_served += method == "PATCH"
            server.gets_served += method == "GET"
            gets = server.gets_served
        if self.server.first_reads_delay and method == "GET" and gets <= FIRST_READS:
            time.sleep(self.server.first_reads_delay)  # two runs that start together are both past their checks
        if "throttles-control-characters" in faults and _has_control_character(raw):
            raise HttpError(429, "RATE_LIMITED", "Too many requests.", headers={"Retry-After": "0"})
        if "gateway-body-limit-8k" in faults and len(raw) > GATEWAY_BODY_LIMIT:
            raise Verbatim(413, GATEWAY_413_PAGE, {"Content-Type": "text/html"})
        if "legal-gateway-blip" in faults and served in GATEWAY_BLIPS_AT:
            raise Verbatim(503, GATEWAY_PAGE, {"Content-Type": "text/html", "Retry-After": "1"})
        if "legal-retry-after-date" in faults:
            self._dated_429(served)
        if ("legal-rate-limit" in faults and served <= RATE_LIMITED_UNTIL
                and any(served % 100 - start in range(RATE_LIMIT_BURST) for start in RATE_LIMIT_BURSTS_AT)):
            raise HttpError(429, "RATE_LIMITED", "Too many requests.", headers={"Retry-After": "0"})
        if "legal-token-revoked" in faults and served % 150 == 0:
            server.revoke_tokens()
        segments = urlsplit(self.path).path.split("/")
        if segments[1:3] == ["realms", server.enterprise] and segments[3:] == ["protocol", "openid-connect", "token"]:
            return self._issue_token(method, raw)
        if len(segments) != 5 or segments[:2] != ["", "enterprises"] or segments[3] != "customers":
            # Outside the API, as a web server or a proxy in front of it would answer: no error envelope.
            return 404, "Not Found", {}
        write_path = method == "PATCH" and "update-ignores-enterprise" in faults  # only the read route checks it
        if unquote(segments[2]) != server.enterprise and "enterprise-ignored" not in faults and not write_path:
            if "legal-refusals-are-401" in faults:
                raise HttpError(401, "UNAUTHORIZED", "The access token is not valid for this enterprise.")
            if "legal-other-enterprise-forbidden" in faults:
                raise HttpError(403, "FORBIDDEN", "The access token's organisation may not see this enterprise.")
            raise HttpError(404, "NOT_FOUND", "No such enterprise.")
        customer_id = unquote(segments[4])
        if method not in ("GET", "PATCH"):
            raise HttpError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported here.", headers={"Allow": "GET, PATCH"})
        redirect = next((REDIRECTS[name] for name in REDIRECTS if name in faults), None) if method == "PATCH" else None
        if redirect is not None and not redirect[2]:  # a gateway in front of the API: nothing reaches it
            raise Verbatim(redirect[0], "", {"Location": self._url(redirect[1], segments[4])})
        if "read-back-503" in faults and method == "GET" and gets in READ_BACK_503 and gets % 5 in (0, 1):
            raise Verbatim(503, GATEWAY_PAGE, {"Content-Type": "text/html", "Retry-After": "0"})
        self._authenticate(method)
        language = self.headers.get("Accept-Language")
        if ("legal-strict-accept-language" in faults and language is not None
                and not server.contract.header_validators["Accept-Language"].is_valid(language)):
            raise HttpError(400, "INVALID_ACCEPT_LANGUAGE", "Accept-Language is not a list of language tags.")
        if "legal-odd-id-rejected" in faults and not re.fullmatch(r"[A-Za-z0-9._~-]+", customer_id):
            raise HttpError(400, "INVALID_ID", "The id is malformed.")
        if "odd-id-crash" in faults and not customer_id.isascii():
            raise RuntimeError("id is not ASCII")
        if not customer_id:
            raise HttpError(404, "NOT_FOUND", "No such customer.")
        correlation_id = self.headers.get("X-Correlation-Id")
        replay = "correlation-id-replays" in faults and method == "PATCH" and correlation_id
        if replay and correlation_id in server.replayed:  # taken for an idempotency key: the first answer again
            return 200, copy.deepcopy(server.replayed[correlation_id]), {}
        cache_key = (customer_id, self.headers.get("Accept-Language"))
        cached = "read-cache-partly-invalidated" in faults or "read-cache-never-cleared" in faults
        if cached and method == "GET" and cache_key in server.read_cache:
            return 200, {"data": copy.deepcopy(server.read_cache[cache_key])}, {}
        if method == "GET":
            record = server.store.get(customer_id)
        else:
            record = self._patch(customer_id, raw)
            server.read_cache.pop(customer_id, None)
            if "read-cache-never-cleared" not in faults:
                server.read_cache.pop(cache_key, None)  # read-cache-partly-invalidated: the update's own language only
        if record is None:
            raise HttpError(404, "CUSTOMER_NOT_FOUND", "No customer has this id.", {"id": customer_id})
        accept_language = self.headers.get("Accept-Language")
        if "locale-leaks-between-requests" in faults:  # a locale context shared by every request, never reset
            server.last_language = accept_language = accept_language or server.last_language
        data = server.store.represent(record, accept_language, reading=method == "GET")
        if "read-cache-ignores-language" in faults and method == "GET":
            data = copy.deepcopy(server.read_cache.setdefault(customer_id, data))
        if cached and method == "GET":
            server.read_cache[cache_key] = copy.deepcopy(data)
        if "legal-time-offsets" in faults and method == "GET":
            for name in ("createdAt", "updatedAt"):
                data[name] = data[name].replace("Z", "000+00:00")
        if "wrong-id" in faults:
            data["id"] = data["id"] + "0"
        if "extra-property" in faults:
            data["internalReference"] = "r-" + customer_id
        if "lowercase-t-date" in faults:
            data["updatedAt"] = data["updatedAt"].replace("T", "t")
        envelope = {"data": data}
        if "legal-location-extras" in faults:
            envelope["meta"] = {"servedBy": "engage-contract reference"}
        if replay:
            server.replayed[correlation_id] = copy.deepcopy(envelope)
        if redirect is not None:  # applied, and then redirected
            raise Verbatim(redirect[0], "", {"Location": self._url(redirect[1], segments[4])})
        return 200, envelope, {}

    def _url(self, where: str, customer_segment: str) -> str:
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        if where == "self":
            return f"http://{host}/enterprises/{self.server.enterprise}/customers/{customer_segment}"
        return f"http://{host}{where}"

    def _dated_429(self, served: int) -> None:
        """legal-retry-after-date: a 429 whose Retry-After is an HTTP-date, and every request before it gets one."""
        server = self.server
        with server.count_lock:
            if served in DATED_429_AT:
                server.blocked_until = math.ceil(time.time()) + DATED_429_SECONDS
            blocked_until = server.blocked_until
        if time.time() < blocked_until:
            raise HttpError(429, "RATE_LIMITED", "Too many requests.",
                            headers={"Retry-After": email.utils.formatdate(blocked_until, usegmt=True)})

    def _issue_token(self, method: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        """The OAuth 2.0 token endpoint, client credentials grant only."""
        if method != "POST":
            raise HttpError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported here.", headers={"Allow": "POST"})
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        token = self.server.issue_token(form.get("client_id", ""), form.get("client_secret", ""))
        if token is None:
            return 401, {"error": "invalid_client"}, {}
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": int(self.server.token_lifetime),
                     "scope": form.get("scope", "")}, {"Cache-Control": "no-store"}

    def _authenticate(self, method: str) -> None:
        if "auth-ignored" in self.server.faults:
            return
        if "auth-cached-per-connection" in self.server.faults and getattr(self, "_authenticated", False):
            return  # checked on the connection's first request, as a middleware keyed on the socket does
        self._check_token(method)
        self._authenticated = True

    def _check_token(self, method: str) -> None:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        readonly = self.server.readonly_token
        if scheme.lower() == "bearer" and readonly and secrets.compare_digest(token.strip(), readonly):
            seen = "scope-cached-per-token" in self.server.faults and readonly in self.server.read_only_seen
            if method == "GET":
                self.server.read_only_seen.add(readonly)  # cached as "valid", without its scope
            # read-only-empty-update-allowed: the scope check sits in the write path, which an empty update skips.
            empty = "read-only-empty-update-allowed" in self.server.faults and (self._raw or b"{}").strip() == b"{}"
            if method != "GET" and "read-only-token-writes" not in self.server.faults and not seen and not empty:
                if "legal-refusals-are-401" in self.server.faults:
                    raise HttpError(401, "UNAUTHORIZED", "The access token's scopes do not allow this request.")
                raise HttpError(403, "FORBIDDEN", "The access token's scopes do not allow this request.")
            return
        if scheme.lower() != "bearer" or not token or not self.server.token_is_valid(token.strip()):
            raise HttpError(401, "UNAUTHORIZED", "The access token is missing, invalid or expired.",
                            headers={"WWW-Authenticate": "Bearer"})

    def _patch(self, customer_id: str, raw: bytes) -> dict[str, Any] | None:
        server, faults = self.server, self.server.faults.at(customer_id)
        if "updates-refuse-the-token" in faults:
            raise HttpError(401, "UNAUTHORIZED", "The access token is missing, invalid or expired.",
                            headers={"WWW-Authenticate": "Bearer"})
        if "locked-after-40" in faults and server.requests_served > 40 and customer_id in server.customer_ids:
            raise HttpError(409, "CUSTOMER_LOCKED", "The customer is being changed by another operation.")
        if "locked-for-a-while" in faults and server.requests_served > 40 and customer_id in server.customer_ids:
            with server.count_lock:
                if server.locked_until is None:
                    server.locked_until = time.monotonic() + LOCK_SECONDS
            if time.monotonic() < server.locked_until:
                raise HttpError(409, "CUSTOMER_LOCKED", "The customer is being changed by another operation.",
                                headers={"Retry-After": "0"})
        if not raw:
            # The page does not make the body Required: none is an empty update (or, in a variant, refused).
            if "legal-empty-body-rejected" in faults:
                raise HttpError(400, "EMPTY_BODY", "The request has no body.")
            body = {}
        else:
            media_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if media_type != "application/json" and "legal-lenient-media-type" not in faults:
                status = 415 if "legal-media-type-415" in faults else 400
                raise HttpError(status, "UNSUPPORTED_MEDIA_TYPE", "The body must be sent as application/json.")
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise HttpError(400, "MALFORMED_JSON", "The body is not valid JSON.") from None
        self._validate(customer_id, body)
        if isinstance(body.get("notes"), str):
            if "persistent-503" in faults:
                raise Verbatim(503, GATEWAY_PAGE, {"Content-Type": "text/html"})
            self._transport_fault = next((name for name in TRANSPORT_FAULTS if name in faults), None)
        if "refuse-every-update" in faults:
            raise HttpError(422, "CUSTOMER_NOT_IDENTIFIABLE", "The customer cannot be identified.")
        if "hang" in faults and "location" in body and body["location"] is None:
            time.sleep(HANG_SECONDS)
        if "server-error" in faults and len(str(body.get("notes") or "")) > 1000:
            raise RuntimeError("notes too long for the column")
        if ("legal-server-set-refused" in faults and isinstance(body, dict)
                and any(name in body for name in server.contract.server_set_fields)):
            raise HttpError(400, "READ_ONLY_PROPERTY", "id, createdAt, updatedAt and deletedAt are set by the server.")
        try:
            return server.store.update(customer_id, body, empty=not raw)
        except Busy:
            raise HttpError(409, "CUSTOMER_BUSY", "The customer is being changed by another request.",
                            headers={"Retry-After": "0"}) from None
        except BusinessError as error:
            if "undocumented-status" in faults and error.code == "LOCATION_TIME_ZONE_RESOLUTION_FAILED":
                raise HttpError(418, error.code, error.message) from None
            code = "BUSINESS_RULE_FAILED" if "unlisted-422-code" in faults else error.code
            raise HttpError(422, code, error.message, error.arguments) from None

    def _validate(self, customer_id: str, body: Any) -> None:
        faults = self.server.faults.at(customer_id)
        if isinstance(body, dict) and isinstance(body.get("location"), dict):
            location = body["location"]
            if "accept-unknown-location-property" in faults:
                allowed = self.server.contract.component("LocationUpdate")["properties"]
                for key in [key for key in location if key not in allowed]:
                    del location[key]
            geolocation = location.get("geolocation")
            if "accept-out-of-range" in faults and isinstance(geolocation, dict):
                latitude = geolocation.get("latitude")
                if isinstance(latitude, (int, float)) and not isinstance(latitude, bool) and latitude > 90:
                    geolocation["latitude"] = 90
        checked = body
        if ("language-case-insensitive-enum" in faults and isinstance(body, dict)
                and isinstance(body.get("language"), str)):
            checked = {**body, "language": body["language"].lower()}
        errors = sorted(self.server.contract.request_body.iter_errors(checked), key=lambda e: list(e.path))
        if errors:
            if "invalid-changes-state" in faults:
                self.server.store.store_partially(customer_id, body)
            error = errors[0]
            where = "/".join(str(part) for part in error.path) or "body"
            if "legal-422-for-invalid" in faults:
                code = "LOCATION_GEOCODING_FAILED" if where.startswith("location") else "CUSTOMER_NOT_IDENTIFIABLE"
                raise HttpError(422, code, f"{where}: {error.message}"[:500])
            raise HttpError(400, "VALIDATION_FAILED", f"{where}: {error.message}"[:500], {"path": where})
        zone = body.get("timeZone") if isinstance(body, dict) else None
        if "legal-strict-accept-language" in faults and isinstance(zone, str) and zone not in places.zone_names():
            raise HttpError(400, "VALIDATION_FAILED", "timeZone is not an IANA time zone name.")
        if "max-length-in-bytes" in faults and len(str(body.get("externalId") or "").encode("utf-8")) > 255:
            raise HttpError(400, "VALIDATION_FAILED", "externalId is too long.")
        if "reject-valid-boundary" in faults and len(str(body.get("externalId") or "")) == 255:
            raise HttpError(400, "VALIDATION_FAILED", "externalId is too long.")
        if "reject-norwegian" in faults and body.get("language") == "no":
            raise HttpError(400, "VALIDATION_FAILED", "language is not supported.")

    def _envelope(self, error: HttpError) -> dict[str, Any]:
        faults = self.server.faults
        item: dict[str, Any] = {
            "message": error.message,
            "code": error.code,
            "type": _ERROR_TYPES.get(error.status, "ERROR"),
            "statusCode": str(error.status),
        }
        if error.status == 422:
            item["arguments"] = error.arguments
            if "error-arguments-double-encoded" in faults and error.arguments is not None:
                item["arguments"] = json.dumps(error.arguments)
        if "error-message-untranslated-empty" in faults and not _asks_english(self.headers.get("Accept-Language")):
            item["message"] = ""
        if "numeric-status-code" in faults:
            item["statusCode"] = error.status
        if "status-code-mismatch" in faults:
            item["statusCode"] = "400" if error.status != 400 else "500"
        envelope: dict[str, Any] = {"errors": [] if "empty-errors" in faults else [item]}
        if "legal-extra-error-properties" in faults:
            item["traceId"] = envelope["traceId"] = secrets.token_hex(8)
        return envelope

    def _send(self, status: int, payload: Any, headers: dict[str, str], head: bool = False) -> None:
        faults = self.server.faults
        text_errors = status >= 400 and "text-errors" in faults
        headers = dict(headers)
        if isinstance(payload, str):
            content, content_type = payload.encode(), headers.pop("Content-Type", "text/plain")
        elif text_errors:
            content, content_type = json.dumps(payload).encode(), "text/plain"
        else:
            content, content_type = json.dumps(payload, ensure_ascii="content-length-in-characters" not in faults).encode(), \
                "application/json"
            if "legal-json-charset" in faults:
                content_type += "; charset=utf-8"
            if "legal-problem-json" in faults and status >= 400 and status not in (404, 422):
                content_type = "application/problem+json"
        transport_fault = self._transport_fault if status == 200 else None
        if "legal-gzip" in faults and "gzip" in (self.headers.get("Accept-Encoding") or "") and content:
            content = gzip.compress(content)
            headers["Content-Encoding"] = "gzip"
        if transport_fault == "broken-gzip":
            headers["Content-Encoding"] = "gzip"  # and the body as it is: no gzip stream
        chunked = "legal-chunked" in faults and not head and status not in (204, 304)
        self.send_response(status, HTTPStatus(status).phrase if status in _KNOWN_STATUSES else None)
        self.send_header("Content-Type", content_type)
        cut_short = "cut-short" in faults and getattr(self, "_served", 0) > CUT_SHORT_AFTER
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            # cut-short: the body is shorter than announced and the connection closes, a broken transport.
            length = len(content.decode("utf-8", "replace")) if "content-length-in-characters" in faults else len(content)
            self.send_header("Content-Length", str(length + (64 if cut_short else 0)))
        if cut_short:
            self.close_connection = True
        correlation_id = self.headers.get("X-Correlation-Id")
        if correlation_id and "legal-no-correlation-echo" not in faults:
            self.send_header("X-Correlation-Id", correlation_id)
        for name, value in headers.items():
            self.send_header(name, value)
        if "legal-connection-close" in faults:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head:
            return
        if transport_fault == "slow-drip":
            self._drip(content)
        elif transport_fault == "reset-mid-body":
            self.wfile.write(content[:len(content) // 2])
            self._reset()
        elif chunked:
            third = max(1, len(content) // 3)
            for start in range(0, len(content), third):
                piece = content[start:start + third]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(content)

    def _drip(self, content: bytes) -> None:
        size = max(1, math.ceil(len(content) / DRIP_PIECES))
        for start in range(0, len(content), size):
            self.wfile.write(content[start:start + size])
            time.sleep(DRIP_PAUSE)

    def _reset(self) -> None:
        """Close the connection with a TCP reset, mid-answer."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _asks_english(accept_language: str | None) -> bool:
    """error-message-untranslated-empty: the catalogue has English only, and no header means English."""
    first = (accept_language or "en").split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first in ("", "*") or first.startswith("en")


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True



def _has_control_character(raw: bytes) -> bool:
    """throttles-control-characters: a JSON body with a C0 control character in one of its strings."""
    try:
        body = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return False
    return any(ord(char) < 0x20 for text in _strings(body) for char in text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
