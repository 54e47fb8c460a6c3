"""No credential in anything a run leaves behind: every file under reports/ and everything it writes to its
console are scrubbed of the credentials the run held (tokens, the client secret), wherever they appear,
bodies included, and in the forms a report may have given them (URL-, JSON-, HTML-escaped). A server that
echoes the Authorization header into its bodies would otherwise put the token into the HAR, the page and
the JUnit report."""

from __future__ import annotations

import atexit
import base64
import fcntl
import html
import json
import os
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[Filtered]"
# A shorter secret cannot be told from ordinary text, so it is not searched for.
MIN_LENGTH = 8
# A secret cut short by a report (a body cut to a readable length, a line cut at 80 characters) is masked too,
# from this many of its first characters on: what is left of it after the cut is too little to be used.
CUT_PREFIX = 12

_REMEMBERED: set[str] = set()  # credentials issued during the run (OAuth tokens): every scrubber knows them
_REMEMBERED_LOCK = threading.Lock()


def remember(secret: str) -> None:
    """A credential the process now holds: scrubbed wherever it shows, by every scrubber, from now on."""
    with _REMEMBERED_LOCK:
        _REMEMBERED.add(secret)


def forms(secret: str) -> set[str]:
    """A secret as it may be written into a report: as it is, and escaped for a URL, JSON, HTML or XML."""
    if len(secret) < MIN_LENGTH:
        return set()
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=True)[1:-1], html.escape(secret), html.escape(secret, quote=False)}


