"""The target, read once from the environment and checked. Nothing else in the suite reads os.environ."""

from __future__ import annotations

import enum
import ipaddress
import math
import os
import random
import re
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
    RUN_IN_PROGRESS = 73
    REPORTS_UNWRITABLE = 73  # as EX_CANTCREAT: the reports cannot be written
    JOURNAL_UNUSABLE = 74
    CANNOT_JUDGE = 75  # the environment did not let the suite judge (the first read timed out, a locked customer, ...)
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
    seed: int | None = None  # the seed when ENGAGE_SEED gives none (None: one drawn for the run)


PROFILES = {
    # A pre-deploy gate: few generated cases, and the hand-made probes that catch the most (tests/contract).
    # Its seed is fixed (the self-tests' and the benchmark's): a gate sends the same requests every time.
    "smoke": Profile("smoke", ("examples", "fuzzing"), 6, negative=False, thorough=False, seed=1),
    "ci": Profile("ci", ("examples", "coverage", "fuzzing"), 60, negative=True, thorough=True),
    # Ten times ci's requests or more: its coverage phase is the same, so the fuzzing grows the most.
    "release": Profile("release", ("examples", "coverage", "fuzzing"), 5000, negative=True, thorough=True),
}

PLATFORM_REQUESTS_PER_MINUTE = 3000
PLATFORM_MAX_IN_FLIGHT = 4  # api-notes, "Rate limits": concurrent requests per client IP
# api-notes, "Hosts and paths": the production API. Kept here, not read from a schema that can be swapped.
PRODUCTION_HOSTS = ("api.pexipengage.com",)
# Where a run keeps the test customer's snapshot until it is restored (relative to the working directory).
JOURNAL_DIR = ".engage-contract/journal"


SCOPE = "engage:customers:readWrite"
# RFC 6750, section 2.1: what a bearer token may hold.
BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# Seconds a request may take at most: a timeout longer than this is a mistake (and beyond what sockets take).
MOST_TIMEOUT = 600.0


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth 2.0 client credentials; the token is fetched (and refreshed) by the client."""

    client_id: str
    client_secret: str
    token_url: str
    scope: str = SCOPE

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, token_url={self.token_url!r})"


def token_url_for(base_url: str) -> str | None:
    """https://api.<env>pexipengage.com/enterprises/<e> -> https://auth.<env>pexipengage.com/realms/<e>/..."""
    parts = urlsplit(base_url)
    segments = parts.path.strip("/").split("/")
    host = parts.hostname or ""
    if not host.startswith("api.") or len(segments) < 2 or segments[0] != "enterprises":
        return None
    return f"{parts.scheme}://auth.{host[4:]}/realms/{segments[1]}/protocol/openid-connect/token"


def elsewhere_url(base_url: str, enterprise: str) -> str | None:
    """.../enterprises/<e> -> .../enterprises/<enterprise>: the same API under another enterprise (None: the base
    URL names none)."""
    parts = urlsplit(base_url)
    segments = parts.path.rstrip("/").split("/")
    if len(segments) < 2 or segments[-2] != "enterprises":
        return None
    return parts._replace(path="/".join([*segments[:-1], enterprise])).geturl()


@dataclass(frozen=True)
class Target:
    """Where the suite sends its requests, and under which budget."""

    base_url: str | None  # None: the embedded reference server
    token: str | None
    credentials: ClientCredentials | None
    customer_ids: tuple[str, ...]
    profile: Profile
    seed: int
    timeout: float
    requests_per_minute: float
    schema_path: str | None
    allow_production: bool
    force: bool = False  # start even when another run's journal says it is using the customer
    journal_dir: str = JOURNAL_DIR
    step_summary: str | None = None  # GITHUB_STEP_SUMMARY: a file a GitHub job shows as its summary
    baseline: str | None = None  # a file of known deviations (schemathesis' baseline format)
    baseline_update: bool = False  # write this run's failures into it
    record: bool = False  # a HAR recording of every exchange (release runs always have one)
    max_in_flight: int = PLATFORM_MAX_IN_FLIGHT  # requests at once, and so lanes (one customer each) at most
    max_inconclusive: float = 0.2  # the share of cases the platform may leave without a verdict before the run fails
    lock_seconds: float = 60.0  # updates answered 409 in a row for this long: the customer is locked
    readonly_token: str | None = None  # a token with the read-only scope, for the tenant probes
    readings: str | None = None  # an earlier run's readings of the silences, to compare this run's with
    readings_strict: bool = False  # a changed reading fails the run
    readings_update: bool = False  # write this run's readings into that file

    def secrets(self) -> list[str]:
        """The credentials given: a report must show none of them (scrub.py)."""
        return [secret for secret in (self.token, self.readonly_token,
                                      self.credentials.client_secret if self.credentials else None) if secret]

    @property
    def most_lanes(self) -> int:
        """One lane per request in flight, where a lane's hypothesis test can be forked (running/workers.py)."""
        return self.max_in_flight if hasattr(os, "fork") else 1

    @property
    def lanes(self) -> int:
        """How many customers the run works on side by side: one per customer given, up to most_lanes."""
        return max(1, min(len(self.customer_ids), self.most_lanes))

    @property
    def is_production(self) -> bool:
        return host_of(self.base_url) in PRODUCTION_HOSTS if self.base_url else False

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    def __repr__(self) -> str:  # a Target may be printed; its token never is
        return (f"Target(base_url={self.base_url!r}, customer_ids={self.customer_ids!r}, "
                f"profile={self.profile.name!r}, seed={self.seed!r}, timeout={self.timeout!r})")


