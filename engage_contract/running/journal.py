"""The journal: the test customer's snapshot, on disk from before a run's first write until its restore is
verified, so that a run stopped by what cannot be caught (SIGKILL, a machine that died) is undone by the
next run against the same customer, and so that two runs never work on one customer at once. It holds the
customer's data, who wrote it and when it last said it was alive, never a credential."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engage_contract.config import host_of

VERSION = 2
# A run in progress rewrites its journal this often; one not rewritten for STALE_AFTER is no longer running
# (killed, or its machine died), whatever machine it was on.
BEAT_SECONDS = 10.0
STALE_AFTER = 6 * BEAT_SECONDS  # machines' clocks are assumed to agree within a minute (NTP)
# On this machine, a journal whose process is alive is a run in progress (paused with Ctrl-Z, say) unless it
# has not beaten for this long: its pid has been reused. So were journals without a heartbeat (version 1).
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
    beat: float | None  # when the run last said it was alive (None: a journal of version 1, without heartbeat)
    run: str = ""  # who wrote it: a run's own name for itself

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        beat = "" if self.beat is None else f", alive {max(time.time() - self.beat, 0):.0f} s ago"
        return f"pid {self.pid} on {self.machine}, started {when}{beat}"

    @property
    def live(self) -> bool:
        """Another run may still be using the customer: on this machine, its process is alive; on another, its
        heartbeat is fresh."""
        last = self.started if self.beat is None else self.beat
        if self.machine == socket.gethostname():
            if self.pid == os.getpid() or time.time() - last > LIVE_FOR_SECONDS:
                return False
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return time.time() - last <= (LIVE_FOR_SECONDS if self.beat is None else STALE_AFTER)


class Taken(Exception):
    """Another run claimed the customer first: its journal is there."""

    def __init__(self, entry: Entry | None) -> None:
        super().__init__(entry.describe() if entry else "a journal appeared")
        self.entry = entry


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
        if content.get("version") not in (1, VERSION) or not isinstance(content["original"], dict):
            raise ValueError("unknown version")
        entry = Entry(path=path, base_url=content["target"], customer_id=content["customer"],
                      original=content["original"], pid=int(content["pid"]), machine=str(content["machine"]),
                      started=float(content["started"]),
                      # version 1 had no heartbeat: its start is its last sign of life
                      beat=float(content["beat"]) if "beat" in content else None, run=str(content.get("run", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise JournalError(f"the journal {path} is not a journal this suite wrote; check customer {customer_id} "
                           "by hand, then remove it") from None
    if entry.base_url != base_url or entry.customer_id != customer_id:
        raise JournalError(f"the journal {path} is of customer {entry.customer_id!r} at {entry.base_url}, not of "
                           f"customer {customer_id!r} at {base_url}; check it by hand, then remove it")
    return entry


class Claim:
    """A run's journal of one customer: on disk, whole and synced before the run's first write to it; kept
    alive by beat(), released (removed) once the customer is restored, or kept for the next run when not."""

    def __init__(self, path: Path, content: dict[str, Any]) -> None:
        self.path = path
        self._content = content
        self._lock = threading.Lock()
        self._over = False

    def beat(self) -> None:
        """Say the run is alive: the journal is rewritten (atomically) with the time, unless it is no longer
        this run's (a forced run took the customer over) or the claim is over. A journal that cannot be read
        this time is beaten next time."""
        with self._lock:
            if self._over:
                return
            try:
                current = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                self._over = True
                return
            except (OSError, ValueError):
                return
            if not isinstance(current, dict) or current.get("run") != self._content["run"]:
                self._over = True
                return
            self._content["beat"] = time.time()
            os.replace(_write_aside(self.path, self._content), self.path)

    def release(self) -> None:
        """The customer is restored: the journal goes, if it is still this run's."""
        with self._lock:
            self._over = True
            if _run_of(self.path) == self._content["run"]:
                remove(self.path)

    def keep(self) -> None:
        """The customer could not be restored: the journal stays, and goes stale, for the next run to restore."""
        with self._lock:
            self._over = True


def take_over(entry: Entry) -> Path | None:
    """Move a journal that is no longer a live run's aside, in one step, before restoring from it: of two runs
    that found it, only one restores it. The journal's new place, or None when another run took it first."""
    aside = entry.path.with_name(f".{entry.path.name}.{uuid.uuid4().hex}.taken")
    try:
        os.rename(entry.path, aside)
    except FileNotFoundError:
        return None
    moved = _quietly(read, aside, entry.base_url, entry.customer_id)
    if moved is None or (moved.run, moved.started, moved.pid) != (entry.run, entry.started, entry.pid):
        give_back(aside, entry.path)  # a newer journal came in between: not this one's to take
        return None
    return aside


def give_back(aside: Path, path: Path) -> None:
    """A journal taken over and not restored goes back where the next run looks, unless another is there."""
    try:
        os.link(aside, path)
    except OSError:
        return
    aside.unlink(missing_ok=True)
    _sync_folder(path.parent)


def claim(path: Path, base_url: str, customer_id: str, original: dict[str, Any]) -> Claim:
    """Write the snapshot as this run's journal, unless another run's is there (Taken): of two runs that
    claim one customer at once, exactly one does. Whole (never half written) and synced, file and folder,
    when this returns."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        _sync_folder(path.parent.parent)
    now = time.time()
    content = {"version": VERSION, "target": base_url, "customer": customer_id, "pid": os.getpid(),
               "machine": socket.gethostname(), "started": now, "beat": now, "run": uuid.uuid4().hex,
               "original": original}
    partial = _write_aside(path, content)
    try:
        os.link(partial, path)  # fails if the journal exists: the check and the write are one step
    except FileExistsError:
        raise Taken(_quietly(read, path, base_url, customer_id)) from None
    except OSError:  # a file system without hard links: O_EXCL is one step too, though not whole at once
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise Taken(_quietly(read, path, base_url, customer_id)) from None
        with os.fdopen(descriptor, "wb") as file:
            file.write(partial.read_bytes())
            file.flush()
            os.fsync(file.fileno())
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(path.parent)
    return Claim(path, content)


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _write_aside(path: Path, content: dict[str, Any]) -> Path:
    """The content in a file of this process's beside `path`, synced."""
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # pids repeat across containers
    with open(partial, "wb") as file:
        file.write(json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8"))
        file.flush()
        os.fsync(file.fileno())
    return partial


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _run_of(path: Path) -> str | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content.get("run") if isinstance(content, dict) else None


def _quietly(read_journal: Any, *args: Any) -> Entry | None:
    try:
        return read_journal(*args)
    except JournalError:
        return None


class Heartbeat:
    """Rewrites the run's journals every BEAT_SECONDS, so that another run can tell this one is alive, on any
    machine; a run that stops beating (killed, its machine gone) leaves journals that go stale."""

    def __init__(self, claims: list[Claim]) -> None:
        self._claims = claims
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name="engage-contract heartbeat")
        if claims:
            self._thread.start()

    def _beat(self) -> None:
        while not self._stopped.wait(BEAT_SECONDS):
            for claim in self._claims:
                try:
                    claim.beat()
                except OSError:
                    pass  # a beat missed; the next one may do

    def stop(self) -> None:
        self._stopped.set()
