"""The task logic: every read and write of the task table, always scoped to one user.

Statements run on SQLAlchemy Core connections and rows become `TaskOut` directly: building ORM
instances (identity map, SQLModel objects) for every row cost more than the query itself (measured:
most of a 50-task `list_tasks`). Statements are built once with bound parameters (an update's SET clause
varies, so it is built per call): building a statement and its cache key at each call was a fifth of an
empty `list_tasks`'s CPU in the engine (measured).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Executable, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from .models import Task
from .schemas import TaskOut

StatusFilter = Literal["all", "pending", "completed"]

_TASK = Task.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
_COLUMNS = tuple(_TASK.columns)
# "owner", not "user_id": SQLAlchemy reserves a column's own name for the SET clause of an update.
_OF_USER = col(Task.user_id) == bindparam("owner")
_THE_TASK = (col(Task.id) == bindparam("task_id"), _OF_USER)
_NEWEST_FIRST = (col(Task.created_at).desc(), col(Task.id).desc())

_LIST_ALL = select(*_COLUMNS).where(_OF_USER).order_by(*_NEWEST_FIRST)
_LIST_BY_COMPLETION = (
    select(*_COLUMNS).where(_OF_USER, col(Task.completed) == bindparam("completed")).order_by(*_NEWEST_FIRST)
)
_GET = select(*_COLUMNS).where(*_THE_TASK)
_INSERT = insert(_TASK).returning(*_COLUMNS)
_DELETE = delete(_TASK).where(*_THE_TASK).returning(*_COLUMNS)


def _task_of(user_id: str, task_id: int) -> dict[str, Any]:
    """The parameters of `_THE_TASK`."""
    return {"owner": user_id, "task_id": task_id}


class TaskNotFoundError(LookupError):
    """No task with this id belongs to this user (whether it does not exist or is someone else's)."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class _Unset:
    """Marks an update field the caller did not give, as opposed to one given as None."""


UNSET = _Unset()


class TaskStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user_id: str, title: str, description: str | None) -> TaskOut:
        parameters = {"user_id": user_id, "title": title, "description": description, "completed": False}
        return await self._write_one(_INSERT, parameters, task_id=None)

    async def list(self, user_id: str, status: StatusFilter) -> list[TaskOut]:
        parameters: dict[str, Any] = {"owner": user_id}
        statement = _LIST_ALL
        if status != "all":
            statement, parameters["completed"] = _LIST_BY_COMPLETION, status == "completed"
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement, parameters)).all()
        return TaskOut.from_rows(rows)

    async def get(self, user_id: str, task_id: int) -> TaskOut:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_GET, _task_of(user_id, task_id))).one_or_none()
        if row is None:
            raise TaskNotFoundError(task_id)
        return TaskOut.from_row(row)

    async def update(
        self,
        user_id: str,
        task_id: int,
        *,
        title: str | _Unset = UNSET,
        description: str | _Unset | None = UNSET,
        completed: bool | _Unset = UNSET,
    ) -> TaskOut:
        changes: dict[str, object] = {"updated_at": func.now()}
        if not isinstance(title, _Unset):
            changes["title"] = title
        if not isinstance(description, _Unset):
            changes["description"] = description
        if not isinstance(completed, _Unset):
            changes["completed"] = completed
        statement = update(_TASK).where(*_THE_TASK).values(changes).returning(*_COLUMNS)
        return await self._write_one(statement, _task_of(user_id, task_id), task_id=task_id)

    async def delete(self, user_id: str, task_id: int) -> TaskOut:
        return await self._write_one(_DELETE, _task_of(user_id, task_id), task_id=task_id)

    async def _write_one(
        self, statement: Executable, parameters: dict[str, Any], *, task_id: int | None
    ) -> TaskOut:
        async with self._engine.begin() as connection:
            row: Any = (await connection.execute(statement, parameters)).one_or_none()
        if row is None:
            assert task_id is not None  # an INSERT … RETURNING always returns its row
            raise TaskNotFoundError(task_id)
        return TaskOut.from_row(row)
