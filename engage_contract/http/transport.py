"""The session every request of the suite goes out on: redirects are never followed, and the timeout is a
deadline for the whole answer, headers and body.

requests follows redirects by default (turning a PATCH answered 303 into a GET of the Location) and its
timeout bounds each socket read, so headers or a body that trickle in byte by byte never time out. Either
would let a gateway in front of the API turn a run into a green one in which nothing was judged.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, HTTPError, ProtocolError, ReadTimeoutError

from engage_contract import internals

CHUNK = 64 * 1024


class AnswerTooSlow(requests.ReadTimeout):
    """The whole answer did not arrive within the deadline, though every read of it did."""


class _Watch:
    """One request's deadline: when it passes, the connection the request went out on is shut down, which ends
    whatever read is waiting on it (headers or body)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connection: HTTPConnection | None = None
        self.fired = self.done = False

    def expire(self) -> None:
        with self.lock:
            if self.done or self.connection is None:
                return
            self.fired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish(self) -> bool:
        """The answer is read (or failed): the deadline no longer applies. Whether it had passed."""
        with self.lock:
            self.done = True
            return self.fired


_WATCHED = threading.local()  # the watch of the request this thread is sending


class _WatchedRequest:
    """A connection that tells the watch of the request it carries which connection to shut down."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(_WATCHED, "watch", None)
        if watch is not None:
            with watch.lock:
                watch.connection = self
        return super().request(*args, **kwargs)


class _HTTPConnection(_WatchedRequest, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedRequest, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class WholeAnswerAdapter(HTTPAdapter):
    """Reads the whole answer before the request returns, and gives up once its timeout has passed in all."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             **kwargs: Any) -> requests.Response:
        deadline = _read_timeout(timeout)
        watch = _Watch()
        timer = threading.Timer(deadline, watch.expire) if deadline is not None else None
        _WATCHED.watch = watch
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            try:
                response = super().send(request, stream=True, timeout=timeout, **kwargs)
                internals.set_body(response, _read_whole(response, request))
            except requests.RequestException:
                if not watch.finish():
                    raise
            # Cut off at the deadline, http.client may take what it had for the whole answer: it is not.
            if watch.finish():
                raise AnswerTooSlow(f"the answer took more than {deadline:g} s in all", request=request)
        finally:
            watch.finish()
            _WATCHED.watch = None
            if timer is not None:
                timer.cancel()
        return response


def _read_whole(response: requests.Response, request: requests.PreparedRequest) -> bytes:
    """The body as it arrives, decoded; a failure while reading it as requests' own exceptions."""
    chunks = []
    try:
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            chunks.append(chunk)
    except ReadTimeoutError as exc:
        response.close()
        raise requests.ReadTimeout(exc, request=request) from None
    except DecodeError as exc:
        response.close()
        raise requests.exceptions.ContentDecodingError(exc, request=request) from None
    except (ProtocolError, HTTPError, OSError) as exc:  # cut short, reset, a TLS record broken mid-body
        response.close()
        raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
    return b"".join(chunks)


class NoRedirectSession(requests.Session):
    """A kept-alive session that never follows a redirect: a 3xx is the answer under judgement."""

    def __init__(self) -> None:
        super().__init__()
        # max_redirects stays as it is: requests raises at 0 even when it follows none.
        adapter = WholeAnswerAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if timeout is not None else None