def host_of(url: str) -> str:
    """A URL's host name as DNS compares it: lower case, without the root's trailing dot."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def _number(env: Mapping[str, str], name: str, default: float, kind: type = float, positive: bool = True,
            most: float | None = None) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # nan and inf too: a lock that never stops, a rate without pacing
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}")
    if positive and value <= 0:
        raise ConfigError(f"{name} must be greater than 0, not {raw!r}")
    if most is not None and value > most:
        raise ConfigError(f"{name} may be at most {most:g}, not {raw!r}")
    return value


def from_environment(env: Mapping[str, str] | None = None) -> Target:
    """Read ENGAGE_* variables; raise ConfigError with one sentence naming the variable at fault."""
    env = os.environ if env is None else env
    base_url = env.get("ENGAGE_BASE_URL", "").strip().rstrip("/") or None
    token = env.get("ENGAGE_TOKEN", "").strip() or None
    customer_ids = tuple(part.strip() for part in env.get("ENGAGE_CUSTOMER_ID", "").split(",") if part.strip())
    profile_name = env.get("ENGAGE_PROFILE", "").strip() or "ci"
    credentials = _client_credentials(env, base_url) if base_url is not None and token is None else None
    if _flag(env, "ENGAGE_BASELINE_UPDATE") and not env.get("ENGAGE_BASELINE", "").strip():
        raise ConfigError("ENGAGE_BASELINE_UPDATE=1 needs ENGAGE_BASELINE, the file to write the known deviations to")
    for switch in ("ENGAGE_READINGS_STRICT", "ENGAGE_READINGS_UPDATE"):
        if _flag(env, switch) and not env.get("ENGAGE_READINGS", "").strip():
            raise ConfigError(f"{switch}=1 needs ENGAGE_READINGS, the readings file to compare with (or to write)")
    if profile_name not in PROFILES:
        raise ConfigError(f"ENGAGE_PROFILE must be one of {', '.join(PROFILES)}, not {profile_name!r}")
    if base_url is None:
        # A CI variable that was never set reads as empty: testing the embedded server instead would be a false green.
        live_only = [name for name in ("ENGAGE_TOKEN", "ENGAGE_CLIENT_ID", "ENGAGE_CLIENT_SECRET", "ENGAGE_CUSTOMER_ID",
                                       "ENGAGE_READONLY_TOKEN")
                     if env.get(name, "").strip()]
        if live_only:
            raise ConfigError(f"ENGAGE_BASE_URL is empty but {', '.join(live_only)} is set: set the API's base URL, "
                              "or unset them all to run against the embedded reference server")
    allow_http = _flag(env, "ENGAGE_ALLOW_HTTP")
    if base_url is not None:
        _check_url("ENGAGE_BASE_URL", base_url, allow_http, "https://api.development.pexipengage.com/enterprises/acme")
        if credentials is not None:
            _check_url("ENGAGE_TOKEN_URL", credentials.token_url, allow_http,
                       "https://auth.development.pexipengage.com/realms/acme/protocol/openid-connect/token")
        if token is None and credentials is None:
            raise ConfigError("ENGAGE_TOKEN is not set: the suite needs a bearer token for ENGAGE_BASE_URL "
                              "(or ENGAGE_CLIENT_ID and ENGAGE_CLIENT_SECRET)")
        if not customer_ids:
            raise ConfigError("ENGAGE_CUSTOMER_ID is not set: name an existing customer the suite may modify")
    if len(set(customer_ids)) != len(customer_ids):
        raise ConfigError(f"ENGAGE_CUSTOMER_ID names a customer twice ({', '.join(customer_ids)}): "
                          "two lanes on one customer would judge each other's changes")
    max_in_flight = int(_number(env, "ENGAGE_MAX_IN_FLIGHT", PLATFORM_MAX_IN_FLIGHT, int))
    if max_in_flight > PLATFORM_MAX_IN_FLIGHT:
        raise ConfigError(f"ENGAGE_MAX_IN_FLIGHT may be at most {PLATFORM_MAX_IN_FLIGHT}, the platform's limit of "
                          f"concurrent requests, not {max_in_flight}")
    max_inconclusive = _share(env, "ENGAGE_MAX_INCONCLUSIVE", 0.2)
    for name in ("ENGAGE_TOKEN", "ENGAGE_READONLY_TOKEN"):
        if env.get(name, "").strip() and not BEARER_TOKEN.fullmatch(env[name].strip()):
            raise ConfigError(f"{name} is not a bearer token (RFC 6750: letters, digits and -._~+/ only, then any "
                              "number of =): was something else pasted with it?")
    return Target(
        base_url=base_url,
        token=token,
        credentials=credentials,
        customer_ids=customer_ids,
        profile=PROFILES[profile_name],
        # Always a seed, so that every run can be repeated: the one given, the profile's, or one drawn now.
        seed=(int(_number(env, "ENGAGE_SEED", 0, int, positive=False)) if env.get("ENGAGE_SEED", "").strip()
              else PROFILES[profile_name].seed if PROFILES[profile_name].seed is not None
              else random.randrange(2**32)),
        timeout=_number(env, "ENGAGE_TIMEOUT", 5.0, most=MOST_TIMEOUT),
        requests_per_minute=_number(env, "ENGAGE_RATE_LIMIT", PLATFORM_REQUESTS_PER_MINUTE),
        schema_path=env.get("ENGAGE_SCHEMA", "").strip() or None,
        allow_production=_flag(env, "ENGAGE_ALLOW_PRODUCTION"),
        force=_flag(env, "ENGAGE_FORCE"),
        step_summary=env.get("GITHUB_STEP_SUMMARY", "").strip() or None,
        baseline=env.get("ENGAGE_BASELINE", "").strip() or None,
        baseline_update=_flag(env, "ENGAGE_BASELINE_UPDATE"),
        record=_flag(env, "ENGAGE_RECORD"),
        max_in_flight=max_in_flight,
        max_inconclusive=max_inconclusive,
        lock_seconds=_number(env, "ENGAGE_LOCK_SECONDS", 60.0),
        readonly_token=env.get("ENGAGE_READONLY_TOKEN", "").strip() or None,
        readings=env.get("ENGAGE_READINGS", "").strip() or None,
        readings_strict=_flag(env, "ENGAGE_READINGS_STRICT"),
        readings_update=_flag(env, "ENGAGE_READINGS_UPDATE"),
    )


FLAGS = {"1": True, "true": True, "0": False, "false": False, "": False}


def _flag(env: Mapping[str, str], name: str) -> bool:
    """A switch: 1 or true, 0 or false (or unset); anything else is a mistake, not a silent no."""
    raw = env.get(name, "").strip()
    if raw.lower() not in FLAGS:
        raise ConfigError(f"{name} must be 1, 0, true or false, not {raw!r}")
    return FLAGS[raw.lower()]


def is_loopback(host: str) -> bool:
    """A host that names this machine: what goes to it never crosses a network (a name under .localhost may be
    looked up in DNS where no resolver keeps it here: only localhost itself and loopback addresses count)."""
    host = host.rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(name: str, url: str, allow_http: bool, example: str) -> None:
    """An http(s) URL with a host, without credentials in it, and over TLS unless it stays on this machine."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [ of an IPv6 address, say
        raise ConfigError(f"{name} is not a URL such as {example}") from None
    if "@" in parts.netloc:  # first, and never repeated: what is before the @ may be a password
        raise ConfigError(f"{name} must not hold a user name or password (user:pass@host): credentials go in "
                          "ENGAGE_TOKEN or ENGAGE_CLIENT_ID and ENGAGE_CLIENT_SECRET")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ConfigError(f"{name} has a port that is not a number from 1 to 65535: {url!r}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL such as {example}, not {url!r}")
    if parts.scheme == "http" and not allow_http and not is_loopback(parts.hostname):
        raise ConfigError(f"{name} is http:// to {parts.hostname}: a token or a client secret would cross the network "
                          "in cleartext; use https://, or set ENGAGE_ALLOW_HTTP=1 if you really mean it")


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    """A share from 0 to 1, written as one (0.2) or as a percentage (20%)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:  # NaN too
        raise ConfigError(f"{name} must be a share from 0 to 1 (0.2) or a percentage (20%), not {raw!r}")
    return value


def _client_credentials(env: Mapping[str, str], base_url: str) -> ClientCredentials | None:
    client_id = env.get("ENGAGE_CLIENT_ID", "").strip()
    secret = env.get("ENGAGE_CLIENT_SECRET", "").strip()
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        missing = "ENGAGE_CLIENT_SECRET" if client_id else "ENGAGE_CLIENT_ID"
        raise ConfigError(f"{missing} is not set: client credentials need both ENGAGE_CLIENT_ID and ENGAGE_CLIENT_SECRET")
    token_url = env.get("ENGAGE_TOKEN_URL", "").strip() or token_url_for(base_url)
    if token_url is None:
        raise ConfigError(f"ENGAGE_TOKEN_URL is not set and cannot be derived from {base_url!r}")
    return ClientCredentials(client_id, secret, token_url)
