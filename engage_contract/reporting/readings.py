"""The readings' file, and what people read of it: reports/readings.json (versioned, with a JSON Schema:
readings.schema.json, the README's "Readings"), an earlier run's to compare with (ENGAGE_READINGS), what changed
since, and the console's, the CI page's and the run page's renderings. What the target chose at each silence is
read by judging/silences.py.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from engage_contract.judging.silences import MIXED, NOT_REACHED, named, summed

VERSION = 1
PATH = Path("reports/readings.json")
SCHEMA = Path(__file__).with_name("readings.schema.json")


# A readings file: this run's, or an earlier one to compare with (ENGAGE_READINGS).

class ReadingsFileError(ValueError):
    """A readings file that cannot be read, in one sentence."""


def document(readings: dict[str, dict[str, Any]], target: str, profile: str, seed: int,
             carried: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """readings.json: this run's readings; with `carried` (an earlier file's), what this run did not reach, a
    reading or a part of one, stands as the earlier run read it (ENGAGE_READINGS_UPDATE), marked carried_over."""
    rows = {}
    for name, row in readings.items():
        earlier = (carried or {}).get(name) or {}
        then, now = _parts(earlier), _parts(row)
        left = {part: {**reading, "carried_over": True} for part, reading in then.items() if part not in now}
        if left and ("parts" in row or "parts" in earlier or not now):
            parts = dict(sorted({**now, **left}.items()))
            if list(parts) == [""]:
                row = {**row, **parts[""]}
            else:
                row = {key: value for key, value in row.items()
                       if key not in ("reading", "choices", "answers", "seen", "examples")}
                row.update(reading=summed(parts), parts=parts)
        rows[name] = row
    return {"version": VERSION, "target": target, "profile": profile, "seed": seed, "readings": rows}


def load(path: str | Path) -> dict[str, dict[str, Any]] | None:
    """An earlier run's readings, or None when the file does not exist yet (a first run, an empty cache)."""
    path = Path(path)
    if path.is_dir():
        raise ReadingsFileError(f"ENGAGE_READINGS is a folder, not a readings file: {path}")
    if not path.exists():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReadingsFileError(f"ENGAGE_READINGS {path} is not a readings file ({_why(exc)})") from None
    if not isinstance(found, dict) or found.get("version") != VERSION:
        raise ReadingsFileError(f"ENGAGE_READINGS {path} is not a version-{VERSION} readings file (see the README's "
                                "\"Readings\"); write one with ENGAGE_READINGS_UPDATE=1")
    error = jsonschema.exceptions.best_match(_validator().iter_errors(found))
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the top"
        raise ReadingsFileError(f"ENGAGE_READINGS {path} is not a readings file as readings.schema.json has it (at "
                                f"{where}: {error.message[:120]})")
    return found


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _why(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0][:120]


@dataclass(frozen=True)
class Change:
    name: str
    part: str  # the part of the silence, where it is read part by part ("" otherwise)
    before: str
    after: str
    example: dict[str, Any] | None  # this run's request that showed the new reading

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        shown = ""
        if self.example:
            shown = f" ({self.example.get('request')} -> {self.example.get('status')}, X-Correlation-Id " \
                    f"{self.example.get('correlation_id')})"
        return f"{self.name}{f' ({self.part})' if self.part else ''}: {self.before} -> {self.after}{shown}"


def _parts(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A row's readings by part ("" for a row read whole), those reached only."""
    if "parts" in row:
        return {part: reading for part, reading in row["parts"].items() if isinstance(reading, dict)}
    return {"": row} if row.get("reading") not in (None, NOT_REACHED) else {}


def _possible(reading: dict[str, Any]) -> set[str]:
    """What a reading allows: the choices every answer agreed on, or, mixed, every answer's."""
    if reading.get("reading") == MIXED:
        return set(reading.get("answers") or [])
    return set(reading.get("choices") or [])


def changes(earlier: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> list[Change]:
    """The readings that changed, part by part: those whose answers in this run share nothing with the earlier
    run's. A run of another size or seed meets other requests: a reading that has narrowed ("kept or filled in"
    to "kept"), or gained an answer beside the old one (mixed now), is shown but not called a change; nor is
    one not reached on either side, nor one of what the environment did (compared: false)."""
    found = []
    for name, row in now.items():
        if row.get("compared") is False:
            continue
        before = _parts(earlier.get(name) or {})
        for part, reading in _parts(row).items():
            if part not in before or _possible(before[part]) & _possible(reading):
                continue
            examples = reading.get("examples") or {}
            example = examples.get(named(reading["choices"])) if reading["choices"] else None
            found.append(Change(name, part, _shown(before[part]), _shown(reading),
                                example or next(iter(examples.values()), None)))
    return found


def in_words(found: list[Change]) -> str:
    """How many readings changed, and in how many parts: "1 reading changed (invalid-body: 10 parts)"."""
    parts = Counter(change.name for change in found)
    detail = ", ".join(f"{name}: {count} parts" if count > 1 else name for name, count in parts.items())
    return f"{len(parts)} reading{'s' if len(parts) > 1 else ''} changed ({detail})"


def _shown(row: dict[str, Any]) -> str:
    if row["reading"] == MIXED:
        return f"mixed ({', '.join(f'{label}: {count}' for label, count in (row.get('seen') or {}).items())})"
    return str(row["reading"])


def write(doc: dict[str, Any], path: str | Path = PATH) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def console(readings: dict[str, dict[str, Any]]) -> list[str]:
    """The console's short block: one line a reading reached, then what was not reached."""
    lines = [f"{name:>25}: {_shown(row)[:160]}" for name, row in readings.items() if row["reading"] != NOT_REACHED]
    missed = [name for name, row in readings.items() if row["reading"] == NOT_REACHED]
    if missed:
        lines.append(f"{'not reached':>25}: {', '.join(missed)}")
    return lines


def markdown(readings: dict[str, dict[str, Any]], found: list[Change], compared_with: str | None) -> str:
    """For a CI job's page: what changed, then the table of readings."""
    lines = ["### Readings: what the target chose where the page is silent", ""]
    if compared_with is not None:
        lines += [f"**{in_words(found)} since {compared_with}**" if found else f"Nothing changed since {compared_with}.",
                  ""]
        lines += [f"- `{change.name}`{f' ({_cell(change.part)})' if change.part else ''}: {_cell(change.before)} → "
                  f"{_cell(change.after)}"
                  + (f" (`{change.example.get('request')}` → {change.example.get('status')}, X-Correlation-Id "
                     f"`{change.example.get('correlation_id')}`)" if change.example else "") for change in found]
        if found:
            lines.append("")
    lines += ["| reading | where the page is silent | the target's |", "| --- | --- | --- |"]
    lines += [f"| `{name}` | {_cell(row['silence'])} | {_cell(_shown(row))} |" for name, row in readings.items()]
    return "\n".join(lines) + "\n"


def html_table(readings: dict[str, dict[str, Any]], found: list[Change]) -> str:
    """For the run's page: changed rows first and marked."""
    import html

    changed = {change.name: change for change in found}  # a part's change marks its row
    rows = ""
    for name, row in sorted(readings.items(), key=lambda item: item[0] not in changed):
        mark = f" <b>(was {html.escape(changed[name].before)})</b>" if name in changed else ""
        rows += (f"<tr><th>{html.escape(name)}</th><td>{html.escape(row['silence'])}</td>"
                 f"<td>{html.escape(_shown(row))}{mark}</td></tr>")
    return f"<table>{rows}</table>"


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")[:200]
