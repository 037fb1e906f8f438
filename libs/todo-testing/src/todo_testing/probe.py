"""One HTTP GET's status, for polling a service until it answers."""

from __future__ import annotations

import httpx2


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The HTTP status of a GET of `url`, or None when nothing answers in time."""
    try:
        return httpx2.get(url, timeout=timeout).status_code
    except httpx2.HTTPError:
        return None
