"""The client against a small loopback server that misbehaves on purpose: no request of the suite follows a
redirect, a timeout is a deadline for the whole answer, a gateway's 5xx is retried once, a broken answer is
told from an unreachable target, and Retry-After is read in both of its forms."""

from __future__ import annotations

import email.utils
import gzip
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import schemathesis

from engage_contract.config import ClientCredentials
from engage_contract.contract import SCHEMA_PATH
from engage_contract.http.client import Client
from engage_contract.http.errors import AnswerBroken, CredentialsRejected, TargetTimedOut, TargetUnreachable
from engage_contract.http.retries import retry_after

CUSTOMER = json.dumps({"data": {"id": "1"}}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Set by each test: (method, path, request number) -> None; it writes the whole answer itself.
    answer: Callable[["Handler", int], None]
    seen: list[tuple[str, str]]

    def log_message(self, *args) -> None:
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.seen.append((self.command, self.path))
        type(self).answer(self, len(self.seen))

    do_GET = do_PATCH = do_POST = _any

    def reply(self, status: int, body: bytes = CUSTOMER, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Handler, int], None]], tuple[Client, list[tuple[str, str]]]]]:
    servers = []

    def start(answer: Callable[[Handler, int], None]) -> tuple[Client, list[tuple[str, str]]]:
        seen: list[tuple[str, str]] = []
        handler = type("TestHandler", (Handler,), {"answer": staticmethod(answer), "seen": seen})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}/enterprises/acme"
        credentials = ClientCredentials("me", "secret-for-the-test", f"{base}/token")
        return Client(base, timeout=1.0, credentials=credentials), seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _case():
    operation = schemathesis.openapi.from_path(str(SCHEMA_PATH))["/customers/{id}"]["PATCH"]
    return operation.Case(body={"firstName": "Ada"}, media_type="application/json", path_parameters={"id": "1"})


def _token_then(answer: Callable[[Handler, int], None]) -> Callable[[Handler, int], None]:
    """The token endpoint answers with a token; every other request as `answer` says."""

    def respond(handler: Handler, number: int) -> None:
        if handler.path.endswith("/token"):
            handler.reply(200, json.dumps({"access_token": "t0ken-for-the-test", "expires_in": 300}).encode())
        else:
            answer(handler, number)

    return respond


def _redirect(handler: Handler, number: int) -> None:
    handler.reply(303, b"", {"Location": "/enterprises/acme/customers/1"})


REQUESTS = {
    "generated case": lambda client: client.send(_case()).status_code,
    "read-back": lambda client: client.read("1").status_code,
    "restore write": lambda client: client.write("1", {"firstName": "Ada"}).status_code,
}


@pytest.mark.parametrize("kind", list(REQUESTS))
def test_no_request_follows_a_redirect(serve, kind: str) -> None:
    client, seen = serve(_token_then(_redirect))
    assert REQUESTS[kind](client) == 303
    assert [method for method, path in seen if not path.endswith("/token")] == [
        "PATCH" if kind != "read-back" else "GET"], seen


def test_the_token_endpoint_is_not_followed_either(serve) -> None:
    client, seen = serve(_redirect)
    with pytest.raises(TargetUnreachable, match=r"redirected \(303\).*follows no redirect"):
        client.read("1")
    assert seen == [("POST", "/enterprises/acme/token")]


def test_a_token_endpoint_blip_is_retried_once(serve) -> None:
    def blip_then_token(handler: Handler, number: int) -> None:
        if number == 1:
            handler.reply(503, b"<html>deploying</html>", {"Content-Type": "text/html", "Retry-After": "0"})
        else:
            _token_then(lambda handler, number: handler.reply(200))(handler, number)

    client, seen = serve(blip_then_token)
    assert client.read("1").status_code == 200
    assert [path for _, path in seen] == ["/enterprises/acme/token"] * 2 + ["/enterprises/acme/customers/1"]


@pytest.mark.parametrize(("status", "raised", "says"), [
    (401, CredentialsRejected, "refused the client credentials"),
    (400, CredentialsRejected, "refused the client credentials"),
    (500, TargetUnreachable, "answered 500 without an access token"),
    (404, TargetUnreachable, "answered 404: it is no token endpoint"),
])
def test_only_a_refusal_blames_the_credentials(serve, status: int, raised: type, says: str) -> None:
    client, _ = serve(lambda handler, number: handler.reply(status, b"{}"))
    with pytest.raises(raised, match=says):
        client.read("1")


