"""The public REST API on the real stack: accounts, tasks through mcp-server, isolation, validation."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from todo_testing.api import ApiUser
from todo_testing.processes import JWT_SECRET


def _add(api: httpx2.Client, user: ApiUser, title: str, **extra: Any) -> dict[str, Any]:
    response = api.post(f"{user.prefix}/tasks", json={"title": title, **extra}, headers=user.headers)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def test_signup_login_and_me(api: httpx2.Client) -> None:
    email = f"Mixed.Case-{uuid.uuid4().hex[:8]}@Example.COM"
    signup = api.post("/api/auth/signup", json={"email": email, "password": "s3cret-pass", "name": "Ann"})
    assert signup.status_code == 201
    body = signup.json()
    assert body["user"]["email"] == email.lower()
    assert body["user"]["name"] == "Ann"
    assert jwt.decode(body["token"], JWT_SECRET, algorithms=["HS256"])["sub"] == body["user"]["id"]

    # Emails are unique whatever their case.
    again = api.post("/api/auth/signup", json={"email": email.upper(), "password": "other-pass", "name": "B"})
    assert again.status_code == 409

    login = api.post("/api/auth/login", json={"email": email.swapcase(), "password": "s3cret-pass"})
    assert login.status_code == 200
    assert login.json()["user"] == body["user"]
    me = api.get("/api/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert me.status_code == 200
    assert me.json() == body["user"]

    wrong = api.post("/api/auth/login", json={"email": email, "password": "wrong-pass"})
    unknown = api.post("/api/auth/login", json={"email": "nobody@example.com", "password": "s3cret-pass"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong email or password"}


def test_task_crud_toggle_and_filters(api: httpx2.Client, user: ApiUser) -> None:
    milk = _add(api, user, "  Buy milk  ", description="2 litres")
    assert milk["title"] == "Buy milk"
    assert milk["description"] == "2 litres"
    assert milk["completed"] is False
    assert milk["user_id"] == user.id
    assert datetime.fromisoformat(milk["created_at"]).utcoffset() is not None
    bread = _add(api, user, "Buy bread")

    tasks = f"{user.prefix}/tasks"
    listed = api.get(tasks, headers=user.headers).json()
    assert [t["id"] for t in listed] == [bread["id"], milk["id"]]  # newest first

    fetched = api.get(f"{tasks}/{milk['id']}", headers=user.headers)
    assert fetched.json() == milk

    toggled = api.patch(f"{tasks}/{milk['id']}/complete", headers=user.headers)
    assert toggled.status_code == 200
    assert toggled.json()["completed"] is True
    assert [t["id"] for t in api.get(tasks, params={"status": "completed"}, headers=user.headers).json()] == [
        milk["id"]
    ]
    assert [t["id"] for t in api.get(tasks, params={"status": "pending"}, headers=user.headers).json()] == [
        bread["id"]
    ]
    assert api.patch(f"{tasks}/{milk['id']}/complete", headers=user.headers).json()["completed"] is False

    updated = api.put(f"{tasks}/{bread['id']}", json={"title": "Buy rye bread"}, headers=user.headers)
    assert updated.status_code == 200
    assert updated.json()["title"] == "Buy rye bread"
    assert updated.json()["description"] is None
    described = api.put(
        f"{tasks}/{bread['id']}", json={"description": "from the bakery"}, headers=user.headers
    )
    assert described.json()["title"] == "Buy rye bread"
    assert described.json()["description"] == "from the bakery"

    assert api.delete(f"{tasks}/{bread['id']}", headers=user.headers).status_code == 204
    assert api.get(f"{tasks}/{bread['id']}", headers=user.headers).status_code == 404
    assert api.delete(f"{tasks}/{bread['id']}", headers=user.headers).status_code == 404
    assert [t["id"] for t in api.get(tasks, headers=user.headers).json()] == [milk["id"]]


def test_authentication_is_required(api: httpx2.Client, user: ApiUser) -> None:
    expired = jwt.encode({"sub": user.id, "exp": 1}, JWT_SECRET, algorithm="HS256")
    forged = jwt.encode({"sub": user.id, "exp": 9999999999}, "f" * 32, algorithm="HS256")
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Basic {user.token}"},
    ):
        for method, path in (
            ("GET", f"{user.prefix}/tasks"),
            ("GET", "/api/auth/me"),
            ("POST", f"{user.prefix}/chat"),
        ):
            response = api.request(method, path, headers=headers, json={"message": "hi"})
            assert response.status_code == 401, (headers, path)
            assert response.headers["www-authenticate"] == "Bearer"


def test_users_are_isolated(api: httpx2.Client, user: ApiUser, other_user: ApiUser) -> None:
    mine = _add(api, user, "Private task")
    theirs_path = f"{other_user.prefix}/tasks"
    # My token on their path: 403, whatever the route.
    for method, path in (
        ("GET", theirs_path),
        ("POST", theirs_path),
        ("GET", f"{theirs_path}/{mine['id']}"),
        ("GET", f"{other_user.prefix}/conversations"),
        ("POST", f"{other_user.prefix}/chat"),
    ):
        response = api.request(method, path, headers=user.headers, json={"title": "x", "message": "x"})
        assert response.status_code == 403, (method, path)
    # Their token, their path, my task id: 404, and my task is untouched.
    other = other_user.headers
    mine_via_them = f"{theirs_path}/{mine['id']}"
    assert api.get(mine_via_them, headers=other).status_code == 404
    assert api.put(mine_via_them, json={"title": "hijacked"}, headers=other).status_code == 404
    assert api.patch(f"{mine_via_them}/complete", headers=other).status_code == 404
    assert api.delete(mine_via_them, headers=other).status_code == 404
    assert api.get(theirs_path, headers=other).json() == []
    assert api.get(f"{user.prefix}/tasks/{mine['id']}", headers=user.headers).json() == mine


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/tasks", {"title": ""}),
        ("POST", "/tasks", {"title": "   "}),
        ("POST", "/tasks", {"title": "x" * 201}),
        ("POST", "/tasks", {"title": "ok", "description": "d" * 1001}),
        ("POST", "/tasks", {"title": "ok", "completed": True}),
        ("POST", "/tasks", {"title": "nul\u0000byte"}),
        ("POST", "/tasks", {}),
        ("PUT", "/tasks/1", {}),
        ("PUT", "/tasks/1", {"title": "ok", "owner": "me"}),
        ("GET", "/tasks/0", None),
        ("GET", "/tasks/abc", None),
        ("GET", "/tasks/99999999999", None),
        ("GET", "/tasks?status=done", None),
        ("POST", "/chat", {"message": ""}),
        ("POST", "/chat", {"message": "x" * 4001}),
        ("POST", "/chat", {"message": "hi", "extra": 1}),
        ("POST", "/chat", {"message": "nul\u0000byte"}),
        ("POST", "/chat", {"message": "hi", "conversation_id": "one"}),
    ],
)
def test_invalid_input_is_422(
    api: httpx2.Client, user: ApiUser, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.request(method, user.prefix + path, json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_invalid_user_id_in_path(api: httpx2.Client, user: ApiUser) -> None:
    assert api.get("/api/not-a-uuid/tasks", headers=user.headers).status_code == 422
    assert api.get("/api/not-a-uuid/tasks").status_code == 401


def test_signup_validation(api: httpx2.Client) -> None:
    for body in (
        {"email": "nope", "password": "12345678", "name": "A"},
        {"email": "a@example.com", "password": "short", "name": "A"},
        {"email": "a@example.com", "password": "12345678", "name": ""},
        {"email": "a@example.com", "password": "12345678", "name": "A", "role": "admin"},
    ):
        assert api.post("/api/auth/signup", json=body).status_code == 422


def test_body_over_64_kib_is_413(api: httpx2.Client, user: ApiUser) -> None:
    big = {"title": "x", "description": "d" * (65 * 1024)}
    response = api.post(f"{user.prefix}/tasks", json=big, headers=user.headers)
    assert response.status_code == 413
    assert api.get(f"{user.prefix}/tasks", headers=user.headers).json() == []


def test_openapi_declares_models_and_errors(api: httpx2.Client) -> None:
    document = api.get("/openapi.json").json()
    paths = document["paths"]
    expected = {
        "/api/auth/signup": {"post"},
        "/api/auth/login": {"post"},
        "/api/auth/me": {"get"},
        "/api/{user_id}/tasks": {"get", "post"},
        "/api/{user_id}/tasks/{task_id}": {"get", "put", "delete"},
        "/api/{user_id}/tasks/{task_id}/complete": {"patch"},
        "/api/{user_id}/chat": {"post"},
        "/api/{user_id}/conversations": {"get"},
        "/api/{user_id}/conversations/{conversation_id}/messages": {"get"},
    }
    assert {path: set(ops) for path, ops in paths.items()} == expected
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.startswith("/api/{user_id}"):
                assert {"401", "403", "422", "503"} <= codes, (method, path)
                assert operation.get("security"), (method, path)
            if "{task_id}" in path or "{conversation_id}" in path or path.endswith("/chat"):
                assert "404" in codes, (method, path)
            success = next(code for code in codes if code.startswith("2"))
            if success != "204":
                assert operation["responses"][success]["content"]["application/json"]["schema"], (
                    method,
                    path,
                )
    assert paths["/api/auth/signup"]["post"]["responses"].keys() >= {"201", "409", "422"}
    assert paths["/api/{user_id}/tasks"]["post"]["responses"].keys() >= {"201"}
    assert paths["/api/{user_id}/tasks/{task_id}"]["delete"]["responses"].keys() >= {"204"}


def test_health_and_request_id(api: httpx2.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").json() == {"status": "ready"}
    response = api.get("/api/auth/me", headers={"X-Request-ID": "trace-backend-1"})
    assert response.headers["x-request-id"] == "trace-backend-1"
    assert "http_requests_total" in api.get("/metrics").text


def test_concurrent_requests_share_one_mcp_session(api: httpx2.Client, user: ApiUser) -> None:
    titles = {f"parallel {n}" for n in range(24)}
    with ThreadPoolExecutor(max_workers=12) as pool:
        created = list(pool.map(lambda title: _add(api, user, title), sorted(titles)))
    assert len({task["id"] for task in created}) == len(titles)
    assert {t["title"] for t in api.get(f"{user.prefix}/tasks", headers=user.headers).json()} == titles


def test_logs_hold_no_password_or_token(api: httpx2.Client, backend_logs: Path, user: ApiUser) -> None:
    assert (
        api.post("/api/auth/login", json={"email": user.email, "password": user.password}).status_code == 200
    )
    assert api.get("/api/auth/me", headers=user.headers).status_code == 200
    assert (
        api.post("/api/auth/login", json={"email": user.email, "password": "wrong-password"}).status_code
        == 401
    )
    text = "".join(path.read_text() for path in backend_logs.glob("*.log"))
    assert "/api/auth/login" in text  # the access log is there
    for secret in (user.password, "wrong-password", user.token, user.token.split(".")[2]):
        assert secret not in text
