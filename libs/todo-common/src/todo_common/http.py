"""HTTP clients for calls between services: internal token, request id and timeouts set in one place."""

from __future__ import annotations

import httpx2

from .logging import request_id_var

DEFAULT_TIMEOUT = httpx2.Timeout(10.0, connect=2.0)

# Errors that prove the request never reached the other service: safe to retry, even for a write.
CONNECT_ERRORS: tuple[type[BaseException], ...] = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
)
# Errors that mean the other service is not answering properly (it may or may not have acted).
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx2.TransportError,)
CONNECTION_LIMITS = httpx2.Limits(max_connections=50, max_keepalive_connections=20)


async def _add_request_id(request: httpx2.Request) -> None:
    request_id = request_id_var.get()
    if request_id and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def internal_client(
    internal_token: str,
    *,
    base_url: str = "",
    timeout: httpx2.Timeout = DEFAULT_TIMEOUT,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> httpx2.AsyncClient:
    """A pooled client for another service of ours; create once per process and close on shutdown.

    A custom `transport` (e.g. one wrapping `httpx2.AsyncHTTPTransport(limits=CONNECTION_LIMITS)`) replaces
    the default pooled transport.
    """
    return httpx2.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {internal_token}"},
        timeout=timeout,
        event_hooks={"request": [_add_request_id]},
        trust_env=False,
        limits=CONNECTION_LIMITS,
        transport=transport,
    )
