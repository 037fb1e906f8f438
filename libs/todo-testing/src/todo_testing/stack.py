"""Run the whole Python stack for a test driven from another language (the web app's browser tests).

    uv run python -m todo_testing.stack [--log-dir DIR]

Prints one JSON line with the service URLs once everything is ready, then obeys stdin, one command per
line: `stop <service>` / `start <service>` (a Python component's name; start reuses the port), each
answered with `ok` (or `error <reason>`). `quit`, end of input or SIGTERM stops everything and drops the
database.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from .processes import Stack


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--log-dir", type=Path, help="write each service's log to DIR/<service>.log")
    args = parser.parse_args()
    if args.log_dir:
        args.log_dir.mkdir(parents=True, exist_ok=True)

    def terminate(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, terminate)
    with Stack(log_dir=args.log_dir) as stack:
        urls = {
            "backend_url": stack.backend.url,
            "mcp_server_url": stack.mcp_server.url + "/mcp",
            "agent_url": stack.agent.url,
            "database_url": stack.database.url,
        }
        print(json.dumps(urls), flush=True)
        for line in sys.stdin:
            command, _, name = line.strip().partition(" ")
            if command == "quit":
                break
            service = stack.services.get(name)
            if command not in {"start", "stop"} or service is None:
                print(f"error unknown command {line.strip()!r}", flush=True)
                continue
            try:
                service.start() if command == "start" else service.stop()
            except Exception as exc:
                print(f"error {exc}", flush=True)
            else:
                print("ok", flush=True)


if __name__ == "__main__":
    main()
