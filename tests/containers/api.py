"""A user of the backend's public API (docs/architecture.md#public-http-api-backend), for the tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx2

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class ApiUser:
    base_url: str
    id: str
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(
        self, method: str, path: str, json: Any = None, *, as_user: str | None = None
    ) -> httpx2.Response:
        """`path` is relative to /api/{user_id}; `as_user` addresses another user's path with this token."""
        url = f"{self.base_url}/api/{as_user or self.id}{path}"
        return httpx2.request(method, url, json=json, headers=self.headers, timeout=30)


def sign_up(base_url: str) -> ApiUser:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    response = httpx2.post(
        f"{base_url}/api/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Container Test"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["email"] == email
    return ApiUser(base_url=base_url, id=body["user"]["id"], token=body["token"], email=email)


def add_task(user: ApiUser, title: str, description: str = "") -> dict[str, Any]:
    response = user.request("POST", "/tasks", {"title": title, "description": description})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def task_titles(user: ApiUser) -> list[str]:
    response = user.request("GET", "/tasks")
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]
