"""The target is read once from ENGAGE_* and checked, with one sentence for what is wrong."""

from __future__ import annotations

import pytest

from engage_contract.config import ConfigError, ExitCode, from_environment, token_url_for

LIVE = {"ENGAGE_BASE_URL": "https://api.development.pexipengage.com/enterprises/acme",
        "ENGAGE_TOKEN": "t", "ENGAGE_CUSTOMER_ID": "1234"}


def test_no_target_means_the_embedded_server() -> None:
    target = from_environment({})
    assert target.embedded and target.profile.name == "ci"


def test_live_target() -> None:
    target = from_environment({**LIVE, "ENGAGE_SEED": "7", "ENGAGE_PROFILE": "release"})
    assert target.base_url == LIVE["ENGAGE_BASE_URL"] and target.customer_ids == ("1234",)
    assert target.seed == 7 and target.profile.max_examples >= 10 * 60  # noqa: PLR2004


@pytest.mark.parametrize(("customers", "in_flight", "lanes"), [
    ("1234", "", 1), ("1,2,3,4", "", 4), ("1, 2 ,3,4,5", "", 4), ("1,2,3,4", "2", 2), ("1,2,3,4", "1", 1)])
def test_one_lane_a_customer_up_to_the_requests_in_flight(customers: str, in_flight: str, lanes: int) -> None:
    target = from_environment({**LIVE, "ENGAGE_CUSTOMER_ID": customers, "ENGAGE_MAX_IN_FLIGHT": in_flight})
    assert target.lanes == lanes


def test_one_lane_where_a_lane_cannot_be_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("os.fork")
    assert from_environment({**LIVE, "ENGAGE_CUSTOMER_ID": "1,2,3,4"}).lanes == 1
    assert from_environment({}).most_lanes == 1


def test_smoke_sends_the_same_requests_every_time_unless_a_seed_is_given() -> None:
    assert from_environment({"ENGAGE_PROFILE": "smoke"}).seed == from_environment({"ENGAGE_PROFILE": "smoke"}).seed
    assert from_environment({"ENGAGE_PROFILE": "smoke", "ENGAGE_SEED": "7"}).seed == 7  # noqa: PLR2004


def test_the_token_never_shows_in_repr() -> None:
    assert "s3cr3t" not in repr(from_environment({**LIVE, "ENGAGE_TOKEN": "s3cr3t"}))


@pytest.mark.parametrize(("env", "says"), [
    ({**LIVE, "ENGAGE_TOKEN": ""}, "ENGAGE_TOKEN is not set"),
    ({**LIVE, "ENGAGE_CUSTOMER_ID": " "}, "ENGAGE_CUSTOMER_ID is not set"),
    ({**LIVE, "ENGAGE_BASE_URL": "api.development.pexipengage.com"}, "must be an http(s) URL"),
    ({**LIVE, "ENGAGE_PROFILE": "nightly"}, "ENGAGE_PROFILE must be one of smoke, ci, release"),
    ({**LIVE, "ENGAGE_TIMEOUT": "-1"}, "ENGAGE_TIMEOUT must be greater than 0"),
    ({**LIVE, "ENGAGE_SEED": "x"}, "ENGAGE_SEED must be a whole number"),
    ({**LIVE, "ENGAGE_TOKEN": "", "ENGAGE_CLIENT_ID": "me"}, "ENGAGE_CLIENT_SECRET is not set"),
    ({"ENGAGE_TOKEN": "t"}, "ENGAGE_BASE_URL is empty but ENGAGE_TOKEN is set"),
    ({"ENGAGE_BASE_URL": " ", "ENGAGE_CUSTOMER_ID": "1"}, "ENGAGE_BASE_URL is empty but ENGAGE_CUSTOMER_ID is set"),
    ({**LIVE, "ENGAGE_BASELINE_UPDATE": "1"}, "ENGAGE_BASELINE_UPDATE=1 needs ENGAGE_BASELINE"),
    ({**LIVE, "ENGAGE_READINGS_STRICT": "1"}, "ENGAGE_READINGS_STRICT=1 needs ENGAGE_READINGS"),
    ({**LIVE, "ENGAGE_READINGS_UPDATE": "true"}, "ENGAGE_READINGS_UPDATE=1 needs ENGAGE_READINGS"),
    ({**LIVE, "ENGAGE_CUSTOMER_ID": "1234, 99,1234"}, "ENGAGE_CUSTOMER_ID names a customer twice"),
    ({**LIVE, "ENGAGE_MAX_IN_FLIGHT": "5"}, "ENGAGE_MAX_IN_FLIGHT may be at most 4"),
    ({**LIVE, "ENGAGE_MAX_IN_FLIGHT": "0"}, "ENGAGE_MAX_IN_FLIGHT must be greater than 0"),
    ({**LIVE, "ENGAGE_BASE_URL": "http://api.development.pexipengage.com/enterprises/acme"},
     "ENGAGE_BASE_URL is http:// to api.development.pexipengage.com"),
    ({**LIVE, "ENGAGE_BASE_URL": "http://10.0.0.7:8080/enterprises/acme"}, "ENGAGE_BASE_URL is http:// to 10.0.0.7"),
    ({**LIVE, "ENGAGE_BASE_URL": "https://me:pw@api.development.pexipengage.com/enterprises/acme"},
     "ENGAGE_BASE_URL must not hold a user name or password"),
    ({**LIVE, "ENGAGE_BASE_URL": "https://token@api.development.pexipengage.com/enterprises/acme"},
     "ENGAGE_BASE_URL must not hold a user name or password"),
    ({**LIVE, "ENGAGE_BASE_URL": "https://api.development.pexipengage.com:99999/enterprises/acme"},
     "ENGAGE_BASE_URL has a port that is not a number"),
    ({**LIVE, "ENGAGE_BASE_URL": "http://evil.localhost/enterprises/acme"}, "ENGAGE_BASE_URL is http:// to evil.localhost"),
    ({**LIVE, "ENGAGE_TOKEN": "", "ENGAGE_CLIENT_ID": "me", "ENGAGE_CLIENT_SECRET": "pw",
      "ENGAGE_TOKEN_URL": "http://auth.development.pexipengage.com/realms/acme/protocol/openid-connect/token"},
     "ENGAGE_TOKEN_URL is http:// to auth.development.pexipengage.com"),
    ({**LIVE, "ENGAGE_TOKEN": "", "ENGAGE_CLIENT_ID": "me", "ENGAGE_CLIENT_SECRET": "pw",
      "ENGAGE_TOKEN_URL": "https://me:pw@auth.development.pexipengage.com/token"},
     "ENGAGE_TOKEN_URL must not hold a user name or password"),
])
def test_bad_configuration_is_one_sentence(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as error:
        from_environment(env)
    assert says in str(error.value) and "\n" not in str(error.value)
    assert error.value.exit_code == ExitCode.BAD_CONFIGURATION


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8080/enterprises/acme", "http://localhost/enterprises/acme",
                                      "http://[::1]:8080/enterprises/acme", "http://127.9.9.9/enterprises/acme"])
