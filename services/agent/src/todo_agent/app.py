"""The HTTP API: `POST /v1/respond` runs one chat turn; plus the operational routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import openai
from agents import AgentsException, set_tracing_disabled
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from starlette.requests import Request
from starlette.types import ASGIApp
from todo_common.health import operational_routes
from todo_common.middleware import protect
from todo_common.resilience import DependencyUnavailableError

from .assistant import Assistant, ChatTurn
from .config import AgentSettings
from .llm import build_model
from .tools import TaskService

MAX_MESSAGES = 50
MAX_CONTENT_CHARS = 4000
# 50 messages of 4000 characters fit even when every character is an escaped emoji (12 bytes).
MAX_BODY_BYTES = 4 * 1024 * 1024
TASKS_UNAVAILABLE = "the task service is unavailable, try again"

_log = logging.getLogger("todo.agent")


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_CONTENT_CHARS)


class RespondRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    messages: list[Message] = Field(min_length=1, max_length=MAX_MESSAGES)

    @model_validator(mode="after")
    def _ends_with_the_users_message(self) -> RespondRequest:
        last = self.messages[-1]
        if last.role != "user":
            raise ValueError("the last message must be the user's")
        if not last.content.strip():
            raise ValueError("the user's message must not be empty")
        return self


class ToolCallOut(BaseModel):
    tool: str
    arguments: dict[str, Any]
    result: dict[str, Any]


class RespondResponse(BaseModel):
    response: str
    tool_calls: list[ToolCallOut]


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def create_app(assistant: Assistant, tasks: TaskService) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await tasks.close()

    app = FastAPI(title="Todo agent", version="1", lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.post("/v1/respond", response_model=RespondResponse)
    async def respond(body: RespondRequest) -> RespondResponse:
        conversation = [ChatTurn(message.role, message.content) for message in body.messages]
        reply = await assistant.respond(body.user_id, conversation)
        return RespondResponse(
            response=reply.response,
            tool_calls=[
                ToolCallOut(tool=call.tool, arguments=call.arguments, result=call.result)
                for call in reply.tool_calls
            ],
        )

    @app.exception_handler(DependencyUnavailableError)
    async def tasks_unavailable(_: Request, exc: DependencyUnavailableError) -> JSONResponse:
        _log.warning("task service unavailable: %s", exc.reason)
        return _error(503, TASKS_UNAVAILABLE)

    @app.exception_handler(openai.APIConnectionError)  # includes timeouts
    async def llm_unreachable(_: Request, exc: openai.APIConnectionError) -> JSONResponse:
        _log.warning("language model endpoint unreachable: %s", type(exc).__name__)
        return _error(503, "the language model is unavailable, try again")

    @app.exception_handler(openai.APIStatusError)
    async def llm_failed(_: Request, exc: openai.APIStatusError) -> JSONResponse:
        _log.warning("language model endpoint answered HTTP %d", exc.status_code)
        return _error(502, f"the language model endpoint failed (HTTP {exc.status_code})")

    @app.exception_handler(AgentsException)
    async def run_failed(request: Request, exc: AgentsException) -> JSONResponse:
        cause = exc.__cause__
        if isinstance(cause, DependencyUnavailableError):
            return await tasks_unavailable(request, cause)
        # The type only: the message can quote what the model or the user wrote.
        _log.warning("the assistant run failed: %s", type(exc).__name__)
        return _error(502, "the assistant could not complete this request, try rephrasing it")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        _log.error("unexpected error in a chat turn", exc_info=exc)
        return _error(500, "internal error")

    app.router.routes.extend(operational_routes({}))
    return app


def build_app(settings: AgentSettings) -> ASGIApp:
    # Nothing is sent to OpenAI's tracing service, whichever model runs.
    set_tracing_disabled(True)
    tasks = TaskService(settings.mcp_server_url, settings.internal_token.get_secret_value())
    app = create_app(Assistant(build_model(settings), tasks), tasks)
    return protect(
        app,
        max_body_bytes=MAX_BODY_BYTES,
        internal_token=settings.internal_token.get_secret_value(),
        protected_prefixes=("/v1/",),
    )
