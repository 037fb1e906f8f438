"""A conversation with the agent over `POST /v1/respond`, carrying the history like the backend does."""

from __future__ import annotations

from typing import Any

import httpx2


class Chat:
    """One user's conversation with the agent."""

    def __init__(self, client: httpx2.Client, user_id: str) -> None:
        self.client = client
        self.user_id = user_id
        self.history: list[dict[str, str]] = []

    def send(self, message: str, **headers: str) -> dict[str, Any]:
        messages = [*self.history, {"role": "user", "content": message}]
        response = self.client.post(
            "/v1/respond", json={"user_id": self.user_id, "messages": messages}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.history = [*messages, {"role": "assistant", "content": body["response"]}]
        return body


def tools_used(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(call["tool"], call["arguments"]) for call in body["tool_calls"]]
