"""How a failure reads, in the console and as the JUnit message: the clause, one line of what differed,
the request and the response cut to a sensible length, a curl line to paste, and the correlation id.
Once, without Python's traceback or reprs."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engage_contract import internals

# Bodies beyond this are cut in the console (the HTML page and the example database keep them whole).
BODY_LIMIT = 400
CURL_LIMIT = 1200
# What a person pastes instead of the masked token: the variable the suite reads it from.
TOKEN_VARIABLE = "Bearer $ENGAGE_TOKEN"
# Request headers worth repeating: the rest are the HTTP library's defaults.
SHOWN_HEADERS = ("Content-Type", "Accept-Language", "X-Correlation-Id", "Authorization")
# Curl lines too long for the console, whole; named after the request's correlation id.
CURL_DIR = Path("reports/curl")


@dataclass(frozen=True)
class Evidence:
    """What a person needs to see and repeat one failing exchange."""

    request: str
    response: str
    curl: str
    correlation_id: str | None


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters in all)"


def _as_text(content: bytes | str | None) -> str:
    if not content:
        return "(no body)"
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            return f"({len(content):,} bytes, not UTF-8)"
    try:  # JSON as JSON: real characters, no Python reprs
        return json.dumps(json.loads(content), ensure_ascii=False)
    except ValueError:
        return content


def evidence(case: Any, response: Any, authorized: bool, mask: Callable[[str], str] = lambda text: text) -> Evidence:
    """The request as sent and the response as received, from schemathesis' case and response; `mask` hides
    credentials wherever they are (a server may echo one in its body)."""
    request = response.request
    body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
    content_type = (response.headers.get("content-type") or [""])[0]
    return Evidence(
        # Masked before they are cut: a cut secret is no longer one that can be found.
        request=f"{request.method} {request.url} {cut(mask(_as_text(body)), BODY_LIMIT)}",
        response=f"{response.status_code} {content_type} {cut(mask(_as_text(response.content)), BODY_LIMIT)}"
                 .replace("  ", " "),
        curl=_curl(case, request.headers, authorized, mask),
        correlation_id=request.headers.get("X-Correlation-Id"),
    )


def request_evidence(case: Any, sent_headers: Any, authorized: bool,
                     mask: Callable[[str], str] = lambda text: text, base_url: str = "") -> Evidence:
    """A request that got no complete answer: what was sent, from the case and the headers it went with."""
    body = case.body if isinstance(case.body, (bytes, str, dict, list)) else None
    body = json.dumps(body, ensure_ascii=False) if isinstance(body, (dict, list)) else body
    return Evidence(
        request=f"{case.method.upper()} {base_url}{case.formatted_path} {cut(mask(_as_text(body)), BODY_LIMIT)}",
        response="(no complete answer)",
        curl=_curl(case, sent_headers, authorized, mask),
        correlation_id=sent_headers.get("X-Correlation-Id"),
    )


def _curl(case: Any, sent_headers: Any, authorized: bool, mask: Callable[[str], str]) -> str:
    """A curl line to paste: our own token as the variable that holds it; too long to read, whole in a file."""
    headers = {name: sent_headers[name] for name in SHOWN_HEADERS if name in sent_headers}
    curl = case.as_curl_command(headers=headers)  # schemathesis shows Authorization as [Filtered]
    if authorized:  # our own token: name the variable that holds it, so that the line can be pasted
        curl = curl.replace(shlex.quote("Authorization: [Filtered]"), f'"Authorization: {TOKEN_VARIABLE}"')
    if len(curl) > CURL_LIMIT:  # too long to read inline: whole, in a file to run
        CURL_DIR.mkdir(parents=True, exist_ok=True)
        script = CURL_DIR / f"{sent_headers.get('X-Correlation-Id') or case.id}.sh"
        script.write_text(f"#!/bin/sh\n{mask(curl)}\n", encoding="utf-8")
        curl = f"sh {script}  # {len(curl):,} characters: {cut(curl, 200)}"
    return cut(mask(curl), CURL_LIMIT)


@dataclass(frozen=True)
class Finding:
    """One broken clause, as reported."""

    check: str
    clause: str
    message: str
    evidence: Evidence | None = None

    @property
    def summary(self) -> str:
        """One line: the check, its clause, and the first line of what differed."""
        first = self.message.splitlines()[0] if self.message else ""
        return f"{self.check}: {self.clause} {first}".strip()

    def text(self) -> str:
        lines = [f"{self.check}: {self.clause}", *(f"  {line}" for line in self.message.splitlines())]
        if self.evidence is not None:
            lines += [f"  request:  {self.evidence.request}",
                      f"  response: {self.evidence.response}",
                      f"  repeat:   {self.evidence.curl}",
                      f"  X-Correlation-Id: {self.evidence.correlation_id}"]
        return "\n".join(lines)


def findings_in(error: BaseException) -> list[Finding]:
    """The findings an exception carries (an exception group's, each once), or [] for any other error."""
    found: dict[str, Finding] = {}
    for leaf in leaves(error):
        finding = getattr(leaf, "finding", None)
        if isinstance(finding, Finding):
            found.setdefault(internals.failure_key(leaf) or finding.summary, finding)
    return list(found.values())


def leaves(error: BaseException) -> Iterator[BaseException]:
    """The exceptions an exception group holds, however deep; any other exception itself."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from leaves(inner)
    else:
        yield error


class Report:
    """A failed test's report text: pytest shows it as it is, and JUnit takes `reprcrash.message` as the
    failure's message."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = list(findings)
        summary = "; ".join(finding.summary for finding in self.findings)
        self.reprcrash = _Crash(summary)

    def toterminal(self, writer: Any) -> None:
        writer.line(str(self))

    def __str__(self) -> str:
        return "\n\n".join(finding.text() for finding in self.findings)


@dataclass
class _Crash:
    message: str
    path: str = "engage-contract"
    lineno: int = 0
