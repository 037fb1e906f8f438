"""Request and response bodies of the public API; request bodies reject unknown fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


# PostgreSQL text cannot hold NUL characters: refuse them at the door rather than fail when storing.
NO_NUL = r"^[^\x00]*$"
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
Description = Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
ChatText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=NO_NUL)
]
# Task and conversation ids are PostgreSQL integers; anything outside that range cannot exist.
ObjectId = Annotated[int, Field(ge=1, le=2_147_483_647)]
TaskStatus = Literal["all", "pending", "completed"]


def normalise_email(email: str) -> str:
    return email.strip().lower()


class SignupRequest(RequestBody):
    email: EmailStr = Field(max_length=320)
    password: Password
    name: Name

    @field_validator("email", mode="after")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_email(value)


class LoginRequest(RequestBody):
    email: EmailStr = Field(max_length=320)
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]

    @field_validator("email", mode="after")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_email(value)


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str


class AuthResponse(BaseModel):
    token: str
    user: UserOut


class TaskCreate(RequestBody):
    title: Title
    description: Description | None = None


class TaskUpdate(RequestBody):
    """PUT body: the fields to change (at least one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    title: Title | None = None
    description: Description | None = None

    def changes(self) -> dict[str, str]:
        return {key: value for key, value in self.model_dump(exclude_none=True).items()}


class TaskOut(BaseModel):
    id: int
    user_id: uuid.UUID
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime


class ChatRequest(RequestBody):
    conversation_id: ObjectId | None = None
    message: ChatText


class ToolCall(BaseModel):
    tool: str
    arguments: dict[str, Any]
    result: Any


class ChatResponse(BaseModel):
    conversation_id: int
    response: str
    tool_calls: list[ToolCall]


class ConversationOut(BaseModel):
    id: int
    title: str
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    id: int
    role: Literal["user", "assistant"]
    content: str
    tool_calls: list[ToolCall] | None
    created_at: datetime


class ErrorOut(BaseModel):
    detail: Any


class ChatUnavailableOut(BaseModel):
    detail: str
    conversation_id: int | None = Field(
        default=None, description="The conversation holding the stored message; retry into it."
    )
