"""What the tools return: the Task JSON of the public API and the tools' structured results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator


class TaskOut(BaseModel):
    """A task as every client sees it; timestamps are ISO-8601 in UTC.

    This is the shape the tools' output schemas publish, and the SDK validates every structured result
    against it once more before sending it: it has no Python validators, so that second pass stays in
    pydantic-core (for a list of 550 tasks the per-timestamp Python calls were a tenth of the call's CPU,
    measured). Tasks are made from result rows by `from_row`/`from_rows`, which convert to UTC.
    """

    model_config = ConfigDict(frozen=True)

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> TaskOut:
        """From anything with the task's columns as attributes (a result row)."""
        return _TaskFromRow.model_validate(row, from_attributes=True)

    @classmethod
    def from_rows(cls, rows: Sequence[Any]) -> list[TaskOut]:
        """`from_row` for each row, in one validation call."""
        return list(_TASKS_FROM_ROWS.validate_python(rows, from_attributes=True))


class _TaskFromRow(TaskOut):
    """A task read from the database (serialized exactly as `TaskOut`: same fields)."""

    @field_validator("created_at", "updated_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # PostgreSQL hands back timestamptz in the session's time zone; the contract is UTC.
        return value.astimezone(UTC)


_TASKS_FROM_ROWS = TypeAdapter(list[_TaskFromRow])


class TaskChange(BaseModel):
    """The result of a tool that changed one task: which task, what happened, and the task itself."""

    task_id: int = Field(description="The id of the task that changed")
    status: Literal["created", "completed", "pending", "updated", "deleted"] = Field(
        description="What happened to the task"
    )
    title: str = Field(description="The task's title")
    task: TaskOut = Field(description="The task after the change (for delete_task: as it was)")

    @classmethod
    def of(
        cls, status: Literal["created", "completed", "pending", "updated", "deleted"], task: TaskOut
    ) -> TaskChange:
        return cls(task_id=task.id, status=status, title=task.title, task=task)


class TaskList(BaseModel):
    """The tasks of one user, newest first."""

    result: list[TaskOut]
