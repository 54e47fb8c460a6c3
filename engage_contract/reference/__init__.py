"""The embedded reference server: the contract of PATCH /customers/{id}, implemented.

It is the suite's default target and the ground its self-tests stand on. It knows the contract only
through schema/ and never imports the suite: the suite reaches it as a URL, as it reaches the live API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from engage_contract import contract as _contract
from engage_contract.reference import faults as _faults
from engage_contract.reference.app import ReferenceServer

__all__ = ["ReferenceServer", "start"]

SHUTDOWN_POLL = 0.05  # seconds


def start(*, token: str, host: str = "127.0.0.1", port: int = 0, enterprise: str = "acme",
          customer_ids: tuple[str, ...] = ("1001",), faults: list[str] | tuple[str, ...] = (),
          latency: float = 0.0, client_id: str | None = None, client_secret: str | None = None,
          token_lifetime: float = 300.0, fault_customers: tuple[str, ...] | None = None,
          readonly_token: str | None = None, first_reads_delay: float = 0.0,
          log: Callable[[str], None] | None = None) -> ReferenceServer:
    """Start a server on a background thread; stop it with `shutdown()` and `server_close()`. `fault_customers`:
    the faults in updating a customer show on these customers only; `readonly_token`: a token that may read, not
    write (the scope engage:customers:readOnly)."""
    server = ReferenceServer(
        (host, port),
        contract=_contract.load(),
        token=token,
        enterprise=enterprise,
        customer_ids=customer_ids,
        faults=_faults.Switches(faults, fault_customers),
        latency=latency,
        client_id=client_id,
        client_secret=client_secret,
        token_lifetime=token_lifetime,
        readonly_token=readonly_token,
        first_reads_delay=first_reads_delay,
        log=log,
    )
    # A short poll: shutdown() waits for it, and the self-tests start and stop a server for every run.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL}, name="engage-reference",
                     daemon=True).start()
    return server
