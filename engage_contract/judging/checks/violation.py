"""What a check raises when its clause is broken."""

from __future__ import annotations

from collections.abc import Iterable


class Violation(AssertionError):
    """A broken clause: a message for people, and a signature that names what broke (a field, a status, a
    code) and nothing that changes from run to run, so that the same fault is the same failure every time."""

    def __init__(self, message: str, signature: str | Iterable[str]) -> None:
        super().__init__(message)
        self.message = message
        self.signature = signature if isinstance(signature, str) else ",".join(sorted(set(signature)))
