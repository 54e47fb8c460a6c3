"""Known deviations: failures that a team has accepted for a while (a ticket is open), in schemathesis'
own baseline file format. A known failure does not fail its case, so generation goes on to find the
next, unknown one; it is reported as known. An entry past its `expires` date fails the run; an entry
not met in a run is reported as possibly fixed. The identity of a failure is schemathesis': operation,
check, failure class and the failure's stable key (this suite's check and signature), never a
generated value or a correlation id."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemathesis.baseline import Baseline, BaselineEntry


class BaselineError(Exception):
    """The baseline file cannot be read."""


@dataclass
class KnownDeviations:
    path: Path | None
    update: bool = False
    baseline: Baseline = field(default_factory=lambda: Baseline(entries=[]))
    seen: dict[str, tuple[BaselineEntry, Any]] = field(default_factory=dict)  # entry id -> (entry, finding)
    new: dict[tuple, BaselineEntry] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def load(cls, path: str | None, update: bool = False) -> "KnownDeviations":
        if path is None:
            return cls(path=None)
        if Path(path).is_dir():
            raise BaselineError(f"ENGAGE_BASELINE is a folder, not a file: {path} (name the baseline file in it)")
        if not update and not Path(path).is_file():
            # A mistyped path would otherwise mean no baseline at all, silently.
            raise BaselineError(f"the baseline {path} does not exist (ENGAGE_BASELINE_UPDATE=1 writes it)")
        try:
            baseline = Baseline.load(Path(path))
        except (OSError, ValueError) as exc:
            raise BaselineError(f"the baseline {path} cannot be used: {exc}") from None
        return cls(path=Path(path), update=update, baseline=baseline)

    def covers(self, failure: Any, check: str, finding: Any) -> bool:
        """Whether a failure is a known deviation (and so is not to fail its case); remembers it either way."""
        entry = self.baseline.match(failure, check, today=self.today)
        if entry is not None:
            self.seen.setdefault(entry.id, (entry, finding))
            return True
        if self.update:
            recorded = BaselineEntry.from_failure(failure, check=check)
            self.new.setdefault(recorded.identity, recorded)
        return False

    def expired(self) -> list[BaselineEntry]:
        return [entry for entry in self.baseline.entries if entry.is_expired(self.today)]

    def unseen(self) -> list[BaselineEntry]:
        recorded = set(self.new)
        return [entry for entry in self.baseline.entries
                if entry.id not in self.seen and entry.identity not in recorded and not entry.is_expired(self.today)]

    def save(self) -> None:
        """Write the failures of this run into the file, keeping the reasons and dates of existing entries."""
        if not self.update or self.path is None:
            return
        stamp = self.today.isoformat()
        for entry, _ in self.seen.values():
            entry.last_seen = stamp
        known = {entry.identity for entry in self.baseline.entries}
        self.baseline.entries.extend(entry for identity, entry in self.new.items() if identity not in known)
        self.baseline.save(self.path)


def reason(entry: BaselineEntry) -> str:
    """What a person wrote about the entry (an extra key of the file), or a plain description."""
    said = entry.extra.get("reason")
    until = f", until {entry.expires}" if entry.expires else ""
    return f"{said or 'a known deviation'} (baseline entry {entry.id}{until})"


__all__ = ["BaselineError", "KnownDeviations", "reason"]
