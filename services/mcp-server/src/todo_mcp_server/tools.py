"""The MCP tools: the task operations an assistant (or the REST backend) may call for one user.

Every tool takes the `user_id` it acts for and never reads or changes another user's tasks. A task
that does not exist or belongs to someone else is reported the same way: `Task <id> not found`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from prometheus_client import Counter
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationError
from todo_common.database import is_database_unavailable

from .models import DESCRIPTION_MAX_LENGTH, SERIAL_MAX, TITLE_MAX_LENGTH, USER_ID_MAX_LENGTH
from .schemas import TaskChange, TaskList, TaskOut
from .tasks import UNSET, StatusFilter, TaskNotFoundError, TaskStore

DATABASE_UNAVAILABLE = "Task database unavailable, try again in a moment."
SERVER_NAME = "todo-mcp-server"
INSTRUCTIONS = (
    "Manage one user's to-do list. Every tool needs the user's id. Use list_tasks to find a task's id "
    "before changing it when the user refers to a task by its title."
)

TOOL_NAMES = frozenset(
    {
        "add_task",
        "list_tasks",
        "get_task",
        "complete_task",
        "delete_task",
        "update_task",
        "set_task_completion",
    }
)
TOOL_CALLS = Counter("mcp_tool_calls_total", "MCP tool calls by tool and outcome", ["tool", "outcome"])

_log = logging.getLogger("todo.mcp.tools")


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here keeps it a clear argument error, not a crash.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


UserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=USER_ID_MAX_LENGTH),
    AfterValidator(_storable),
    Field(description="The id of the user whose tasks these are."),
]
TaskId = Annotated[
    int,
    Field(gt=0, le=SERIAL_MAX, description="The id of the task (a positive integer, see list_tasks)."),
]
_TitleText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH),
    AfterValidator(_storable),
]
_DescriptionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX_LENGTH),
    AfterValidator(_storable),
]
Title = Annotated[_TitleText, Field(description="A short title, 1-200 characters.")]
NewTitle = Annotated[
    _TitleText | None, Field(description="The new title (1-200 characters); omit to keep the current one.")
]
Description = Annotated[
    _DescriptionText | None, Field(description="Optional details, up to 1000 characters.")
]
NewDescription = Annotated[
    _DescriptionText | None,
    Field(description="The new details (up to 1000 characters, empty to remove them); omit to keep them."),
]
Status = Annotated[
    StatusFilter,
    Field(description="Which tasks: all (default), pending (not done yet) or completed."),
]


def _error(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


async def _respond(operation: Awaitable[BaseModel]) -> CallToolResult:
    """Turn the outcome of a task operation into the tool's result: structured content, or an error
    whose text is the whole message (no SDK prefix), so callers and models can read it as it is."""
    try:
        result = await operation
    except TaskNotFoundError as exc:
        return _error(str(exc))
    except Exception as exc:
        if is_database_unavailable(exc):
            _log.warning("database unavailable: %s", type(exc).__name__)
            return _error(DATABASE_UNAVAILABLE)
        raise
    return CallToolResult(
        content=[TextContent(type="text", text=result.model_dump_json())],
        structured_content=result.model_dump(mode="json"),
    )


def invalid_arguments_message(tool: str, error: ValidationError) -> str:
    """One line per rejected argument, naming it and the rule; the rejected value is not echoed back."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        argument = ".".join(str(part) for part in detail["loc"]) or "arguments"
        rule = detail.get("ctx", {}).get("error") if detail["type"] == "value_error" else None
        problems.append(f"{argument}: {rule or detail['msg']}")
    return f"Invalid arguments for {tool}: " + "; ".join(problems)


