"""The journal: the test customer's snapshot, on disk from before a run's first write until its restore is
verified, so that a run stopped by what cannot be caught (SIGKILL, a machine that died) is undone by the
next run against the same customer. It holds the customer's data and who wrote it, never a credential."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engage_contract.config import host_of

VERSION = 1
# A journal younger than this, of a process still alive here or on another machine, is a run in progress.
LIVE_FOR_SECONDS = 2 * 60 * 60


class JournalError(Exception):
    """A journal that cannot be used: unreadable, not a journal, or another target's."""


@dataclass(frozen=True)
class Entry:
    path: Path
    base_url: str
    customer_id: str
    original: dict[str, Any]
    pid: int
    machine: str
    started: float  # seconds since the epoch

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"pid {self.pid} on {self.machine}, started {when}"

    @property
    def live(self) -> bool:
        """Another run may still be using the customer: young, and its process alive here or not knowable."""
        if time.time() - self.started > LIVE_FOR_SECONDS:
            return False
        if self.machine != socket.gethostname():
            return True
        if self.pid == os.getpid():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def path_for(directory: str | os.PathLike[str], base_url: str, customer_id: str) -> Path:
    """<host>-<hash of the base URL>-<customer>.json: one journal per customer of one target."""
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:8]
    return Path(directory) / f"{host_of(base_url)}-{digest}-{quote(customer_id, safe='')[:100]}.json"


def read(path: Path, base_url: str, customer_id: str) -> Entry | None:
    """The journal at `path`, or None when there is none; JournalError when it cannot be trusted."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalError(f"cannot read the journal {path}: {exc}") from None
    try:
        content = json.loads(text)
        entry = Entry(path=path, base_url=content["target"], customer_id=content["customer"],
                      original=content["original"], pid=int(content["pid"]), machine=str(content["machine"]),
                      started=float(content["started"]))
        if content.get("version") != VERSION or not isinstance(entry.original, dict):
            raise ValueError("unknown version")
    except (ValueError, KeyError, TypeError):
        raise JournalError(f"the journal {path} is not a journal this suite wrote; check customer {customer_id} "
                           "by hand, then remove it") from None
    if entry.base_url != base_url or entry.customer_id != customer_id:
        raise JournalError(f"the journal {path} is of customer {entry.customer_id!r} at {entry.base_url}, not of "
                           f"customer {customer_id!r} at {base_url}; check it by hand, then remove it")
    return entry


def write(path: Path, base_url: str, customer_id: str, original: dict[str, Any]) -> None:
    """Write the snapshot atomically: a journal is whole or absent, never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"version": VERSION, "target": base_url, "customer": customer_id, "pid": os.getpid(),
               "machine": socket.gethostname(), "started": time.time(), "original": original}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(content, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
