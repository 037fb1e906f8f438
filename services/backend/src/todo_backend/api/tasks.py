"""Task routes: each one is an MCP tool call on mcp-server, which owns the task table."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import ValidationError

from ..mcp_tools import TaskNotFoundError, ToolFailedError
from ..schemas import ObjectId, TaskCreate, TaskOut, TaskStatus, TaskUpdate
from .deps import AUTH_ERRORS, BAD_BODY, OwnerId, State, error

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"], responses=AUTH_ERRORS)
TaskId = Annotated[ObjectId, Path(description="The task's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error("No such task for this user")}


async def _call(state: State, tool: str, arguments: dict[str, Any]) -> Any:
    try:
        return await state.tasks.call(tool, arguments)
    except TaskNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except ToolFailedError:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the task service is unavailable, try again"
        ) from None


def _task(payload: Any) -> TaskOut:
    """The Task JSON inside a tool result (`{..., task}`) or the result itself (get_task)."""
    task = payload.get("task", payload) if isinstance(payload, dict) else payload
    try:
        return TaskOut.model_validate(task)
    except ValidationError:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the task service answered badly") from None


@router.get("")
async def list_tasks(
    user_id: OwnerId,
    state: State,
    status_filter: Annotated[TaskStatus, Query(alias="status", description="Which tasks to list")] = "all",
) -> list[TaskOut]:
    result = await _call(state, "list_tasks", {"user_id": str(user_id), "status": status_filter})
    items = result.get("result", []) if isinstance(result, dict) else result
    return [_task(item) for item in items]


@router.post("", status_code=status.HTTP_201_CREATED, responses=BAD_BODY)
async def create_task(user_id: OwnerId, body: TaskCreate, state: State) -> TaskOut:
    arguments: dict[str, Any] = {"user_id": str(user_id), "title": body.title}
    if body.description is not None:
        arguments["description"] = body.description
    return _task(await _call(state, "add_task", arguments))


@router.get("/{task_id}", responses=NOT_FOUND)
async def get_task(user_id: OwnerId, task_id: TaskId, state: State) -> TaskOut:
    return _task(await _call(state, "get_task", {"user_id": str(user_id), "task_id": task_id}))


@router.put("/{task_id}", responses={**NOT_FOUND, **BAD_BODY})
async def update_task(user_id: OwnerId, task_id: TaskId, body: TaskUpdate, state: State) -> TaskOut:
    changes = body.changes()
    if not changes:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give a title or a description to change")
    arguments = {"user_id": str(user_id), "task_id": task_id, **changes}
    return _task(await _call(state, "update_task", arguments))


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(user_id: OwnerId, task_id: TaskId, state: State) -> Response:
    await _call(state, "delete_task", {"user_id": str(user_id), "task_id": task_id})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/{task_id}/complete", responses=NOT_FOUND)
async def toggle_task(user_id: OwnerId, task_id: TaskId, state: State) -> TaskOut:
    """Flip the task between completed and pending."""
    owner = str(user_id)
    current = _task(await _call(state, "get_task", {"user_id": owner, "task_id": task_id}))
    arguments = {"user_id": owner, "task_id": task_id, "completed": not current.completed}
    return _task(await _call(state, "set_task_completion", arguments))
