"""What is made sure of before the first case: not production unless allowed, and the test customer read (it
exists, the credentials are taken, the target is the API), each failure one sentence and its exit code."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from engage_contract.config import PRODUCTION_HOSTS, ConfigError, ExitCode, Target
from engage_contract.contract import Contract
from engage_contract.http.client import Client
from engage_contract.http.errors import (
    AnswerBroken,
    ClientError,
    CredentialsRejected,
    NoTls,
    TargetTimedOut,
    TargetUnreachable,
    TokenEndpointWrong,
)
from engage_contract.judging import customer
from engage_contract.judging.exchange import INCONCLUSIVE_STATUSES


def refuse_production(target: Target) -> None:
    if target.is_production and not target.allow_production:
        raise ConfigError(f"ENGAGE_BASE_URL points at production ({', '.join(PRODUCTION_HOSTS)}); "
                          "set ENGAGE_ALLOW_PRODUCTION=1 if you really mean it", ExitCode.PRODUCTION_REFUSED)


# The first read decides whether the run can start at all: a platform busy or rate-limited a little longer
# than the client's retries is asked again, after a pause, this many times.
FIRST_READ_ROUNDS = 3
FIRST_READ_PAUSE = 2.0


def read_test_customer(client: Client, contract: Contract, customer_id: str) -> dict[str, Any]:
    for round_ in range(FIRST_READ_ROUNDS):
        if round_:
            time.sleep(FIRST_READ_PAUSE * round_)
        response = _first_read(client, customer_id)
        if response.status_code not in INCONCLUSIVE_STATUSES:
            break
    else:
        raise ConfigError(f"the target kept answering {response.status_code} to the first read of customer "
                          f"{customer_id} (busy or rate-limited); try again later", ExitCode.CANNOT_JUDGE)
    status = response.status_code
    if 300 <= status < 400:
        raise ConfigError(f"the first read of customer {customer_id} was redirected ({status}) to "
                          f"{response.headers.get('Location') or 'nowhere'}, and the suite follows no redirect: is ENGAGE_BASE_URL "
                          "the API itself, not a sign-in or maintenance page in front of it?", ExitCode.CANNOT_JUDGE)
    if status >= 500:
        raise ConfigError(f"the target answered {status} to the first read of customer {customer_id}, even after a "
                          "retry; try again later", ExitCode.CANNOT_JUDGE)
    return _customer_read(client, contract, customer_id, response)


def _first_read(client: Client, customer_id: str) -> Any:
    try:
        return client.read(customer_id)
    except CredentialsRejected as exc:
        raise ConfigError(str(exc), ExitCode.CREDENTIALS_REJECTED) from None
    except (NoTls, TokenEndpointWrong) as exc:  # the host answered: the configuration is wrong
        raise ConfigError(str(exc), ExitCode.BAD_CONFIGURATION) from None
    except (TargetUnreachable, ClientError) as exc:
        raise ConfigError(str(exc), ExitCode.TARGET_UNREACHABLE) from None
    except AnswerBroken as exc:
        raise ConfigError(f"the first read of customer {customer_id} got no complete answer: "
                          f"{str(exc).split(', to:')[0]}", ExitCode.CANNOT_JUDGE) from None
    except TargetTimedOut:
        raise ConfigError(f"the target did not answer the first read of customer {customer_id} "
                          f"within {client.timeout:g} s", ExitCode.CANNOT_JUDGE) from None


def _customer_read(client: Client, contract: Contract, customer_id: str, response: Any) -> dict[str, Any]:
    if response.status_code in (401, 403):
        raise ConfigError(f"the target rejected the credentials ({response.status_code} on the first read of "
                          f"customer {customer_id}); check ENGAGE_TOKEN", ExitCode.CREDENTIALS_REJECTED)
    if response.status_code == 404 and not contract.error_envelope.is_valid(_json_or_none(response)):
        raise ConfigError(f"the first read of customer {customer_id} got a 404 without the platform's error "
                          f"envelope; is ENGAGE_BASE_URL the API's base URL (.../enterprises/<name>), not "
                          f"{client.base_url}?", ExitCode.BAD_CONFIGURATION)
    if response.status_code == 404:
        said = _first_error_message(response, client.mask)
        raise ConfigError(f"the test customer {customer_id!r} does not exist at {client.base_url} (404"
                          f"{': ' + json.dumps(said, ensure_ascii=False) if said else ''}); check ENGAGE_CUSTOMER_ID, and the enterprise in "
                          "ENGAGE_BASE_URL", ExitCode.CUSTOMER_NOT_FOUND)
    data = customer.data_of(response)
    if data is None:
        kind = response.headers.get("Content-Type") or "no Content-Type"
        raise ConfigError(f"the first read of customer {customer_id} got {response.status_code} ({kind}) without a "
                          f"customer in it; is ENGAGE_BASE_URL the API's base URL (.../enterprises/<name>), not "
                          f"{client.base_url}?", ExitCode.BAD_CONFIGURATION)
    return data


def _first_error_message(response: Any, mask: Callable[[str], str]) -> str | None:
    """The message of the first error in an error envelope, masked, then cut short."""
    body = _json_or_none(response)
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict) and isinstance(errors[0].get("message"), str):
        return mask(errors[0]["message"])[:120]
    return None


def _json_or_none(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None
