"""The session every request of the suite goes out on: redirects are never followed, and the timeout is a
deadline for the whole answer, headers and body.

requests follows redirects by default (turning a PATCH answered 303 into a GET of the Location) and its
timeout bounds each socket read, so a body that trickles in byte by byte never times out. Either would let a
gateway in front of the API turn a run into a green one in which nothing was judged.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

CHUNK = 64 * 1024


class AnswerTooSlow(requests.ReadTimeout):
    """The whole answer did not arrive within the deadline, though every read of it did."""


class WholeAnswerAdapter(HTTPAdapter):
    """Reads the body as it arrives, and gives up once the request's timeout has passed in total."""

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             **kwargs: Any) -> requests.Response:
        started = time.monotonic()
        response = super().send(request, stream=True, timeout=timeout, **kwargs)
        deadline = _read_timeout(timeout)
        chunks = []
        try:
            while True:
                remaining = None if deadline is None else deadline - (time.monotonic() - started)
                if remaining is not None and remaining <= 0:
                    raise AnswerTooSlow(f"the answer took more than {deadline:g} s in all", request=request,
                                        response=response)
                _bound_next_read(response, remaining)
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
        except requests.RequestException:
            response.close()
            raise
        except ReadTimeoutError as exc:
            response.close()
            raise requests.ReadTimeout(exc, request=request) from None
        except ProtocolError as exc:
            response.close()
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        except DecodeError as exc:
            response.close()
            raise requests.exceptions.ContentDecodingError(exc, request=request) from None
        except OSError as exc:  # a reset while reading the body
            response.close()
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        response._content = b"".join(chunks)
        response._content_consumed = True
        return response


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


def _bound_next_read(response: requests.Response, remaining: float | None) -> None:
    """No single read may wait past the deadline either."""
    if remaining is None:
        return
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(remaining, 0.001))
