"""What the tools return: the Task JSON of the public API and the tools' structured results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class TaskOut(BaseModel):
    """A task as every client sees it; timestamps are ISO-8601 in UTC."""

    model_config = ConfigDict(frozen=True)

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime

    @field_validator("created_at", "updated_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # PostgreSQL hands back timestamptz in the session's time zone; the contract is UTC.
        return value.astimezone(UTC)

    @classmethod
    def from_row(cls, row: Any) -> TaskOut:
        """From anything with the task's columns as attributes (a result row)."""
        return cls.model_validate(row, from_attributes=True)


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
