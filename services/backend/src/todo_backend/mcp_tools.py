"""Task operations as MCP tool calls on mcp-server, over one long-lived MCP client session.

The MCP server is stateless, so one client session is shared by all requests (no handshake per call, tool
output schemas cached). The MCP SDK's streamable HTTP transport lets a connection error escape into the
session's task group, which would tear the shared session down under every in-flight call. `_FailureAsReply`
turns such an error into a JSON-RPC error answer for the one request it hit, telling apart "never sent"
(safe to retry, even a write) from "may have reached the server" (never re-sent).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from contextlib import suppress
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolRequest, CallToolRequestParams, CallToolResult
from todo_common.http import CONNECT_ERRORS, CONNECTION_LIMITS, TRANSPORT_ERRORS, internal_client
from todo_common.resilience import CircuitBreaker, call_dependency

_log = logging.getLogger("todo.mcp")
_NOT_SENT = -32091  # implementation-defined JSON-RPC error codes (-32000..-32099) used only in-process
_MAYBE_SENT = -32092
_NOT_FOUND = re.compile(r"\bTask (\d+) not found\b")
# Tools that only read are sent again after any failure, each try answered within READ_ATTEMPT_SECONDS:
# a pooled connection to an mcp-server pod whose node vanished never answers; waiting it out fails the caller.
_READ_ONLY_TOOLS = frozenset({"list_tasks", "get_task"})
READ_ATTEMPT_SECONDS = 3.0


class McpNotSentError(Exception):
    """The request never reached mcp-server (connection refused, connect timeout, pool timeout)."""


class McpMaybeSentError(Exception):
    """mcp-server did not answer properly; the request may have been acted on."""


class TaskNotFoundError(Exception):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class ToolFailedError(Exception):
    """mcp-server answered with a tool error other than "not found"."""


class _FailureAsReply(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await self._inner.handle_async_request(request)
        except CONNECT_ERRORS as exc:
            return _error_reply(_NOT_SENT, exc)
        except TRANSPORT_ERRORS as exc:
            return _error_reply(_MAYBE_SENT, exc)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _error_reply(code: int, exc: BaseException) -> httpx2.Response:
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": type(exc).__name__}}
    return httpx2.Response(503, json=body, headers={"content-type": "application/json"})


class McpTaskTools:
    """Calls mcp-server's task tools for one user at a time; see the module docstring."""

    def __init__(self, url: str, internal_token: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._http = internal_client(
            internal_token,
            timeout=httpx2.Timeout(timeout, connect=1.0),
            transport=_FailureAsReply(httpx2.AsyncHTTPTransport(limits=CONNECTION_LIMITS)),
        )
        self.breaker = CircuitBreaker("mcp-server", failure_threshold=3, reset_after=2.0)
        self._client: Client | None = None
        self._connecting = asyncio.Lock()
        self._stop = asyncio.Event()
        self._owner: asyncio.Task[None] | None = None

    async def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        """The tool's structured result; raises TaskNotFoundError, ToolFailedError or
        DependencyUnavailableError (mcp-server unreachable)."""

        read_only = tool in _READ_ONLY_TOOLS

        async def attempt() -> Any:
            client = await self._session()
            request = CallToolRequest(params=CallToolRequestParams(name=tool, arguments=arguments))
            try:
                # `send_request` rather than `call_tool`: call_tool re-validates every result against the
                # tool's JSON schema in pure Python (most of a list request's time); the routes validate
                # what they use with pydantic instead.
                result = await client.session.send_request(
                    request, CallToolResult, READ_ATTEMPT_SECONDS if read_only else None
                )
            except MCPError as exc:
                raise _transport_error(exc) from None
            if result.is_error:
                text = " ".join(getattr(part, "text", "") for part in result.content)
                if match := _NOT_FOUND.search(text):
                    raise TaskNotFoundError(int(match.group(1)))
                _log.warning("tool %s failed: %s", tool, text[:200])
                raise ToolFailedError(text[:200])
            if result.structured_content is not None:
                return result.structured_content
            return _json_from_text(result.content)

        return await call_dependency(
            attempt,
            breaker=self.breaker,
            retry_on=(McpNotSentError, McpMaybeSentError) if read_only else (McpNotSentError,),
            unavailable_on=(McpNotSentError, McpMaybeSentError),
        )

    async def _session(self) -> Client:
        if (client := self._client) is not None:
            return client
        async with self._connecting:
            if (client := self._client) is not None:  # another request connected meanwhile
                return client
            ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
            self._stop = asyncio.Event()
            self._owner = asyncio.create_task(self._own_session(ready, self._stop))
            try:
                return await asyncio.shield(ready)
            except MCPError as exc:
                raise _transport_error(exc) from None
            except Exception as exc:  # any other failed handshake: mcp-server is not serving us
                _log.warning("MCP session could not start: %s", type(exc).__name__)
                raise McpMaybeSentError(type(exc).__name__) from exc

    async def _own_session(self, ready: asyncio.Future[Client], stop: asyncio.Event) -> None:
        """Enter and exit the client in one task (anyio requires it) and hold it open until `stop`."""
        try:
            transport = streamable_http_client(self._url, http_client=self._http, terminate_on_close=False)
            async with Client(transport, cache=None) as client:
                self._client = client
                ready.set_result(client)
                await stop.wait()
        except Exception as exc:
            if not ready.done():
                # The handshake's failure arrives wrapped in the transport's exception group.
                ready.set_exception(_mcp_error_in(exc) or exc)
            else:
                _log.warning("MCP client session ended: %s", type(exc).__name__)
        finally:
            self._client = None

    async def aclose(self) -> None:
        self._stop.set()
        if self._owner is not None:
            with suppress(Exception):
                await self._owner
        await self._http.aclose()


def _mcp_error_in(exc: BaseException) -> MCPError | None:
    if isinstance(exc, MCPError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if found := _mcp_error_in(inner):
                return found
    return _mcp_error_in(exc.__context__) if exc.__context__ is not None else None


def _transport_error(exc: MCPError) -> Exception:
    if exc.code == _NOT_SENT:
        return McpNotSentError(exc.message)
    if exc.code == _MAYBE_SENT:
        return McpMaybeSentError(exc.message)
    # Any other protocol-level failure (an HTTP error status, a broken answer) means mcp-server is not
    # serving us properly right now; it may have acted, so it is never re-sent.
    _log.warning("MCP error %s: %s", exc.code, exc.message[:200])
    return McpMaybeSentError(f"MCP error {exc.code}")


def _json_from_text(content: list[Any]) -> Any:
    text = "".join(getattr(part, "text", "") for part in content)
    try:
        return json.loads(text)
    except ValueError:
        raise ToolFailedError("tool answered without structured content") from None
