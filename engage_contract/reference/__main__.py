"""Run the reference server alone: python -m engage_contract.reference --port 8080 --token T"""

from __future__ import annotations

import argparse
import sys
import threading

from engage_contract.contract import SchemaError
from engage_contract.reference import faults, start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage_contract.reference", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    parser.add_argument("--token", help="the bearer token clients must send (required to serve)")
    parser.add_argument("--enterprise", default="acme")
    parser.add_argument("--client-id", help="OAuth client id accepted by /realms/{enterprise}/protocol/openid-connect/token")
    parser.add_argument("--client-secret", help="its secret")
    parser.add_argument("--token-lifetime", type=float, default=300.0, metavar="S", help="expires_in of issued tokens")
    parser.add_argument("--customer", action="append", dest="customers", metavar="ID",
                        help="id of a customer to seed (repeatable; default 1001)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="switch on a fault-injected variant (repeatable); --list-faults names them")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS", help="answer each request after MS ms")
    parser.add_argument("--list-faults", action="store_true", help="print the variants and exit")
    args = parser.parse_args(argv)
    if args.list_faults:
        for name, description in faults.FAULTS.items():
            print(f"{name:34} {description}")
        return 0
    if not args.token:
        parser.error("--token is required to serve (the bearer token clients must send)")
    try:
        server = start(token=args.token, host=args.host, port=args.port, enterprise=args.enterprise,
                       customer_ids=tuple(args.customers or ["1001"]), faults=args.fault,
                       latency=args.latency / 1000, client_id=args.client_id, client_secret=args.client_secret,
                       token_lifetime=args.token_lifetime, log=lambda line: print(line, flush=True))
    except (ValueError, SchemaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Reference server listening on {server.base_url} (customers: {', '.join(server.customer_ids)})", flush=True)
    if args.client_id:
        root = server.base_url.split("/enterprises/")[0]
        print(f"OAuth token endpoint: {root}/realms/{args.enterprise}/protocol/openid-connect/token "
              "(client credentials grant)", flush=True)
    if args.fault:
        print(f"Variant: {', '.join(args.fault)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
