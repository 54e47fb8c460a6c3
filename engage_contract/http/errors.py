"""What the client raises: every way a request can end without an answer to judge. Each message names the
target, never a credential."""

from __future__ import annotations

import unittest


class ClientError(Exception):
    """Anything else that went wrong sending a request; its message never carries a credential."""


class TargetTimedOut(Exception):
    """A request got no answer within the per-request timeout."""


class TargetUnreachable(Exception):
    """A request could not be delivered, even after one retry."""


class AnswerBroken(Exception):
    """The answer was no complete HTTP message (cut short, reset, undecodable), even after one retry."""


class RunStopped(unittest.SkipTest):
    """The run is being stopped: no request starts but the restore's (a skip wherever it lands)."""


class NoTls(TargetUnreachable):
    """An https:// target that does not answer in TLS (an http server), or whose certificate does not hold."""


class CredentialsRejected(Exception):
    """The token endpoint refused the client credentials."""


class TokenUnavailable(TargetUnreachable):
    """The token endpoint gave no token, though it did not refuse the credentials (a 5xx, a redirect, no
    answer): no verdict can be had until it does."""


class TokenEndpointWrong(TokenUnavailable):
    """ENGAGE_TOKEN_URL names no token endpoint (a 404 or 405 there)."""
