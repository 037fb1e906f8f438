"""The MCP task tools as the agent uses them: one shared connection, bound to one user per request.

The model never sees or chooses `user_id`: `UserBoundTools` removes it from every tool schema it lists
and sets it on every call it forwards, overwriting whatever the model sent.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx2
from agents.mcp import MCPServer, MCPServerStreamableHttp, create_static_tool_filter
from agents.mcp.util import HttpClientFactory
from agents.run_context import RunContextWrapper
from mcp.types import CallToolRequest, CallToolRequestParams, CallToolResult, TextContent, Tool
from todo_common.http import internal_client
from todo_common.resilience import CircuitBreaker, DependencyUnavailableError, call_dependency

PHASE_III_TOOLS = ("add_task", "list_tasks", "complete_task", "delete_task", "update_task")
# Plus marking a task as not done again (what "undo" of a completion needs).
ASSISTANT_TOOLS = (*PHASE_III_TOOLS, "set_task_completion")
BOUND_ARGUMENT = "user_id"
DEPENDENCY = "mcp-server"
# The default MCP client session timeout is 5 s: too short for a database under load.
SESSION_TIMEOUT_SECONDS = 30.0
HTTP_TIMEOUTS = httpx2.Timeout(SESSION_TIMEOUT_SECONDS, connect=2.0)
_CLEANUP_TIMEOUT_SECONDS = 5.0

_log = logging.getLogger("todo.agent.tools")


class TaskServiceUnavailableError(DependencyUnavailableError):
    """The MCP server could not be reached or stopped answering during a run."""

    def __init__(self, reason: str) -> None:
        super().__init__(DEPENDENCY, reason)


def _http_client_factory(internal_token: str) -> HttpClientFactory:
    def create(headers: dict[str, str] | None = None, timeout: Any = None, auth: Any = None) -> Any:
        # todo_common's client carries the bearer token and forwards X-Request-ID of the request
        # being served (the MCP client sends each message in its sender's context). Our timeouts
        # replace the SDK's single value so that an unreachable server fails within seconds.
        return internal_client(internal_token, timeout=HTTP_TIMEOUTS)

    return create


class TaskService:
    """One long-lived MCP session to the mcp-server, shared by all requests of the process.

    Connecting costs round trips, so the session and its tool list are reused. A session whose
    transport failed cannot recover, so it is dropped and the next request connects again; the
    circuit breaker makes a dead mcp-server fail fast.
    """

    def __init__(self, url: str, internal_token: str) -> None:
        self._url = url
        self._internal_token = internal_token
        self._server: MCPServerStreamableHttp | None = None
        self._lock = asyncio.Lock()
        self._visible_tools: tuple[MCPServerStreamableHttp, list[Tool]] | None = None
        self.breaker = CircuitBreaker(DEPENDENCY)

    def _new_server(self) -> MCPServerStreamableHttp:
        return MCPServerStreamableHttp(
            params={
                "url": self._url,
                "timeout": SESSION_TIMEOUT_SECONDS,
                "sse_read_timeout": SESSION_TIMEOUT_SECONDS,
                "httpx_client_factory": _http_client_factory(self._internal_token),
            },
            name="todo-tasks",
            cache_tools_list=True,
            client_session_timeout_seconds=SESSION_TIMEOUT_SECONDS,
            tool_filter=create_static_tool_filter(allowed_tool_names=list(ASSISTANT_TOOLS)),
            use_structured_content=True,
        )

    async def _connect(self) -> MCPServerStreamableHttp:
        server = self._new_server()
        try:
            await server.connect()  # type: ignore[no-untyped-call]  # untyped in the SDK
            await server.list_tools()  # fills the cache once per session
        except BaseException:
            await _cleanup_quietly(server)
            raise
        return server

    async def session(self) -> MCPServerStreamableHttp:
        server = self._server
        if server is not None:
            return server
        async with self._lock:
            if self._server is None:
                # Connecting is idempotent, so every kind of failure may be retried.
                self._server = await call_dependency(
                    self._connect,
                    breaker=self.breaker,
                    retry_on=(Exception,),
                    unavailable_on=(Exception,),
                    attempts=2,
                )
                _log.info("connected to the mcp-server")
            return self._server

    async def visible_tools(self, server: MCPServerStreamableHttp) -> list[Tool]:
        """The session's allowed tools as the model sees them; computed once per session, since
        copying and rewriting the schemas on every turn costs more than the rest of a builtin turn."""
        cached = self._visible_tools
        if cached is None or cached[0] is not server:
            tools = [hide_bound_argument(tool) for tool in await server.list_tools()]
            cached = self._visible_tools = (server, tools)
        return list(cached[1])

    async def discard(self, server: MCPServerStreamableHttp) -> None:
        """Forget a session whose transport failed; the next request connects again."""
        self.breaker.record_failure()
        if self._server is server:
            self._server = self._visible_tools = None
            await _cleanup_quietly(server)

    def record_success(self) -> None:
        self.breaker.record_success()

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await _cleanup_quietly(server)


async def _cleanup_quietly(server: MCPServerStreamableHttp) -> None:
    try:
        await asyncio.wait_for(server.cleanup(), _CLEANUP_TIMEOUT_SECONDS)  # type: ignore[no-untyped-call]
    except Exception as exc:  # a broken transport may fail to close; it is dropped either way
        _log.debug("closing an MCP session failed: %s", type(exc).__name__)


def hide_bound_argument(tool: Tool) -> Tool:
    """The tool as the model sees it: without `user_id` in its properties or `required`."""
    schema = copy.deepcopy(tool.input_schema)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        properties.pop(BOUND_ARGUMENT, None)
    required = schema.get("required")
    if isinstance(required, list):
        schema["required"] = [name for name in required if name != BOUND_ARGUMENT]
    return tool.model_copy(update={"input_schema": schema})


@dataclass(frozen=True)
class ToolCallRecord:
    tool: str
    arguments: dict[str, Any]
    result: dict[str, Any]


def structured_result(result: CallToolResult) -> dict[str, Any]:
    """The tool's structured result, or `{"error": text}` for a tool error."""
    text = " ".join(item.text for item in result.content if isinstance(item, TextContent)).strip()
    if result.is_error:
        return {"error": text or "the tool failed"}
    if result.structured_content is not None:
        return dict(result.structured_content)
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"result": parsed}


