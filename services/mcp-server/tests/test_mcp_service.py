"""The MCP server as a real process: MCP over streamable HTTP, internal auth, Host allow-list, operations."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import MCPError
from todo_testing.mcp_client import call_error, call_ok, http_mcp_client
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, run_module

pytestmark = pytest.mark.anyio

ALLOWED_HOSTS = "127.0.0.1:*,localhost:*,todo-mcp-server:8001"
TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
MCP_HEADERS = {
    "Authorization": f"Bearer {INTERNAL_TOKEN}",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-11-25",
}


@pytest.fixture(scope="module")
def service(mcp_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    log = tmp_path_factory.mktemp("mcp-server") / "mcp-server.log"
    process = ServiceProcess(
        "mcp-server",
        {
            "DATABASE_URL": mcp_database_url,
            "INTERNAL_TOKEN": INTERNAL_TOKEN,
            "MCP_ALLOWED_HOSTS": ALLOWED_HOSTS,
        },
        log_path=log,
    )
    process.start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def http(service: ServiceProcess) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=service.url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_every_tool_over_streamable_http(service: ServiceProcess, mode: str) -> None:
    user = str(uuid.uuid4())
    async with http_mcp_client(service.url + "/mcp", mode=mode) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert names == {
            "add_task", "list_tasks", "complete_task", "delete_task", "update_task", "get_task",
            "set_task_completion",
        }  # fmt: skip

        added = await call_ok(client, "add_task", user_id=user, title=" Plan trip ", description="Lisbon")
        task_id = added["task_id"]
        assert (added["status"], added["title"], added["task"]["description"]) == (
            "created",
            "Plan trip",
            "Lisbon",
        )
        other = await call_ok(client, "add_task", user_id=user, title="Pack")

        assert await call_ok(client, "get_task", user_id=user, task_id=task_id) == added["task"]
        listed = await call_ok(client, "list_tasks", user_id=user, status="all")
        assert [task["id"] for task in listed["result"]] == [other["task_id"], task_id]

        updated = await call_ok(
            client, "update_task", user_id=user, task_id=task_id, title="Plan Lisbon trip"
        )
        assert (updated["status"], updated["title"]) == ("updated", "Plan Lisbon trip")

        completed = await call_ok(client, "complete_task", user_id=user, task_id=task_id)
        assert (completed["status"], completed["task"]["completed"]) == ("completed", True)
        pending = await call_ok(client, "set_task_completion", user_id=user, task_id=task_id, completed=False)
        assert (pending["status"], pending["task"]["completed"]) == ("pending", False)
        again = await call_ok(client, "set_task_completion", user_id=user, task_id=task_id, completed=True)
        assert again["status"] == "completed"
        done = await call_ok(client, "list_tasks", user_id=user, status="completed")
        assert [task["id"] for task in done["result"]] == [task_id]

        deleted = await call_ok(client, "delete_task", user_id=user, task_id=task_id)
        assert (deleted["status"], deleted["task_id"], deleted["title"]) == (
            "deleted",
            task_id,
            "Plan Lisbon trip",
        )
        assert (
            await call_error(client, "get_task", user_id=user, task_id=task_id) == f"Task {task_id} not found"
        )
        remaining = await call_ok(client, "list_tasks", user_id=user)
        assert [task["id"] for task in remaining["result"]] == [other["task_id"]]


async def test_users_are_isolated_over_http(service: ServiceProcess) -> None:
    alice, bob = str(uuid.uuid4()), str(uuid.uuid4())
    async with http_mcp_client(service.url + "/mcp") as client:
        secret = await call_ok(client, "add_task", user_id=alice, title="Alice's secret")
        task_id = secret["task_id"]

        assert await call_ok(client, "list_tasks", user_id=bob) == {"result": []}
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("get_task", {}),
            ("update_task", {"title": "mine now"}),
            ("complete_task", {}),
            ("set_task_completion", {"completed": True}),
            ("delete_task", {}),
        ]
        for tool, extra in attempts:
            assert (
                await call_error(client, tool, user_id=bob, task_id=task_id, **extra)
                == f"Task {task_id} not found"
            )
        assert await call_ok(client, "get_task", user_id=alice, task_id=task_id) == secret["task"]


async def test_invalid_arguments_over_http(service: ServiceProcess) -> None:
    async with http_mcp_client(service.url + "/mcp", mode="legacy") as client:
        message = await call_error(client, "add_task", user_id="someone", title=" " * 5)
    assert message == "Invalid arguments for add_task: title: String should have at least 1 character"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-0123456789", f"Basic {INTERNAL_TOKEN}"])
def test_mcp_requires_the_internal_token(http: httpx2.Client, authorization: str | None) -> None:
    headers = {key: value for key, value in MCP_HEADERS.items() if key != "Authorization"}
    if authorization:
        headers["Authorization"] = authorization
    response = http.post("/mcp", json=TOOLS_LIST, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "missing or invalid internal token"}
    assert response.headers["www-authenticate"] == "Bearer"


async def test_official_client_without_token_cannot_connect(service: ServiceProcess) -> None:
    with pytest.raises(ExceptionGroup) as failure:
        async with http_mcp_client(
            service.url + "/mcp", mode="legacy", token="not-the-token-0123456"
        ) as client:
            await client.list_tools()
    assert failure.group_contains(MCPError, match="error response", depth=None)


def test_allowed_host_is_served(http: httpx2.Client) -> None:
    response = http.post("/mcp", json=TOOLS_LIST, headers={**MCP_HEADERS, "Host": "todo-mcp-server:8001"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert len(response.json()["result"]["tools"]) == 7


@pytest.mark.parametrize("host", ["todo-mcp-server:9000", "todo-mcp-server", "attacker.example:8001"])
def test_other_hosts_get_421(http: httpx2.Client, host: str) -> None:
    response = http.post("/mcp", json=TOOLS_LIST, headers={**MCP_HEADERS, "Host": host})
    assert response.status_code == 421


def test_browser_origins_are_refused(http: httpx2.Client) -> None:
    response = http.post(
        "/mcp", json=TOOLS_LIST, headers={**MCP_HEADERS, "Origin": "http://attacker.example"}
    )
    assert response.status_code == 403


def test_stateless_server_offers_no_event_stream(http: httpx2.Client) -> None:
    started = time.monotonic()
    response = http.get("/mcp", headers=MCP_HEADERS)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert time.monotonic() - started < 5


def test_stateless_responses_carry_no_session(http: httpx2.Client) -> None:
    first = http.post("/mcp", json=TOOLS_LIST, headers=MCP_HEADERS)
    second = http.post("/mcp", json={**TOOLS_LIST, "id": 2}, headers=MCP_HEADERS)
    assert (first.status_code, second.status_code) == (200, 200)
    assert "mcp-session-id" not in first.headers
    assert second.json()["id"] == 2


def test_request_body_over_the_limit_is_413(http: httpx2.Client) -> None:
    body: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "add_task",
            "arguments": {"user_id": "u", "title": "t", "description": "x" * 70_000},
        },
    }
    response = http.post("/mcp", json=body, headers=MCP_HEADERS)
    assert response.status_code == 413


def test_operational_endpoints_need_no_token(http: httpx2.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    http.post("/mcp", json=TOOLS_LIST, headers=MCP_HEADERS)
    metrics = http.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert re.search(r'http_requests_total\{method="POST",route="/mcp",status="200"\} [1-9]', metrics.text)


async def test_tool_calls_are_counted_and_logged_without_arguments(service: ServiceProcess) -> None:
    secret_title = f"secret-{uuid.uuid4().hex}"
    async with http_mcp_client(service.url + "/mcp") as client:
        await call_ok(client, "add_task", user_id="metrics-user", title=secret_title)
        await call_error(client, "get_task", user_id="metrics-user", task_id=2_000_000_000)
        await call_error(client, "get_task", user_id="metrics-user", task_id=-1)
        await client.call_tool("no_such_tool", {})
    metrics = httpx2.get(service.url + "/metrics", timeout=10).text
    for tool, outcome in [("add_task", "ok"), ("get_task", "error"), ("get_task", "invalid_arguments")]:
        assert re.search(rf'mcp_tool_calls_total\{{outcome="{outcome}",tool="{tool}"\}} [1-9]', metrics)
    assert 'tool="unknown"' in metrics
    assert "no_such_tool" not in metrics
    assert service.log_path is not None
    log = service.log_path.read_text()
    assert "tool add_task: ok" in log
    assert secret_title not in log


def test_request_id_is_accepted_or_generated(http: httpx2.Client, service: ServiceProcess) -> None:
    given = f"trace-{uuid.uuid4().hex}"
    assert http.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given
    generated = http.post("/mcp", json=TOOLS_LIST, headers=MCP_HEADERS).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert service.log_path is not None
    deadline = time.monotonic() + 5
    while generated not in service.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f'"request_id": "{generated}"' in service.log_path.read_text()


def test_sigterm_drains_and_exits_cleanly(mcp_database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "mcp-server.log"
    process = ServiceProcess(
        "mcp-server", {"DATABASE_URL": mcp_database_url, "INTERNAL_TOKEN": INTERNAL_TOKEN}, log_path=log
    )
    process.start(timeout=60)
    with httpx2.Client(base_url=process.url, timeout=10) as http:
        assert http.post("/mcp", json=TOOLS_LIST, headers=MCP_HEADERS).status_code == 200

    started = time.monotonic()
    code = process.stop(signal.SIGTERM, timeout=30)

    # uvicorn re-raises the signal after its graceful shutdown, so the exit status is "terminated by SIGTERM".
    assert code in (0, -signal.SIGTERM)
    assert time.monotonic() - started < 10
    text = log.read_text()
    assert "Application shutdown complete" in text
    assert '"level": "ERROR"' not in text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["DATABASE_URL is required", "INTERNAL_TOKEN is required"]),
        ({"DATABASE_URL": "postgresql://x@h/db", "INTERNAL_TOKEN": "short"}, ["INTERNAL_TOKEN"]),
        (
            {
                "DATABASE_URL": "postgresql://x@h/db",
                "INTERNAL_TOKEN": INTERNAL_TOKEN,
                "MCP_ALLOWED_HOSTS": " , ",
            },
            ["MCP_ALLOWED_HOSTS"],
        ),
        ({"DATABASE_URL": "postgresql://x@h/db", "INTERNAL_TOKEN": INTERNAL_TOKEN, "PORT": "0"}, ["PORT"]),
    ],
)
def test_bad_configuration_exits_with_a_message_naming_the_variable(
    env: dict[str, str], expected: list[str]
) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "INTERNAL_TOKEN", "PORT"}}
    result = run_module("todo_mcp_server", {**clean, **env}, timeout=60)
    assert result.returncode == 2
    for fragment in expected:
        assert fragment in result.stderr
    assert INTERNAL_TOKEN not in result.stderr
