"""The ASGI middleware every service runs behind: request context, body size limit, internal auth."""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logging import request_id_var
from .metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_access_log = logging.getLogger("todo.access")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_json_error(
    send: Send, status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _route_label(scope: Scope) -> str:
    """The route template, never the raw path, so metrics keep a bounded number of series."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw = scope.get("path", "")
    return raw if raw in {"/healthz", "/readyz", "/metrics", "/mcp", "/mcp/"} else "unmatched"


class RequestContextMiddleware:
    """Accepts or creates X-Request-ID, returns it, logs one access line and records metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER.encode())
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_label(scope)
            method = scope["method"]
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_REQUEST_DURATION.labels(method, route).observe(elapsed)
            if route not in {"/healthz", "/readyz", "/metrics"}:
                _access_log.info(
                    "%s %s %s",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={"status": status, "duration_ms": round(elapsed * 1000, 2), "route": route},
                )
            request_id_var.reset(token)


class BodyLimitMiddleware:
    """Answers 413 to a request body larger than the limit, whether it declares its length or streams.

    A streamed body is cut off at the limit: the 413 is sent at once and the app then sees the client
    disconnect (it cannot turn the cut-off into a 500 of its own, since its response is discarded).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_json_error(send, 413, self._detail)
            return
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    rejected = True
                    if not response_started:
                        await send_json_error(send, 413, self._detail)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # the 413 (or the response already under way) is all the client gets
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise
            # The app failed because its body was cut off after the 413: expected, nothing to report.

    @property
    def _detail(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"


class InternalAuthMiddleware:
    """Requires `Authorization: Bearer <INTERNAL_TOKEN>` on the given path prefixes."""

    def __init__(self, app: ASGIApp, token: str, protected_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()
        self._prefixes = protected_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(self._prefixes):
            presented = (_header(scope, b"authorization") or "").encode("latin-1")
            if not hmac.compare_digest(presented, self._expected):
                await send_json_error(
                    send, 401, "missing or invalid internal token", [(b"www-authenticate", b"Bearer")]
                )
                return
        await self.app(scope, receive, send)


def protect(
    app: ASGIApp,
    *,
    max_body_bytes: int,
    internal_token: str | None = None,
    protected_prefixes: tuple[str, ...] = (),
) -> ASGIApp:
    """Wrap an ASGI app in the standard middleware stack, outermost first: context, body limit, auth."""
    wrapped = app
    if internal_token is not None:
        wrapped = InternalAuthMiddleware(wrapped, internal_token, protected_prefixes)
    wrapped = BodyLimitMiddleware(wrapped, max_body_bytes)
    return RequestContextMiddleware(wrapped)