class TaskToolServer(MCPServer[Any]):
    """The SDK's server, with argument errors reported as one readable line instead of pydantic's dump,
    and every tool call counted and logged (tool, outcome, duration; never the arguments)."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = name if name in TOOL_NAMES else "unknown"
        outcome = "failed"
        started = time.perf_counter()
        try:
            result = await super().call_tool(name, arguments, context)
            outcome = "error" if isinstance(result, CallToolResult) and result.is_error else "ok"
            return result
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(exc, UnexpectedToolError) or not isinstance(cause, ValidationError):
                outcome = "failed" if isinstance(exc, UnexpectedToolError) else "error"
                raise
            outcome = "invalid_arguments"
            raise ToolError(invalid_arguments_message(name, cause)) from cause
        finally:
            TOOL_CALLS.labels(tool, outcome).inc()
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            _log.info(
                "tool %s: %s",
                tool,
                outcome,
                extra={"tool": tool, "outcome": outcome, "duration_ms": duration_ms},
            )


def _description_value(description: str | None) -> str | None:
    return description or None


def build_mcp_server(store: TaskStore) -> TaskToolServer:
    server = TaskToolServer(SERVER_NAME, instructions=INSTRUCTIONS)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
    async def add_task(
        user_id: UserId, title: Title, description: Description = None
    ) -> Annotated[CallToolResult, TaskChange]:
        """Create a new task for the user. Returns the new task with its id and status "created"."""

        async def run() -> TaskChange:
            task = await store.add(user_id, title, _description_value(description))
            return TaskChange.of("created", task)

        return await _respond(run())

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    async def list_tasks(user_id: UserId, status: Status = "all") -> Annotated[CallToolResult, TaskList]:
        """List the user's tasks, newest first, optionally only the pending or only the completed ones.
        Returns {"result": [task, ...]}; each task has its id, title, description and completed flag."""

        async def run() -> TaskList:
            return TaskList(result=await store.list(user_id, status))

        return await _respond(run())

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    async def get_task(user_id: UserId, task_id: TaskId) -> Annotated[CallToolResult, TaskOut]:
        """Get one of the user's tasks by its id."""
        return await _respond(store.get(user_id, task_id))

    @server.tool(
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)
    )
    async def complete_task(user_id: UserId, task_id: TaskId) -> Annotated[CallToolResult, TaskChange]:
        """Mark one of the user's tasks as completed (done). Completing a completed task changes nothing."""

        async def run() -> TaskChange:
            return TaskChange.of("completed", await store.update(user_id, task_id, completed=True))

        return await _respond(run())

    @server.tool(
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True)
    )
    async def delete_task(user_id: UserId, task_id: TaskId) -> Annotated[CallToolResult, TaskChange]:
        """Delete one of the user's tasks for good. Returns the task as it was before deletion."""

        async def run() -> TaskChange:
            return TaskChange.of("deleted", await store.delete(user_id, task_id))

        return await _respond(run())

    @server.tool(
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)
    )
    async def update_task(
        user_id: UserId, task_id: TaskId, title: NewTitle = None, description: NewDescription = None
    ) -> Annotated[CallToolResult, TaskChange]:
        """Change the title and/or the description of one of the user's tasks. Give at least one of them;
        an empty description removes it."""
        if title is None and description is None:
            return _error("Nothing to update: give a new title, a new description or both.")

        async def run() -> TaskChange:
            task = await store.update(
                user_id,
                task_id,
                title=UNSET if title is None else title,
                description=UNSET if description is None else _description_value(description),
            )
            return TaskChange.of("updated", task)

        return await _respond(run())

    @server.tool(
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)
    )
    async def set_task_completion(
        user_id: UserId,
        task_id: TaskId,
        completed: Annotated[
            bool, Field(description="true: mark as completed; false: mark as pending again.")
        ],
    ) -> Annotated[CallToolResult, TaskChange]:
        """Mark one of the user's tasks as completed or as pending (not done) again."""

        async def run() -> TaskChange:
            task = await store.update(user_id, task_id, completed=completed)
            return TaskChange.of("completed" if completed else "pending", task)

        return await _respond(run())

    return server
