"""The phase III contract against the deployed system, through `kubectl port-forward` on loopback."""

from __future__ import annotations

import httpx2
from todo_k8s.portforward import port_forward
from todo_k8s.release import FRONTEND_PORT, Release
from todo_testing.api import ApiUser, chat, create_task, list_tasks, sign_up


def test_task_crud(backend: httpx2.Client, user: ApiUser) -> None:
    task = create_task(backend, user, "Water the plants", "balcony")
    assert task["title"] == "Water the plants"
    assert task["completed"] is False
    path = f"/api/{user.id}/tasks/{task['id']}"

    assert backend.get(path, headers=user.headers).json()["description"] == "balcony"
    updated = backend.put(path, json={"title": "Water all plants"}, headers=user.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["title"] == "Water all plants"
    toggled = backend.patch(f"{path}/complete", headers=user.headers)
    assert toggled.status_code == 200, toggled.text
    assert toggled.json()["completed"] is True
    assert [t["id"] for t in list_tasks(backend, user, "completed")] == [task["id"]]
    assert list_tasks(backend, user, "pending") == []

    assert backend.delete(path, headers=user.headers).status_code == 204
    assert backend.get(path, headers=user.headers).status_code == 404


def test_chat_turn_with_the_builtin_model_adds_a_task(backend: httpx2.Client, user: ApiUser) -> None:
    body = chat(backend, user, "Add a task to buy groceries")
    assert [call["tool"] for call in body["tool_calls"]] == ["add_task"]
    assert [t["title"].lower() for t in list_tasks(backend, user)] == ["buy groceries"]
    history = backend.get(
        f"/api/{user.id}/conversations/{body['conversation_id']}/messages", headers=user.headers
    ).json()
    assert [m["role"] for m in history] == ["user", "assistant"]


def test_users_are_isolated(backend: httpx2.Client, user: ApiUser) -> None:
    other = sign_up(backend, "Other")
    task = create_task(backend, user, "Private")
    assert backend.get(f"/api/{other.id}/tasks/{task['id']}", headers=other.headers).status_code == 404
    assert backend.get(f"/api/{user.id}/tasks", headers=other.headers).status_code == 403
    assert backend.get(f"/api/{user.id}/tasks").status_code == 401
    assert list_tasks(backend, other) == []


def test_the_frontend_serves_a_session_end_to_end(release: Release) -> None:
    with (
        port_forward(release.kubectl, f"svc/{release.object_name('frontend')}", FRONTEND_PORT) as url,
        httpx2.Client(base_url=url, timeout=30) as frontend,
    ):
        assert frontend.get("/api/healthz").status_code == 200
        signup = frontend.post(
            "/api/auth/signup",
            json={
                "email": f"fe-{release.namespace}@example.com",
                "password": "correct horse 42",
                "name": "Fe",
            },
        )
        assert signup.status_code in (200, 201), signup.text
        created = frontend.post("/api/tasks", json={"title": "Through the frontend"})
        assert created.status_code == 201, created.text
        titles = [t["title"] for t in frontend.get("/api/tasks").json()]
        assert titles == ["Through the frontend"]
        page = frontend.get("/", follow_redirects=True)
        assert page.status_code == 200
