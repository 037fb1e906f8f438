"""`helm test`: every service of the release answers its readiness endpoint through its Service.

Standard library only: it runs in the project's own todo-backend image (no other image can be pulled).
Configuration: READINESS_URLS = comma-separated `name=url`; READY_TIMEOUT_SECONDS (default 90).
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request


def parse_targets(spec: str) -> dict[str, str]:
    targets: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, separator, url = item.partition("=")
        if not separator or not name or not url.startswith(("http://", "https://")):
            raise ValueError(f"READINESS_URLS entry {item!r} is not name=http(s)://...")
        targets[name] = url
    if not targets:
        raise ValueError("READINESS_URLS is empty")
    return targets


def status_of(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URLs are http(s), checked above
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return str(error)


def wait_until_ready(targets: dict[str, str], timeout_seconds: float) -> dict[str, int | str]:
    """Poll every target until all answer 200 or the timeout passes; returns the failing ones."""
    deadline = time.monotonic() + timeout_seconds
    pending: dict[str, int | str] = dict.fromkeys(targets, "not tried")
    while pending:
        for name in list(pending):
            result = status_of(targets[name])
            if result == 200:
                print(f"ready: {name} {targets[name]}", flush=True)
                del pending[name]
            else:
                pending[name] = result
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(2)
    return pending


def main() -> int:
    try:
        targets = parse_targets(os.environ.get("READINESS_URLS", ""))
        timeout = float(os.environ.get("READY_TIMEOUT_SECONDS", "90"))
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    failing = wait_until_ready(targets, timeout)
    for name, result in failing.items():
        print(f"NOT READY: {name} {targets[name]} -> {result}", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