def _tool_error(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


class UserBoundTools(MCPServer):
    """The task tools for one request: `user_id` is the request's, never the model's.

    It lives for one run and records every call it forwards, with the arguments the model chose
    and the tool's structured result.
    """

    def __init__(self, service: TaskService, session: MCPServerStreamableHttp, user_id: str) -> None:
        # failure_error_function=None: a transport failure aborts the run (the caller answers 503)
        # instead of being shown to the model as a tool result.
        super().__init__(use_structured_content=True, failure_error_function=None)
        self._service = service
        self._session = session
        self._user_id = user_id
        self.calls: list[ToolCallRecord] = []

    @property
    def name(self) -> str:
        return "todo-tasks"

    async def connect(self) -> None:
        """The shared session is connected by TaskService."""

    async def cleanup(self) -> None:
        """The shared session outlives the run."""

    async def list_tools(
        self, run_context: RunContextWrapper[Any] | None = None, agent: Any = None
    ) -> list[Tool]:
        try:
            return await self._service.visible_tools(self._session)
        except Exception as exc:
            await self._service.discard(self._session)
            raise TaskServiceUnavailableError(type(exc).__name__) from exc

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> CallToolResult:
        if tool_name not in ASSISTANT_TOOLS:
            raise ValueError(f"tool {tool_name!r} is not offered to the assistant")
        chosen = {key: value for key, value in (arguments or {}).items() if key != BOUND_ARGUMENT}
        missing = await self._missing_arguments(tool_name, chosen)
        if missing:
            # The model's mistake, answered like any tool error so it can correct itself; checked here
            # so that every exception of the forwarded call below means the transport failed.
            result = _tool_error(f"Missing required argument(s): {', '.join(missing)}")
            self.calls.append(ToolCallRecord(tool_name, chosen, structured_result(result)))
            return result
        bound = {**chosen, BOUND_ARGUMENT: self._user_id}
        try:
            result = await self._forward(tool_name, bound, meta)
        except Exception as exc:
            await self._service.discard(self._session)
            raise TaskServiceUnavailableError(type(exc).__name__) from exc
        self._service.record_success()
        self.calls.append(ToolCallRecord(tool_name, chosen, structured_result(result)))
        return result

    async def _forward(
        self, tool_name: str, arguments: dict[str, Any], meta: dict[str, Any] | None
    ) -> CallToolResult:
        """The call as `tools/call` on the shared MCP session. Not via the SDK's `call_tool`: that
        re-validates every result against the tool's output schema in pure Python (jsonschema), which
        was a fifth of the agent's CPU in a turn listing 50 tasks (measured). These are our own
        server's results; the model is handed the same `CallToolResult` either way."""
        session = self._session.session
        if session is None:
            raise ConnectionError("the MCP session is not connected")
        request = CallToolRequest(
            params=CallToolRequestParams(name=tool_name, arguments=arguments, _meta=meta)
        )
        return await session.send_request(request, CallToolResult)

    async def _missing_arguments(self, tool_name: str, arguments: dict[str, Any]) -> list[str]:
        tools = await self.list_tools()
        schema = next((tool.input_schema for tool in tools if tool.name == tool_name), {})
        required = schema.get("required", [])
        return [name for name in required if isinstance(name, str) and name not in arguments]

    async def list_prompts(self) -> Any:
        raise NotImplementedError("the task server offers tools only")

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError("the task server offers tools only")
