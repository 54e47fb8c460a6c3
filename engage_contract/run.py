"""One run of the suite against one target: start (or find) the target, read the test customer first,
restore it at the end, and tell what was covered."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from engage_contract import contract as contract_module
from engage_contract import customer
from engage_contract.client import Client, CredentialsRejected, TargetTimedOut, TargetUnreachable
from engage_contract.config import ConfigError, ExitCode, Target
from engage_contract.contract import Contract, SchemaError
from engage_contract.exchange import Body
from engage_contract.judge import Judge

EMBEDDED_CUSTOMER_ID = "1001"


@dataclass
class Run:
    target: Target
    contract: Contract
    client: Client
    judge: Judge
    original: dict[str, Any]
    server: Any = None
    restored: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def customer_id(self) -> str:
        return self.judge.customer_id

    @classmethod
    def start(cls, target: Target) -> "Run":
        """Everything before the first case; ConfigError (one sentence, an exit code) when it cannot go on."""
        try:
            contract = contract_module.load(target.schema_path)
        except SchemaError as exc:
            raise ConfigError(str(exc), ExitCode.BAD_SCHEMA) from None
        server = None
        if target.embedded:
            from engage_contract import reference

            token = secrets.token_urlsafe(24)
            customer_id = target.customer_ids[0] if target.customer_ids else EMBEDDED_CUSTOMER_ID
            server = reference.start(token=token, customer_ids=(customer_id,))
            client = Client(server.base_url, token, timeout=target.timeout)
        else:
            _refuse_production(target, contract)
            customer_id = target.customer_ids[0]
            client = Client(target.base_url, target.token, timeout=target.timeout,
                            per_minute=target.requests_per_minute, credentials=target.credentials)
        try:
            original = _read_test_customer(client, customer_id)
        except ConfigError:
            if server is not None:
                server.shutdown()
            raise
        judge = Judge(contract, client, customer_id)
        judge.remember(original)
        return cls(target=target, contract=contract, client=client, judge=judge, original=original, server=server)

    def restore(self) -> str | None:
        """Write the original values back and verify them; a problem comes back as a message."""
        if self.restored:
            return None
        self.restored = True
        self.judge.hung = None  # restoring is worth one more try, even after a timeout
        try:
            written = self.client.write(self.customer_id, customer.restorable(self.original, self.contract.request_fields))
            read = self.client.read(self.customer_id)
        except (TargetTimedOut, TargetUnreachable, CredentialsRejected) as exc:
            return self._restore_failed(str(exc))
        after = customer.data_of(read)
        if after is None:
            return self._restore_failed(f"writing it back got {written.status_code}, reading it back got "
                                        f"{read.status_code}")
        left = customer.differences(customer.stable_view(self.original), customer.stable_view(after))
        if left:
            # A refused write is no problem when the customer was never changed.
            problem = "it reads back different" if written.status_code == 200 else \
                f"writing it back got {written.status_code}, and it reads back different"
            return self._restore_failed(f"{problem}: " + "; ".join(map(str, left[:5])))
        return None

    def _restore_failed(self, reason: str) -> str:
        return (f"RESTORE FAILED for customer {self.customer_id}: {reason}. Its original values were:\n"
                + json.dumps(self.original, indent=2, ensure_ascii=False))

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        self.client.session.close()

    def summary(self) -> dict[str, Any]:
        tally = self.judge.tally
        documented = sorted(self.contract.documented_statuses("PATCH"))
        codes = self.contract.business_error_codes
        return {
            "target": self.client.base_url + (" (embedded reference server)" if self.target.embedded else ""),
            "profile": self.target.profile.name,
            "seed": self.target.seed,
            "requests": self.client.sent,
            "seconds": round(time.monotonic() - self.started, 2),
            "cases": tally.cases,
            "valid_bodies": tally.bodies[Body.VALID],
            "invalid_bodies": tally.bodies[Body.INVALID],
            "empty_bodies": tally.bodies[Body.EMPTY],
            "valid_accepted": tally.accepted[Body.VALID],
            "reached_200": tally.reached_200,
            "retries": self.client.retries,
            "inconclusive_read_backs": tally.inconclusive_read_backs,
            "statuses": dict(sorted(tally.statuses.items())),
            "business_codes": {code: tally.business_codes.get(code, 0) for code in codes},
            "never_reached": [str(s) for s in documented if s not in tally.statuses]
            + [code for code in codes if not tally.business_codes.get(code)],
        }


def _refuse_production(target: Target, contract: Contract) -> None:
    production = urlsplit(contract.server_urls.get("Production", "")).hostname
    if urlsplit(target.base_url or "").hostname == production and not target.allow_production:
        raise ConfigError(f"ENGAGE_BASE_URL points at production ({production}); "
                          "set ENGAGE_ALLOW_PRODUCTION=1 if you really mean it", ExitCode.PRODUCTION_REFUSED)


def _read_test_customer(client: Client, customer_id: str) -> dict[str, Any]:
    try:
        response = client.read(customer_id)
    except CredentialsRejected as exc:
        raise ConfigError(str(exc), ExitCode.CREDENTIALS_REJECTED) from None
    except TargetUnreachable as exc:
        raise ConfigError(str(exc), ExitCode.TARGET_UNREACHABLE) from None
    except TargetTimedOut as exc:
        raise ConfigError(f"the target did not answer the first read of customer {customer_id} "
                          f"within {client.timeout:g} s", ExitCode.TARGET_TIMED_OUT) from None
    if response.status_code in (401, 403):
        raise ConfigError(f"the target rejected the credentials ({response.status_code} on the first read of "
                          f"customer {customer_id}); check ENGAGE_TOKEN", ExitCode.CREDENTIALS_REJECTED)
    if response.status_code == 404:
        raise ConfigError(f"the test customer {customer_id!r} does not exist at {client.base_url} (404); "
                          "check ENGAGE_CUSTOMER_ID", ExitCode.CUSTOMER_NOT_FOUND)
    data = customer.data_of(response)
    if data is None:
        raise ConfigError(f"the first read of customer {customer_id} got {response.status_code} without a "
                          "customer in it; is ENGAGE_BASE_URL the API's base URL?", ExitCode.TARGET_UNREACHABLE)
    return data
