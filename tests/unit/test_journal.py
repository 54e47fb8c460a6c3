"""The journal: one run a customer, whole and synced before the first write, alive by its heartbeat."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import time
from pathlib import Path

import pytest

from engage_contract.running import journal

TARGET = "https://api.development.pexipengage.com/enterprises/acme"


def _contend(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        journal.claim(Path(path), TARGET, "1234", {"firstName": "Ada"})
        results.put("won")
    except journal.Taken:
        results.put("taken")


def test_of_runs_claiming_one_customer_at_the_same_instant_exactly_one_wins(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(10):
        path = tmp_path / f"round-{round_}.json"
        barrier, results = context.Barrier(4), context.Queue()
        contenders = [context.Process(target=_contend, args=(str(path), barrier, results)) for _ in range(4)]
        for contender in contenders:
            contender.start()
        for contender in contenders:
            contender.join(10)
        outcomes = sorted(results.get(timeout=5) for _ in contenders)
        assert outcomes == ["taken", "taken", "taken", "won"], f"round {round_}: {outcomes}"
        assert journal.read(path, TARGET, "1234").original == {"firstName": "Ada"}
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")], "a partial file was left"


def test_the_journal_is_synced_file_and_folder_before_claim_returns(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    path = tmp_path / "j.json"
    journal.claim(path, TARGET, "1234", {})
    assert str(tmp_path) in synced, synced  # the folder: the new name survives a crash
    assert any(name.endswith(".tmp") for name in synced), synced  # the content, before it is linked in


def _entry(**changes) -> journal.Entry:
    values = {"path": Path("j"), "base_url": TARGET, "customer_id": "1", "original": {}, "pid": 1,
              "machine": "another-machine", "started": time.time() - 3600, "beat": time.time()}
    return journal.Entry(**{**values, **changes})


def test_a_run_on_another_machine_is_alive_while_it_beats() -> None:
    assert _entry().live  # an hour long, but it beat just now
    assert not _entry(beat=time.time() - journal.STALE_AFTER - 1).live  # a few beats missed


def test_a_run_on_this_machine_is_alive_while_its_process_is() -> None:
    here = socket.gethostname()
    assert not _entry(machine=here, pid=2**22 + 12345).live  # its process is gone
    parent = os.getppid()  # alive, and not this process
    assert _entry(machine=here, pid=parent, beat=time.time() - 600).live  # paused (Ctrl-Z): still a run
    assert not _entry(machine=here, pid=parent, beat=time.time() - journal.LIVE_FOR_SECONDS - 1).live  # pid reused


def test_beats_refresh_the_journal_and_stop_when_it_is_not_ours(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    claim = journal.claim(path, TARGET, "1234", {})
    first = journal.read(path, TARGET, "1234").beat
    time.sleep(0.01)
    claim.beat()
    assert journal.read(path, TARGET, "1234").beat > first
    claim.release()
    claim.beat()
    assert not path.exists(), "a beat after the release brought the journal back"
    claim = journal.claim(path, TARGET, "1234", {})
    path.unlink()
    other = journal.claim(path, TARGET, "1234", {"by": "a forced run"})
    claim.beat()
    assert journal.read(path, TARGET, "1234").run == other._content["run"]


@pytest.mark.parametrize(("age", "live"), [(600, True), (3 * 3600, False)])
def test_a_journal_of_the_earlier_version_is_alive_for_two_hours(tmp_path: Path, age: int, live: bool) -> None:
    path = tmp_path / "j.json"
    path.write_text(json.dumps({"version": 1, "target": TARGET, "customer": "1", "pid": 1, "machine": "elsewhere",
                                "started": time.time() - age, "original": {}}))
    assert journal.read(path, TARGET, "1").live is live


def test_of_two_runs_that_find_a_stale_journal_one_takes_it_over(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal.claim(path, TARGET, "1", {"firstName": "Ada"})
    found = journal.read(path, TARGET, "1")
    first, second = journal.take_over(found), journal.take_over(found)
    assert first is not None and second is None and not path.exists()
    journal.give_back(first, path)  # its restore failed: the journal is where the next run looks
    assert journal.read(path, TARGET, "1").original == {"firstName": "Ada"}


def test_a_journal_taken_over_is_not_one_claimed_since(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    journal.claim(path, TARGET, "1", {"by": "a killed run"})
    stale = journal.read(path, TARGET, "1")
    path.unlink()  # another run restored it, and claimed the customer for itself
    journal.claim(path, TARGET, "1", {"by": "a live run"})
    assert journal.take_over(stale) is None
    assert journal.read(path, TARGET, "1").original == {"by": "a live run"}


def test_a_release_removes_only_its_own_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.json"
    mine = journal.claim(path, TARGET, "1", {})
    path.unlink()
    journal.claim(path, TARGET, "1", {"by": "another run"})
    mine.release()
    assert journal.read(path, TARGET, "1").original == {"by": "another run"}
