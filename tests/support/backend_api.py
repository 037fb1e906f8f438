"""Accounts and authenticated calls against a running backend, for tests and benchmarks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx2


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


def sign_up(client: httpx2.Client, *, name: str = "Test User", password: str = "correct horse 1") -> ApiUser:  # noqa: S107 - test account
    """A brand-new account (unique email) through POST /api/auth/signup."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/api/auth/signup", json={"email": email, "password": password, "name": name})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return ApiUser(id=body["user"]["id"], email=email, password=password, token=body["token"])
