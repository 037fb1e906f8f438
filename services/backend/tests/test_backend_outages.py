"""Dependencies going away and coming back: clear 503s, nothing lost or duplicated, recovery without restart.

The machine's shared PostgreSQL is never stopped: the database outage uses a private throwaway cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from todo_testing.api import ApiUser, sign_up
from todo_testing.private_postgres import PrivatePostgres
from todo_testing.processes import Stack

STARTUP_TIMEOUT = 90.0
DATABASE_UNAVAILABLE = {"detail": "the database is unavailable, try again"}
TASKS_UNAVAILABLE = {"detail": "the task service is unavailable, try again"}


@pytest.fixture(scope="module")
def outage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(log_dir=tmp_path_factory.mktemp("outage-logs")).start(timeout=STARTUP_TIMEOUT)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def outage_api(outage_stack: Stack) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=outage_stack.backend.url, timeout=30) as client:
        yield client


def _timed(call: Callable[[], httpx2.Response]) -> tuple[httpx2.Response, float]:
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def _eventually(call: Callable[[], httpx2.Response], status: int, within: float = 20.0) -> httpx2.Response:
    deadline = time.monotonic() + within
    while True:
        response = call()
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def _messages(api: httpx2.Client, user: ApiUser, conversation_id: int) -> list[dict[str, Any]]:
    response = api.get(f"{user.prefix}/conversations/{conversation_id}/messages", headers=user.headers)
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()
    return messages


def test_mcp_server_down_gives_fast_503_then_recovers(outage_stack: Stack, outage_api: httpx2.Client) -> None:
    api = outage_api
    user = sign_up(api)
    tasks = f"{user.prefix}/tasks"
    kept = api.post(tasks, json={"title": "Survives the outage"}, headers=user.headers).json()

    outage_stack.mcp_server.stop()
    try:
        for call in (
            lambda: api.get(tasks, headers=user.headers),
            lambda: api.post(tasks, json={"title": "Lost?"}, headers=user.headers),
            lambda: api.patch(f"{tasks}/{kept['id']}/complete", headers=user.headers),
            lambda: api.delete(f"{tasks}/{kept['id']}", headers=user.headers),
        ):
            response, elapsed = _timed(call)
            assert response.status_code == 503
            assert response.json() == TASKS_UNAVAILABLE
            assert elapsed < 2.0, f"503 took {elapsed:.2f}s"
        chat = api.post(f"{user.prefix}/chat", json={"message": "show my tasks"}, headers=user.headers)
        assert chat.status_code == 503
        assert chat.json()["detail"] == "the task service is unavailable, try again; your message is saved"
        assert api.get("/readyz").status_code == 200  # the backend itself is fine
    finally:
        outage_stack.mcp_server.start(STARTUP_TIMEOUT)

    listed = _eventually(lambda: api.get(tasks, headers=user.headers), 200)
    assert [t["id"] for t in listed.json()] == [kept["id"]]  # the failed create did not happen later
    assert api.post(tasks, json={"title": "After"}, headers=user.headers).status_code == 201
    reply = api.post(
        f"{user.prefix}/chat",
        json={"message": "show my tasks", "conversation_id": chat.json()["conversation_id"]},
        headers=user.headers,
    )
    assert reply.status_code == 200
    assert "Survives the outage" in reply.json()["response"]


def test_agent_down_keeps_the_message_once(outage_stack: Stack, outage_api: httpx2.Client) -> None:
    api = outage_api
    user = sign_up(api)
    chat = f"{user.prefix}/chat"
    started = api.post(chat, json={"message": "hello"}, headers=user.headers).json()
    conversation = started["conversation_id"]

    outage_stack.agent.stop()
    try:
        for _ in range(2):  # the retry while still down does not store the message twice
            response = api.post(
                chat,
                json={"message": "add a task to water the plants", "conversation_id": conversation},
                headers=user.headers,
            )
            assert response.status_code == 503
            assert response.json() == {
                "detail": "the assistant is unavailable, try again; your message is saved",
                "conversation_id": conversation,
            }
        fresh = api.post(chat, json={"message": "add a task to call the bank"}, headers=user.headers)
        assert fresh.status_code == 503
        fresh_id = fresh.json()["conversation_id"]
        assert fresh_id != conversation
    finally:
        outage_stack.agent.start(STARTUP_TIMEOUT)

    stored = _messages(api, user, conversation)
    assert [(m["role"], m["content"]) for m in stored][-1] == ("user", "add a task to water the plants")
    assert len(stored) == 3
    assert api.get(f"{user.prefix}/tasks", headers=user.headers).json() == []

    retried = _eventually(
        lambda: api.post(
            chat,
            json={"message": "add a task to water the plants", "conversation_id": conversation},
            headers=user.headers,
        ),
        200,
    )
    assert [c["tool"] for c in retried.json()["tool_calls"]] == ["add_task"]
    assert [(m["role"], m["content"]) for m in _messages(api, user, conversation)][2:] == [
        ("user", "add a task to water the plants"),
        ("assistant", retried.json()["response"]),
    ]
    # A client that retries a new conversation's first message without its id continues that conversation.
    again = api.post(chat, json={"message": "add a task to call the bank"}, headers=user.headers)
    assert again.status_code == 200
    assert again.json()["conversation_id"] == fresh_id
    assert [m["role"] for m in _messages(api, user, fresh_id)] == ["user", "assistant"]
    titles = sorted(t["title"] for t in api.get(f"{user.prefix}/tasks", headers=user.headers).json())
    assert titles == ["Call the bank", "Water the plants"]


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[tuple[Stack, PrivatePostgres]]:
    with PrivatePostgres() as cluster:
        running = Stack(log_dir=tmp_path, database_url=cluster.url).start(timeout=STARTUP_TIMEOUT)
        try:
            yield running, cluster
        finally:
            running.close()


def test_database_down_gives_clear_503_then_recovers(private_stack: tuple[Stack, PrivatePostgres]) -> None:
    stack, cluster = private_stack
    with httpx2.Client(base_url=stack.backend.url, timeout=30) as api:
        user = sign_up(api)
        task = api.post(f"{user.prefix}/tasks", json={"title": "Kept"}, headers=user.headers).json()
        login = {"email": user.email, "password": user.password}

        cluster.stop()
        try:
            for call in (
                lambda: api.post("/api/auth/login", json=login),
                lambda: api.get("/api/auth/me", headers=user.headers),
                lambda: api.get(f"{user.prefix}/conversations", headers=user.headers),
                lambda: api.post(f"{user.prefix}/chat", json={"message": "hi"}, headers=user.headers),
            ):
                response, elapsed = _timed(call)
                assert response.status_code == 503, response.text
                assert response.json() == DATABASE_UNAVAILABLE
                assert elapsed < 5.0
            tasks = api.get(f"{user.prefix}/tasks", headers=user.headers)
            assert tasks.status_code == 503
            assert tasks.json() == TASKS_UNAVAILABLE
            ready = api.get("/readyz")
            assert ready.status_code == 503
            assert set(ready.json()["failed"]) == {"database"}
        finally:
            cluster.start()

        assert _eventually(lambda: api.get("/readyz"), 200).status_code == 200
        assert _eventually(lambda: api.post("/api/auth/login", json=login), 200).status_code == 200
        listed = _eventually(lambda: api.get(f"{user.prefix}/tasks", headers=user.headers), 200)
        assert [t["id"] for t in listed.json()] == [task["id"]]
        assert (
            api.post(f"{user.prefix}/chat", json={"message": "hi"}, headers=user.headers).status_code == 200
        )
