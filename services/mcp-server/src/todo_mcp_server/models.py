"""The task table, owned by this service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, func
from sqlmodel import Field, SQLModel

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000
USER_ID_MAX_LENGTH = 64
SERIAL_MAX = 2**31 - 1  # the id column is a PostgreSQL serial (int4)


class Task(SQLModel, table=True):
    """One to-do item of one user."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_user_id_completed", "user_id", "completed"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=USER_ID_MAX_LENGTH, index=True)
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    completed: bool = Field(default=False)
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


# The tables this service owns and migrates (SQLModel.metadata may also hold other services' tables).
OWNED_TABLES = (Task.__tablename__,)
