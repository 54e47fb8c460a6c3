"""The target, read once from the environment and checked. Nothing else in the suite reads os.environ."""

from __future__ import annotations

import enum
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


class ExitCode(enum.IntEnum):
    """What ./ci/contract.sh exits with; pytest's own codes (0-5) keep their meaning."""

    CONTRACT_HOLDS = 0
    CONTRACT_VIOLATED = 1
    BAD_CONFIGURATION = 64
    BAD_SCHEMA = 65
    CUSTOMER_NOT_FOUND = 66
    TARGET_UNREACHABLE = 69
    TARGET_TIMED_OUT = 75
    CREDENTIALS_REJECTED = 77
    PRODUCTION_REFUSED = 78


class ConfigError(Exception):
    """A problem with the target that stops the run before its first case, in one sentence."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.BAD_CONFIGURATION) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Profile:
    """A budget: how much schemathesis generates, in which phases, and which hand-made probes run."""

    name: str
    phases: tuple[str, ...]
    max_examples: int
    negative: bool  # schema-invalid requests too
    thorough: bool  # the unstated edges and every kind of odd id


PROFILES = {
    "smoke": Profile("smoke", ("examples", "fuzzing"), 12, negative=False, thorough=False),
    "ci": Profile("ci", ("examples", "coverage", "fuzzing"), 60, negative=True, thorough=True),
    "release": Profile("release", ("examples", "coverage", "fuzzing"), 1000, negative=True, thorough=True),
}

EMBEDDED_TOKEN_LENGTH = 32


@dataclass(frozen=True)
class Target:
    """Where the suite sends its requests, and under which budget."""

    base_url: str | None  # None: the embedded reference server
    token: str | None
    customer_ids: tuple[str, ...]
    profile: Profile
    seed: int
    seed_given: bool
    timeout: float
    schema_path: str | None
    allow_production: bool

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    def __repr__(self) -> str:  # a Target may be printed; its token never is
        return (f"Target(base_url={self.base_url!r}, customer_ids={self.customer_ids!r}, "
                f"profile={self.profile.name!r}, seed={self.seed!r}, timeout={self.timeout!r})")


def _number(env: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}") from None
    if value <= 0 and name != "ENGAGE_SEED":
        raise ConfigError(f"{name} must be greater than 0, not {raw!r}")
    return value


def from_environment(env: Mapping[str, str] | None = None) -> Target:
    """Read ENGAGE_* variables; raise ConfigError with one sentence naming the variable at fault."""
    env = os.environ if env is None else env
    base_url = env.get("ENGAGE_BASE_URL", "").strip().rstrip("/") or None
    token = env.get("ENGAGE_TOKEN", "").strip() or None
    customer_ids = tuple(part.strip() for part in env.get("ENGAGE_CUSTOMER_ID", "").split(",") if part.strip())
    profile_name = env.get("ENGAGE_PROFILE", "").strip() or "ci"
    if profile_name not in PROFILES:
        raise ConfigError(f"ENGAGE_PROFILE must be one of {', '.join(PROFILES)}, not {profile_name!r}")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"ENGAGE_BASE_URL must be an http(s) URL such as "
                              f"https://api.development.pexipengage.com/enterprises/acme, not {base_url!r}")
        if token is None:
            raise ConfigError("ENGAGE_TOKEN is not set: the suite needs a bearer token for ENGAGE_BASE_URL")
        if not customer_ids:
            raise ConfigError("ENGAGE_CUSTOMER_ID is not set: name an existing customer the suite may modify")
    seed_given = bool(env.get("ENGAGE_SEED", "").strip())
    return Target(
        base_url=base_url,
        token=token,
        customer_ids=customer_ids,
        profile=PROFILES[profile_name],
        # Always a seed, so that every run can be repeated: the one given, or one drawn now and printed.
        seed=int(_number(env, "ENGAGE_SEED", 0, int)) if seed_given else random.randrange(2**32),
        seed_given=seed_given,
        timeout=_number(env, "ENGAGE_TIMEOUT", 5.0),
        schema_path=env.get("ENGAGE_SCHEMA", "").strip() or None,
        allow_production=env.get("ENGAGE_ALLOW_PRODUCTION", "").strip() == "1",
    )