def _drip(handler: Handler, number: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(CUSTOMER)))
    handler.end_headers()
    for byte in CUSTOMER:
        try:
            handler.wfile.write(bytes([byte]))
        except OSError:
            return
        time.sleep(0.15)  # each read comes well within the timeout; the whole answer does not


def test_the_timeout_is_a_deadline_for_the_whole_answer(serve) -> None:
    client, seen = serve(_token_then(_drip))
    started = time.monotonic()
    with pytest.raises(TargetTimedOut, match="no complete answer within 1 s, twice"):
        client.read("1")
    assert time.monotonic() - started < 3.5  # two attempts of at most a second each, and a little more
    assert len([path for _, path in seen if not path.endswith("/token")]) == 2


def _trickled_headers(handler: Handler, number: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    try:
        for index in range(20):  # one header line every 0.3 s: each read in time, the headers never
            handler.send_header(f"X-Slow-{index}", "x")
            handler.flush_headers()
            time.sleep(0.3)
    except OSError:
        return
    handler.send_header("Content-Length", str(len(CUSTOMER)))
    handler.end_headers()
    handler.wfile.write(CUSTOMER)


def test_the_deadline_covers_the_headers_too(serve) -> None:
    client, _ = serve(_token_then(_trickled_headers))
    started = time.monotonic()
    with pytest.raises(TargetTimedOut, match="no complete answer within 1 s"):
        client.read("1")
    assert time.monotonic() - started < 3.5


def test_a_gateway_503_is_retried_once_and_counted(serve) -> None:
    def blip(handler: Handler, number: int) -> None:
        if number == 2:
            handler.reply(503, b"<html>deploying</html>", {"Content-Type": "text/html", "Retry-After": "0"})
        else:
            handler.reply(200)

    client, _ = serve(_token_then(blip))
    assert client.read("1").status_code == 200
    assert client.pacer.transient_5xx == 1 and client.retries == 1


def test_a_5xx_that_persists_is_the_answer(serve) -> None:
    client, seen = serve(_token_then(lambda handler, number: handler.reply(503, b"", {"Retry-After": "0"})))
    assert client.read("1").status_code == 503
    assert client.pacer.transient_5xx == 0 and len(seen) == 3  # the token, the read and its one retry


def test_an_answer_cut_short_is_broken_not_unreachable(serve) -> None:
    def cut(handler: Handler, number: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "500")
        handler.end_headers()
        handler.wfile.write(CUSTOMER)
        handler.close_connection = True

    client, _ = serve(_token_then(cut))
    with pytest.raises(AnswerBroken, match="cut short or reset"):
        client.read("1")


def test_a_body_not_in_its_content_encoding_is_broken(serve) -> None:
    client, _ = serve(_token_then(lambda handler, number: handler.reply(200, CUSTOMER, {"Content-Encoding": "gzip"})))
    with pytest.raises(AnswerBroken, match="could not be decoded"):
        client.read("1")


def test_a_gzip_body_is_read(serve) -> None:
    body = gzip.compress(CUSTOMER)
    client, _ = serve(_token_then(lambda handler, number: handler.reply(200, body, {"Content-Encoding": "gzip"})))
    assert client.read("1").content == CUSTOMER


def test_nothing_listening_is_unreachable() -> None:
    client = Client("http://127.0.0.1:9/enterprises/acme", "t", timeout=1.0)
    with pytest.raises(TargetUnreachable, match="connection refused"):
        client.read("1")


class _Answer:
    def __init__(self, retry_after: str | None) -> None:
        self.headers = {"Retry-After": retry_after} if retry_after is not None else {}


@pytest.mark.parametrize(("header", "low", "high"), [
    ("2", 2.0, 2.0),
    ("0", 0.0, 0.0),
    (None, 0.5, 0.5),
    ("soon", 0.5, 0.5),
    ("nan", 0.5, 0.5),
    ("1000", 30.0, 30.0),
    (+5, 3.5, 5.0),
    (-60, 0.0, 0.0),
], ids=["seconds", "zero", "none", "garbage", "nan", "capped", "http-date", "http-date-past"])
def test_retry_after_in_seconds_or_as_an_http_date(header: str | int | None, low: float, high: float) -> None:
    if isinstance(header, int):  # seconds from now, as an HTTP-date
        header = email.utils.formatdate(time.time() + header, usegmt=True)
    assert low <= retry_after(_Answer(header), 1) <= high
