"""A user of the backend's public API (docs/architecture.md#public-http-api-backend): accounts, tasks and
chat, over an `httpx2.Client` whose base URL is the backend (or the web app's BFF, which serves the same
routes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx2

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class ApiUser:
    id: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def prefix(self) -> str:
        """The root of this user's routes: /api/{user_id}."""
        return f"/api/{self.id}"


def sign_up(client: httpx2.Client, name: str = "Test User", *, password: str = PASSWORD) -> ApiUser:
    """A brand-new account (unique email) through POST /api/auth/signup."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/api/auth/signup", json={"email": email, "password": password, "name": name})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["user"]["email"] == email
    return ApiUser(id=body["user"]["id"], email=email, password=password, token=body["token"])


def sign_in(client: httpx2.Client, email: str, password: str) -> httpx2.Response:
    """POST /api/auth/login, answered as it is (the caller checks the status)."""
    return client.post("/api/auth/login", json={"email": email, "password": password})


def request(
    client: httpx2.Client, user: ApiUser, method: str, path: str, json: Any = None, *, as_user: str = ""
) -> httpx2.Response:
    """`path` is relative to /api/{user_id}; `as_user` addresses another user's routes with this token."""
    return client.request(method, f"/api/{as_user or user.id}{path}", json=json, headers=user.headers)


def create_task(client: httpx2.Client, user: ApiUser, title: str, description: str = "") -> dict[str, Any]:
    response = request(client, user, "POST", "/tasks", {"title": title, "description": description})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def list_tasks(client: httpx2.Client, user: ApiUser, status: str = "all") -> list[dict[str, Any]]:
    response = request(client, user, "GET", f"/tasks?status={status}")
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return tasks


def task_titles(client: httpx2.Client, user: ApiUser) -> list[str]:
    return [task["title"] for task in list_tasks(client, user)]


def chat(client: httpx2.Client, user: ApiUser, message: str) -> dict[str, Any]:
    """One chat turn (POST /api/{user_id}/chat) that must succeed; returns the turn."""
    response = request(client, user, "POST", "/chat", {"message": message})
    assert response.status_code == 200, response.text
    turn: dict[str, Any] = response.json()
    return turn
