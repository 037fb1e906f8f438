"""The parts of the backend's public API (docs/architecture.md) the suite drives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class User:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up(client: httpx.Client, name: str = "K8s Tester") -> User:
    email = f"k8s-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post(
        "/api/auth/signup", json={"email": email, "password": "correct horse 42", "name": name}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return User(id=body["user"]["id"], email=email, token=body["token"])


def create_task(client: httpx.Client, user: User, title: str, description: str = "") -> dict[str, Any]:
    response = client.post(
        f"/api/{user.id}/tasks", json={"title": title, "description": description}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def list_tasks(client: httpx.Client, user: User, status: str = "all") -> list[dict[str, Any]]:
    response = client.get(f"/api/{user.id}/tasks", params={"status": status}, headers=user.headers)
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return tasks
