"""The containerized system does what a user relies on: the backend API contract, a chat turn through agent
and MCP server, and the web app served by the frontend container, which reads BACKEND_URL at run time."""

from __future__ import annotations

import re
import uuid

import httpx2
import pytest
from todo_testing.api import PASSWORD, chat, create_task, request, sign_in, sign_up, task_titles
from todo_testing.catalog import component
from todo_testing.docker import inspect

from .stack import START_ORDER, ContainerStack


def test_api_contract(stack: ContainerStack) -> None:
    with stack.client() as api:
        alice, bob = sign_up(api, "Alice"), sign_up(api, "Bob")

        again = api.post(
            "/api/auth/signup", json={"email": alice.email, "password": "another password", "name": "Alice"}
        )
        assert again.status_code == 409
        assert sign_in(api, alice.email, PASSWORD).status_code == 200
        assert api.get("/api/auth/me", headers=alice.headers).json()["id"] == alice.id

        task = create_task(api, alice, "Buy milk", "2 litres")
        assert (task["title"], task["completed"], task["user_id"]) == ("Buy milk", False, alice.id)
        path = f"/tasks/{task['id']}"
        assert request(api, alice, "GET", path).json()["description"] == "2 litres"
        updated = request(api, alice, "PUT", path, {"title": "Buy oat milk"})
        assert updated.status_code == 200
        assert updated.json()["title"] == "Buy oat milk"
        assert request(api, alice, "PATCH", f"{path}/complete").json()["completed"] is True
        assert [t["id"] for t in request(api, alice, "GET", "/tasks?status=completed").json()] == [task["id"]]
        assert request(api, alice, "PATCH", f"{path}/complete").json()["completed"] is False
        assert request(api, alice, "GET", "/tasks?status=completed").json() == []

        assert request(api, alice, "POST", "/tasks", {"title": ""}).status_code == 422
        assert request(api, alice, "POST", "/tasks", {"title": "x", "owner": "me"}).status_code == 422

        # Isolation: no token → 401, someone else's path → 403, someone else's task → 404.
        assert api.get(f"/api/{alice.id}/tasks").status_code == 401
        forged = api.get(f"/api/{alice.id}/tasks", headers={"Authorization": "Bearer x.y.z"})
        assert forged.status_code == 401
        assert request(api, bob, "GET", "/tasks", as_user=alice.id).status_code == 403
        assert request(api, bob, "GET", path).status_code == 404
        assert request(api, bob, "DELETE", path).status_code == 404

        assert request(api, alice, "DELETE", path).status_code == 204
        assert request(api, alice, "GET", path).status_code == 404
        assert task_titles(api, bob) == []


def test_chat_turn_with_the_builtin_model(stack: ContainerStack) -> None:
    with stack.client() as api:
        user = sign_up(api)
        turn = chat(api, user, "Add a task to buy groceries")
        assert [call["tool"] for call in turn["tool_calls"]] == ["add_task"]
        assert any("groceries" in title.lower() for title in task_titles(api, user))

        conversations = request(api, user, "GET", "/conversations").json()
        assert [c["id"] for c in conversations] == [turn["conversation_id"]]
        messages = request(api, user, "GET", f"/conversations/{turn['conversation_id']}/messages").json()
        assert [m["role"] for m in messages] == ["user", "assistant"]


def test_web_app_pages_and_assets_through_the_frontend(stack: ContainerStack) -> None:
    base = stack.url("frontend")
    with httpx2.Client(base_url=base, timeout=30) as browser:
        for page in ("/", "/signin", "/signup"):
            response = browser.get(page, follow_redirects=True)
            assert response.status_code == 200, page
            assert "text/html" in response.headers["content-type"]
        assets = set(re.findall(r'/_next/static/[^"\'\s]+\.(?:js|css)', response.text))
        assert assets, "the page references the app's scripts and styles"
        for asset in assets:
            assert browser.get(asset).status_code == 200, asset

        # A signed-in session through the frontend's route handlers to the backend container and back.
        email = f"web-{uuid.uuid4().hex[:12]}@example.com"
        signup = browser.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Web"})
        assert signup.status_code == 201, signup.text
        assert browser.post("/api/tasks", json={"title": "From the browser"}).status_code == 201
        assert [t["title"] for t in browser.get("/api/tasks").json()] == ["From the browser"]
        tasks_page = browser.get("/tasks")
        assert tasks_page.status_code == 200


def test_frontend_reads_backend_url_at_run_time(stack: ContainerStack) -> None:
    """The same image, started with other BACKEND_URLs, talks to whatever they name: no rebuild."""
    # A second backend replica, reachable only by a name that exists nowhere else.
    stack.start_extra("backend", "-elsewhere", alias="api-elsewhere")
    port = component("backend").port
    elsewhere = stack.start_extra("frontend", "-elsewhere", {"BACKEND_URL": f"http://api-elsewhere:{port}"})
    nowhere = stack.start_extra("frontend", "-nowhere", {"BACKEND_URL": f"http://no-such-backend:{port}"})

    def sign_up_through(frontend_url: str) -> int:
        account = {"email": f"rt-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD}
        response = httpx2.post(f"{frontend_url}/api/auth/signup", json={**account, "name": "R"}, timeout=30)
        return response.status_code

    assert sign_up_through(elsewhere.url) == 201
    assert sign_up_through(nowhere.url) == 503


@pytest.mark.parametrize("service", START_ORDER)
def test_each_service_runs_hardened_as_pid_1(stack: ContainerStack, service: str) -> None:
    container = stack.services[service]
    host = inspect(container.name)["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == stack.limits[service].memory_bytes
    assert host["NanoCpus"] == round(stack.limits[service].cpus * 1e9)

    probe = container.exec(
        "sh",
        "-c",
        "grep -E '^(Uid|Gid|CapEff|NoNewPrivs):' /proc/1/status; readlink /proc/1/exe;"
        "tr '\\0' ' ' </proc/1/cmdline; echo;"
        "touch /app/probe 2>/dev/null && echo root-writable; touch /tmp/probe && echo tmp-writable",
    )
    status = dict(line.split(":\t", 1) for line in probe.stdout.splitlines() if ":\t" in line)
    assert status["Uid"].split()[0] == "10001"
    assert status["Gid"].split()[0] == "10001"
    assert int(status["CapEff"], 16) == 0
    assert status["NoNewPrivs"].strip() == "1"
    # PID 1 is the server itself (no shell, no npm); Next.js retitles its process "next-server".
    expected_pid_1 = "next-server" if service == "frontend" else f"python -m {component(service).package}"
    assert expected_pid_1 in probe.stdout
    assert re.search(r"^/\S+/(node|python3[.\d]*)$", probe.stdout, flags=re.M)
    assert "root-writable" not in probe.stdout
    assert "tmp-writable" in probe.stdout
