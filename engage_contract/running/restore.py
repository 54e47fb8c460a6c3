"""The test customer written back, whatever stops the run: the signals that stop a run (held while it
restores), one restore written and verified, and the restore of what an earlier, killed run left in its journal."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engage_contract.config import ConfigError, ExitCode, Target
from engage_contract.contract import Contract
from engage_contract.http.client import Client
from engage_contract.http.errors import (
    AnswerBroken,
    ClientError,
    CredentialsRejected,
    TargetTimedOut,
    TargetUnreachable,
)
from engage_contract.judging import customer
from engage_contract.running import journal

# What CI runners, terminals and Ctrl-C send to stop a run: each stops it as Ctrl-C does, and it restores.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# After the run gave up (a locked customer, say), the restore keeps trying a write that answers 409 this long,
# a pause between tries: a lock of concurrent operations is usually over in seconds.
LOCK_PATIENCE = 60.0
LOCK_PAUSE = 2.0


def restore_customer(client: Client, contract: Contract, customer_id: str, original: dict[str, Any],
                     urgent: bool = False, read_first: bool = False, patience: float = 0.0) -> str | None:
    """One write of the original values and one read to verify them; why it failed, or None. Where the
    platform lets a location decide the time zone, a second write sets the time zone alone. `read_first`:
    no write when a first read finds the original values."""
    original_view = customer.stable_view(original, contract.location_fields)

    def still_different(found: dict[str, Any]) -> list[Any]:
        return customer.differences(original_view, customer.stable_view(found, contract.location_fields))

    if read_first:
        found = customer.data_of(client.read(customer_id, urgent=urgent))
        if found is not None and not still_different(found):
            return None
    body = customer.restorable(original, contract.request_fields)
    written = client.write(customer_id, body, urgent=urgent)
    until = time.monotonic() + patience
    while written.status_code == 409 and time.monotonic() + LOCK_PAUSE < until:
        time.sleep(LOCK_PAUSE)
        written = client.write(customer_id, body, urgent=urgent)
    read = client.read(customer_id, urgent=urgent)
    after = customer.data_of(read)
    if after is None:
        return f"writing it back got {written.status_code}, reading it back got {read.status_code}"
    left = still_different(after)
    if [d.field for d in left] == ["timeZone"] and written.status_code == 200:
        written = client.write(customer_id, {"timeZone": original.get("timeZone")}, urgent=urgent)
        left = still_different(customer.data_of(client.read(customer_id, urgent=urgent)) or {})
    # A refused write is no problem when the customer reads back as it was.
    if left:
        problem = "it reads back different" if written.status_code == 200 else \
            f"writing it back got {written.status_code}, and it reads back different"
        return f"{problem}: " + "; ".join(map(str, left[:5]))
    return None


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait while the customer is restored (only the main thread can hold them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)


def recover(target: Target, client: Client, contract: Contract, customer_id: str, path: Path,
             say: Callable[[str], None]) -> None:
    """Restore what an earlier run left in the journal (it was killed), unless that run is still going."""
    try:
        found = journal.read(path, target.base_url, customer_id)
    except journal.JournalError as exc:
        raise ConfigError(str(exc), ExitCode.JOURNAL_UNUSABLE) from None
    if found is None:
        return
    if found.live and not target.force:
        raise ConfigError(f"another run ({found.describe()}) is using customer {customer_id}, by its journal {path}; "
                          "wait for it, or set ENGAGE_FORCE=1 if it is gone", ExitCode.RUN_IN_PROGRESS)
    taken = journal.take_over(found)
    if taken is None:
        raise ConfigError(f"another run took over the journal of customer {customer_id} ({path}) a moment before this "
                          "one; wait for it", ExitCode.RUN_IN_PROGRESS)
    try:
        problem = restore_customer(client, contract, customer_id, found.original)
    except (TargetTimedOut, TargetUnreachable, AnswerBroken, CredentialsRejected, ClientError) as exc:
        problem = str(exc)
    if problem:
        journal.give_back(taken, path)
        raise ConfigError(f"customer {customer_id} could not be restored from the journal {path} of an earlier run "
                          f"({found.describe()}): {problem.splitlines()[0]}; the journal is kept: restore the customer "
                          f"from it by hand, then delete {path}",
                          ExitCode.JOURNAL_UNUSABLE)
    journal.remove(taken)
    say(f"engage-contract: restored customer {customer_id} from the journal of an earlier run that did not finish "
        f"({found.describe()})")