def test_cleartext_is_allowed_to_loopback(base_url: str) -> None:
    assert from_environment({**LIVE, "ENGAGE_BASE_URL": base_url}).base_url == base_url


def test_a_password_in_a_bad_url_is_never_repeated() -> None:
    with pytest.raises(ConfigError) as error:
        from_environment({**LIVE, "ENGAGE_BASE_URL": "https://me:S3cretPassw0rd@api.development.pexipengage.com:99999/x"})
    assert "S3cretPassw0rd" not in str(error.value) and "user name or password" in str(error.value)


def test_cleartext_elsewhere_only_when_allowed() -> None:
    env = {**LIVE, "ENGAGE_BASE_URL": "http://gateway.test/enterprises/acme", "ENGAGE_ALLOW_HTTP": "1"}
    assert from_environment(env).base_url == env["ENGAGE_BASE_URL"]


def test_client_credentials_derive_the_token_url() -> None:
    target = from_environment({**LIVE, "ENGAGE_TOKEN": "", "ENGAGE_CLIENT_ID": "me", "ENGAGE_CLIENT_SECRET": "pw"})
    assert target.credentials.token_url == (
        "https://auth.development.pexipengage.com/realms/acme/protocol/openid-connect/token")
    assert target.credentials.scope == "engage:customers:readWrite"
    assert "pw" not in repr(target.credentials)


@pytest.mark.parametrize(("base_url", "token_url"), [
    ("https://api.pexipengage.com/enterprises/acme",
     "https://auth.pexipengage.com/realms/acme/protocol/openid-connect/token"),
    ("http://127.0.0.1:8080/enterprises/acme", None),
])
def test_token_url_for(base_url: str, token_url: str | None) -> None:
    assert token_url_for(base_url) == token_url


@pytest.mark.parametrize("base_url", ["https://api.pexipengage.com/enterprises/acme",
                                      "https://API.PexipEngage.COM./enterprises/acme",
                                      "https://api.pexipengage.com:443/enterprises/acme"])
def test_production_is_recognised_however_it_is_spelt(base_url: str) -> None:
    assert from_environment({**LIVE, "ENGAGE_BASE_URL": base_url}).is_production


def test_development_is_not_production() -> None:
    assert not from_environment(LIVE).is_production


@pytest.mark.parametrize(("raw", "share"), [("", 0.2), ("0.5", 0.5), ("35%", 0.35), ("0", 0.0), ("100%", 1.0)])
def test_the_share_of_cases_left_without_a_verdict(raw: str, share: float) -> None:
    assert from_environment({**LIVE, "ENGAGE_MAX_INCONCLUSIVE": raw}).max_inconclusive == pytest.approx(share)


@pytest.mark.parametrize("raw", ["much", "1.5", "-0.1", "nan", "120%"])
def test_a_share_out_of_range_is_one_sentence(raw: str) -> None:
    with pytest.raises(ConfigError, match="ENGAGE_MAX_INCONCLUSIVE must be a share from 0 to 1") as raised:
        from_environment({**LIVE, "ENGAGE_MAX_INCONCLUSIVE": raw})
    assert raised.value.exit_code == ExitCode.BAD_CONFIGURATION


@pytest.mark.parametrize("name", ["ENGAGE_TIMEOUT", "ENGAGE_LOCK_SECONDS", "ENGAGE_RATE_LIMIT"])
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "soon"])
def test_a_number_that_is_none_is_one_sentence(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} must be a number") as raised:
        from_environment({**LIVE, name: raw})
    assert raised.value.exit_code == ExitCode.BAD_CONFIGURATION
