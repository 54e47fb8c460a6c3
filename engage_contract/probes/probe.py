"""A hand-made probe as data: a request, or a sequence of them, with the clause it holds the server to and the
profiles that send it. The running layer sends probes (ahead of pytest, beside the generated cases) and each is
reported by a pytest item of its own, named test_<sequence>[<variant>]; the sequence itself is no test function."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# The argument a probe without variants is sent with: none.
NONE = object()


@dataclass(frozen=True)
class Probe:
    """One probe: its sequence with one argument (a variant), the clause, and where it is sent."""

    sequence: Callable[..., None]  # (run, judge[, argument]): sends its requests and judges them
    variant: str | None = None
    argument: Any = NONE
    in_smoke: bool = False  # smoke, a pre-deploy gate, sends the probes that catch the most; ci and release all
    customerless: bool = False  # it touches no test customer: sent beside the lanes, its outcome no lane's

    @property
    def name(self) -> str:
        """The pytest item's name."""
        own = f"test_{self.sequence.__name__}"
        return own if self.variant is None else f"{own}[{self.variant}]"

    @property
    def clause(self) -> str:
        """What it holds the server to: its sequence's docstring, first paragraph, on one line."""
        first = (self.sequence.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in first.splitlines())

    def sent_in(self, thorough: bool) -> bool:
        """Whether a profile sends it (ci and release are thorough; smoke is not)."""
        return thorough or self.in_smoke

    def send(self, run: Any, judge: Any) -> None:
        """Send its requests to the judge's customer and judge them; a broken clause raises."""
        __tracebackhide__ = True
        if self.argument is NONE:
            self.sequence(run, judge)
        else:
            self.sequence(run, judge, self.argument)


@dataclass(frozen=True)
class Family:
    """The probes of one sequence, one per variant: what a test module declares, and pytest collects."""

    probes: tuple[Probe, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[Probe]:
        return iter(self.probes)


def probe(variants: dict[str, Any] | None = None, *, smoke: bool | Callable[[str], bool] = False,
          customerless: bool = False) -> Callable[[Callable[..., None]], Family]:
    """Declare a sequence a probe: with variants ({id: argument}), a probe for each; `smoke` says which smoke sends
    (all, none, or those whose id it accepts)."""

    def declared(sequence: Callable[..., None]) -> Family:
        if variants is None:
            return Family((Probe(sequence, in_smoke=bool(smoke), customerless=customerless),))
        return Family(tuple(
            Probe(sequence, variant, argument, in_smoke=smoke(variant) if callable(smoke) else smoke,
                  customerless=customerless)
            for variant, argument in variants.items()))

    return declared
