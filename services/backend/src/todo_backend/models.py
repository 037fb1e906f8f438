"""The tables the backend owns: app_user, conversation and message (the task table belongs to mcp-server)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp() -> Any:
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), nullable=False)


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored normalised (trimmed, lower case), so the unique index makes emails case-insensitively unique.
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    created_at: datetime = _timestamp()


class Conversation(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_user_updated", "user_id", "updated_at"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    user_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    )
    title: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_conversation_id", "conversation_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    conversation_id: int = Field(
        sa_column=Column(ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: str = Field(sa_column=Column(String(16), nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))
    tool_calls: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    created_at: datetime = _timestamp()


# The tables this service owns and migrates (SQLModel.metadata may also hold other services' tables).
OWNED_TABLES = (AppUser.__tablename__, Conversation.__tablename__, Message.__tablename__)
