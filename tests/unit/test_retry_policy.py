"""The retry policy on its own: which answers are retried, how often, after how long, decided from the answers
alone (no network, no pacer); and the client's lanes, which share everything but their session."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engage_contract.http.auth import BearerFlow, ClientCredentialsToken, StaticToken
from engage_contract.http.client import Client
from engage_contract.http.retries import MAX_RETRIES, URGENT_RETRIES, URGENT_RETRY_AFTER, Retry, RetryPolicy


def answer(status: int, retry_after: str | None = None) -> SimpleNamespace:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return SimpleNamespace(status_code=status, headers=headers, request=SimpleNamespace(headers={}))


def never() -> bool:
    return False


def test_an_answer_outside_the_retried_statuses_is_the_answer() -> None:
    for status in (200, 400, 401, 404, 422, 500):
        assert RetryPolicy().after_answer(answer(status), never) is None


@pytest.mark.parametrize(("urgent", "times"), [(False, MAX_RETRIES), (True, URGENT_RETRIES)])
def test_409_and_429_are_retried_a_few_times_after_their_retry_after(urgent: bool, times: int) -> None:
    policy = RetryPolicy(urgent=urgent)
    retries = [policy.after_answer(answer(429, "7"), never) for _ in range(times)]
    assert all(retry == Retry(URGENT_RETRY_AFTER if urgent else 7.0, limit=True) for retry in retries)
    assert policy.after_answer(answer(429, "7"), never) is None
    assert RetryPolicy().after_answer(answer(409, "0"), never) == Retry(0.0)


def test_a_409_is_the_answer_where_conflicts_are_not_retried() -> None:
    assert RetryPolicy(retried=(429,)).after_answer(answer(409), never) is None


def test_a_gateway_status_once_then_it_is_the_answer_and_its_passing_is_seen() -> None:
    policy = RetryPolicy()
    assert policy.after_answer(answer(503, "2"), never) == Retry(2.0)
    assert policy.after_gateway == 503
    assert policy.after_answer(answer(503), never) is None
    assert not policy.recovered(503) and policy.recovered(200) and policy.after_gateway is None
    assert RetryPolicy(urgent=True).after_answer(answer(502), never) is None


def test_a_401_once_with_a_new_token_and_only_if_the_flow_has_one() -> None:
    asked = []
    policy = RetryPolicy()
    assert policy.after_answer(answer(401), lambda: asked.append(1) or True) == Retry(waits=False)
    assert policy.after_refresh
    assert policy.after_answer(answer(401), lambda: asked.append(1) or True) is None and len(asked) == 1
    assert not policy.after_refresh
    assert RetryPolicy().after_answer(answer(401), never) is None


def test_a_transport_failure_once_and_never_when_urgent() -> None:
    policy = RetryPolicy()
    assert policy.after_failure() == Retry(waits=False) and policy.after_failure() is None
    assert RetryPolicy(urgent=True).after_failure() is None


def test_the_flow_refreshes_only_after_a_refusal_of_our_own_token() -> None:
    refreshed = []
    tokens = StaticToken("ours")
    tokens.refresh = lambda: refreshed.append(1) or True
    flow = BearerFlow(tokens)
    theirs = SimpleNamespace(request=SimpleNamespace(headers={"Authorization": "Bearer someone-else"}))
    ours = SimpleNamespace(request=SimpleNamespace(headers=flow.headers()))
    assert not flow.refreshed(theirs) and flow.refreshed(ours) and refreshed == [1]


def test_lanes_share_the_target_token_and_pacer_and_each_has_a_session() -> None:
    client = Client("http://127.0.0.1:9/enterprises/acme", "t", timeout=1.0)
    other = client.sibling()
    assert other.shared is client.shared and other.pacer is client.pacer and other.auth is client.auth
    assert other.session is not client.session
    client.observer = observer = object()
    assert other.observer is observer


def test_the_token_endpoint_has_a_session_of_its_own() -> None:
    credentials = SimpleNamespace(token_url="http://127.0.0.1:9/token", client_id="c", client_secret="s", scope="x")
    client = Client("http://127.0.0.1:9/enterprises/acme", timeout=1.0, credentials=credentials)
    assert isinstance(client.tokens, ClientCredentialsToken)
    assert client.tokens._session not in (client.session, client.sibling().session)