class Scrubber:
    """Replaces every form of every secret `secrets()` names at the time (tokens are issued during a run)."""

    def __init__(self, secrets: Callable[[], Iterable[str]]) -> None:
        self._secrets = secrets
        self._known: frozenset[str] = frozenset()
        self._forms: list[bytes] = []

    def _current(self) -> list[bytes]:
        with _REMEMBERED_LOCK:
            remembered = set(_REMEMBERED)
        secrets = frozenset(secret for secret in [*self._secrets(), *remembered] if secret)
        if secrets != self._known:
            self._known = secrets
            # Longest first: a secret's escaped form may hold the secret itself.
            self._forms = sorted({form.encode() for secret in secrets for form in forms(secret)}, key=len, reverse=True)
        return self._forms

    def partial(self, data: bytes) -> int:
        """How many bytes at the end of `data` are the start of some form of a secret (0: none)."""
        forms = self._current()
        for length in range(min(len(data), max((len(form) for form in forms), default=1) - 1), 0, -1):
            tail = data[-length:]
            if any(form.startswith(tail) for form in forms):
                return length
        return 0

    def bytes(self, data: bytes) -> bytes:
        forms = self._current()
        for form in forms:
            if form in data:
                data = data.replace(form, MASK.encode())
        return _cut_forms(data, [form for form in forms if len(form) > CUT_PREFIX])

    def text(self, text: str) -> str:
        return self.bytes(text.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")

    def files(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Scrub every file under `folder` in place; the files that held a secret."""
        return [path for path in sorted(Path(folder).rglob("*")) if self.file(path)]

    def file(self, path: Path) -> bool:
        """Scrub one file in place; whether it held a secret."""
        if not path.is_file() or path.is_symlink():
            return False
        try:
            data = path.read_bytes()
            scrubbed = self._har(data) if path.suffix == ".har" else self.bytes(data)
            if scrubbed == data:
                return False
            path.write_bytes(scrubbed)
        except OSError:
            return False
        return True

    def _har(self, data: bytes) -> bytes:
        """A HAR keeps bodies that are not text in base64, where no secret can be searched for: decoded first."""
        try:
            har = json.loads(data)
            entries = har["log"]["entries"]
        except (ValueError, KeyError, TypeError):
            return self.bytes(data)
        changed = False
        for entry in entries:
            for part in (entry.get("request", {}).get("postData"), entry.get("response", {}).get("content")):
                if isinstance(part, dict) and part.get("encoding") == "base64" and isinstance(part.get("text"), str):
                    try:
                        decoded = base64.b64decode(part["text"], validate=True)
                    except ValueError:
                        continue
                    scrubbed = self.bytes(decoded)
                    if scrubbed != decoded:
                        part["text"], changed = base64.b64encode(scrubbed).decode(), True
        return self.bytes(json.dumps(har, indent=4, ensure_ascii=False).encode() if changed else data)


def _cut_forms(data: bytes, forms: list[bytes]) -> bytes:
    """Every run of at least CUT_PREFIX bytes of `data` that is the start of a form, masked (the longest such)."""
    for head in {form[:CUT_PREFIX] for form in forms}:
        start = 0
        while (found := data.find(head, start)) >= 0:
            end = found
            for form in forms:
                if form.startswith(head):
                    length = CUT_PREFIX
                    while found + length < len(data) and length < len(form) and data[found + length] == form[length]:
                        length += 1
                    end = max(end, found + length)
            data = data[:found] + MASK.encode() + data[end:]
            start = found + len(MASK)
    return data


# How long the console waits for the rest of a write before it shows what it holds back.
_QUIET = 0.05


class Console:
    """Standard output and error, at the level of file descriptors (so pytest's writer, every print, a forked
    worker and a crash's traceback alike), go through a pipe (a pseudo-terminal where they were a terminal,
    so colours and widths stay) and come out scrubbed."""

    def __init__(self, scrubber: Scrubber) -> None:
        self._scrubber = scrubber
        self._pumps: list[tuple[int, int, threading.Thread | None]] = []  # (fd, the original's copy, pump)
        self._closing = threading.Event()

    def start(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        shared: tuple[int, int] | None = None  # (the original, the descriptor now on the channel) of fd 1
        for fd in (1, 2):
            try:
                original = os.dup(fd)
            except OSError:
                continue
            if shared is not None and _same_file(shared[0], original):
                # Both go to one place (2>&1, one terminal): one channel keeps their writes in the order made.
                os.dup2(shared[1], fd)
                self._pumps.append((fd, original, None))
                continue
            read_end, write_end = _channel(original)
            os.dup2(write_end, fd)
            shared = (original, fd)
            pump = threading.Thread(target=self._pump, args=(read_end, original), daemon=True,
                                    name=f"engage-contract console {fd}")
            pump.start()
            self._pumps.append((fd, original, pump))
            os.close(write_end)
            if os.isatty(original) and os.isatty(fd):
                _follow_resizes(original, fd)
        atexit.register(self.stop)

    def stop(self) -> None:
        """Put the original descriptors back, once everything written before is out."""
        if not self._pumps:
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        for fd, original, _ in self._pumps:
            os.dup2(original, fd)  # closes this process's write end: the pump reads to the end
        self._closing.set()
        for _, _, pump in self._pumps:
            if pump is not None:
                pump.join(timeout=60)  # a loaded machine may not run it for seconds: what it holds must get out
        self._pumps = []

    def _pump(self, read_end: int, out: int) -> None:
        held = b""
        try:
            while True:
                # Looked at before the select: whatever was written before stop() is in the pipe by then.
                closing = self._closing.is_set()
                ready, _, _ = select.select([read_end], [], [], 0 if closing else _QUIET)
                if not ready:
                    if held:  # nothing more came: what is held is whole
                        _write_all(out, self._scrubber.bytes(held))
                        held = b""
                    elif closing:
                        break  # a forked worker may keep the pipe open: nothing of ours is left in it
                    continue
                try:
                    chunk = os.read(read_end, 65536)
                except OSError:  # a pseudo-terminal whose other end closed
                    chunk = b""
                if not chunk:
                    break
                held = self._scrubber.bytes(held + chunk)
                # A secret may be cut in two by a write: hold back what could be its start, and only that.
                cut = len(held) - self._scrubber.partial(held)
                if cut:
                    _write_all(out, held[:cut])
                    held = held[cut:]
        finally:
            if held:
                _write_all(out, self._scrubber.bytes(held))
            os.close(read_end)


def _same_file(one: int, other: int) -> bool:
    first, second = os.fstat(one), os.fstat(other)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _follow_resizes(terminal: int, pseudo: int) -> None:
    """A terminal resized during the run resizes the pseudo-terminal in front of it, so widths stay right."""
    if threading.current_thread() is not threading.main_thread():
        return
    before = signal.getsignal(signal.SIGWINCH)

    def resized(signum: int, frame: Any) -> None:
        try:
            fcntl.ioctl(pseudo, termios.TIOCSWINSZ, fcntl.ioctl(terminal, termios.TIOCGWINSZ, b"\0" * 8))
        except OSError:
            pass
        if callable(before):
            before(signum, frame)

    signal.signal(signal.SIGWINCH, resized)


def _channel(original: int) -> tuple[int, int]:
    """A pipe, or a pseudo-terminal of the original's size and in raw mode where the original is a terminal."""
    if os.isatty(original):
        try:
            primary, secondary = os.openpty()
            tty.setraw(secondary)  # the real terminal does its own line endings
            size = fcntl.ioctl(original, termios.TIOCGWINSZ, b"\0" * 8)
            fcntl.ioctl(secondary, termios.TIOCSWINSZ, size)
            return primary, secondary
        except OSError:
            pass
    return os.pipe()


def _write_all(fd: int, data: bytes) -> None:
    while data:
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            continue
        except OSError:
            return
        data = data[written:]
