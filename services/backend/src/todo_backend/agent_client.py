"""The call to the agent service: `POST /v1/respond` with a conversation's history."""

from __future__ import annotations

import logging
import uuid
from typing import Literal

import httpx2
from pydantic import BaseModel, ValidationError
from todo_common.http import CONNECT_ERRORS, TRANSPORT_ERRORS, internal_client
from todo_common.resilience import CircuitBreaker, DependencyUnavailableError, call_dependency

from .schemas import ToolCall

_log = logging.getLogger("todo.agent")


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AgentReply(BaseModel):
    response: str
    tool_calls: list[ToolCall]


class AgentUnavailableError(DependencyUnavailableError):
    """The agent could not produce a reply; `detail` says why in words a user understands."""

    def __init__(self, reason: str, detail: str = "the assistant is unavailable, try again") -> None:
        super().__init__("agent", reason)
        self.detail = detail


class AgentClient:
    def __init__(self, base_url: str, internal_token: str, *, timeout: float = 60.0) -> None:
        self._http = internal_client(
            internal_token, base_url=base_url.rstrip("/"), timeout=httpx2.Timeout(timeout, connect=1.0)
        )
        self.breaker = CircuitBreaker("agent", failure_threshold=3, reset_after=2.0)

    async def respond(self, user_id: uuid.UUID, history: list[HistoryMessage]) -> AgentReply:
        """The agent's reply; DependencyUnavailableError when the agent cannot answer."""
        payload = {"user_id": str(user_id), "messages": [m.model_dump() for m in history]}

        async def post() -> httpx2.Response:
            return await self._http.post("/v1/respond", json=payload)

        try:
            response = await call_dependency(
                post, breaker=self.breaker, retry_on=CONNECT_ERRORS, unavailable_on=TRANSPORT_ERRORS
            )
        except DependencyUnavailableError as exc:
            raise AgentUnavailableError(exc.reason) from exc
        if response.status_code != 200:
            _log.warning("agent answered %d", response.status_code)
            raise AgentUnavailableError(f"status {response.status_code}", _detail(response))
        try:
            return AgentReply.model_validate_json(response.content)
        except ValidationError:
            _log.warning("agent answered with an unexpected body")
            raise AgentUnavailableError("unexpected answer") from None

    async def aclose(self) -> None:
        await self._http.aclose()


def _detail(response: httpx2.Response) -> str:
    """The agent's own explanation of a failure (e.g. "the task service is unavailable, try again")."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and 0 < len(detail) <= 200:
        return detail
    return "the assistant could not answer, try again"
