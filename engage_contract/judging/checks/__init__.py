"""The checks: one small function per clause of the contract, named after it.

A check takes an Exchange and raises a Violation (a message, and a signature that names what broke) when
its clause is broken; its docstring quotes the clause. `as_schemathesis_checks` turns them into
schemathesis checks, so that failures are reported by schemathesis with the clause, the response and a
curl line to reproduce.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from schemathesis.core.failures import Failure

from engage_contract import internals
from engage_contract.judging.baseline import KnownDeviations
from engage_contract.judging.checks import identity, input_handling, patch_semantics, response_form, translations
from engage_contract.judging.checks.violation import Violation
from engage_contract.judging.exchange import Exchange
from engage_contract.judging.failures import Finding, evidence

Check = Callable[[Exchange], None]

RESPONSE_FORM: tuple[Check, ...] = (
    response_form.ok_body_matches_schema,
    response_form.error_body_is_envelope,
    response_form.business_error_code_is_listed,
    response_form.status_is_documented,
)
INPUT_HANDLING: tuple[Check, ...] = (
    input_handling.valid_input_accepted,
    input_handling.invalid_input_rejected,
    input_handling.example_request_accepted,
    input_handling.empty_update_changes_nothing,
    input_handling.rejected_request_changes_nothing,
)
PATCH_SEMANTICS: tuple[Check, ...] = (
    patch_semantics.id_matches_path,
    patch_semantics.sent_values_stored,
    patch_semantics.unsent_fields_kept,
    patch_semantics.location_matches_sent,
    patch_semantics.change_persists,
    patch_semantics.timestamps_are_consistent,
    patch_semantics.chosen_time_zone_is_iana,
)
TRANSLATIONS: tuple[Check, ...] = (
    translations.picked_translations_are_listed,
    translations.requested_language_honoured,
)
IDENTITY: tuple[Check, ...] = (
    identity.unauthenticated_request_rejected,
    identity.unknown_id_not_found,
    identity.other_enterprise_refused,
    identity.read_only_token_cannot_write,
)
ALL: tuple[Check, ...] = RESPONSE_FORM + INPUT_HANDLING + PATCH_SEMANTICS + TRANSLATIONS + IDENTITY
# Not functions of one exchange: a request that gets no complete answer in time, or a broken one (the client
# raises them), a read-back that answers no customer, and a run in which no schema-valid update was accepted
# (judged once the generated cases are done).
ANSWERS_IN_TIME = "answers_in_time"
ANSWERS_IN_TIME_CLAUSE = "Every request gets its whole answer, headers and body, within the per-request timeout."
ANSWERS_COMPLETELY = "answers_completely"
ANSWERS_COMPLETELY_CLAUSE = "Every answer is a complete HTTP message: not cut short, reset or undecodable."
READ_BACK_ANSWERS = "read_back_answers"
READ_BACK_ANSWERS_CLAUSE = ("Reading a customer back (GET /customers/{id}) gets a complete answer in time, never a "
                            "5xx or a redirect.")
CONTRACT_EXERCISED = "contract_exercised"
CONTRACT_EXERCISED_CLAUSE = "A run proves something only if schema-valid updates were accepted."
NOTHING_JUDGED = "Nothing was judged:"  # how contract_exercised says that the run could not judge, not that it failed

__all__ = ["ALL", "Check", "ContractViolation", "Violation", "as_schemathesis_checks", "clause"]


class ContractViolation(Failure):
    """A clause of the contract is broken."""

    code = "EC100"
    kind_title = "Contract violated"

    def __init__(self, *, operation: str, check: Check, message: str, signature: str) -> None:
        super().__init__(operation=operation, title=f"{check.__name__}: {clause(check)}", message=message)
        self.check = check.__name__
        self.signature = signature

    @property
    def fault_key(self) -> str:
        """The same fault is the same failure in every run: never a correlation id or a generated value."""
        return f"{self.check}|{self.signature}"


internals.key_failures_by(ContractViolation, lambda failure: failure.fault_key)


def clause(check: Check) -> str:
    return (check.__doc__ or "").strip().splitlines()[0]


def as_schemathesis_checks(checks: tuple[Check, ...], exchange_of: Callable[[Any], Exchange],
                           known: KnownDeviations | None = None,
                           mask: Callable[[str], str] = lambda text: text) -> list[Callable]:
    """Wrap checks as schemathesis' `(ctx, response, case)` functions; `exchange_of(case)` supplies the rest.
    A failure that `known` covers is remembered there instead of failing its case; `mask` hides credentials
    in what a failure shows of the exchange (a server may echo a header in its body)."""

    def wrap(check: Check) -> Callable:
        def run(ctx: Any, response: Any, case: Any) -> None:
            exchange = exchange_of(case)
            try:
                check(exchange)
            except Violation as exc:
                # The correlation id is how the request is found in the server's logs; it is no part of the
                # failure's identity.
                message = f"{exc.message}\nX-Correlation-Id: {exchange.correlation_id}"
                failure = ContractViolation(operation=case.operation.label, check=check, message=message,
                                            signature=exc.signature)
                failure.finding = Finding(check.__name__, clause(check), exc.message)
                if known is not None and known.covers(failure, check.__name__, failure.finding):
                    return
                if response is not None:
                    failure.finding = dataclasses.replace(
                        failure.finding, evidence=evidence(case, response, exchange.authorized, mask))
                raise failure from None

        run.__name__ = check.__name__
        run.__doc__ = check.__doc__
        return run

    return [wrap(check) for check in checks]
