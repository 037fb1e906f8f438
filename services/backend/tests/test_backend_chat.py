"""Every phase III chat command end to end: backend → agent (builtin model) → mcp-server → PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
from todo_testing.api import ApiUser
from todo_testing.processes import Stack

STARTUP_TIMEOUT = 90.0


def _chat(
    api: httpx2.Client, user: ApiUser, message: str, conversation_id: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    response = api.post(f"{user.prefix}/chat", json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert set(reply) == {"conversation_id", "response", "tool_calls"}
    return reply


def _tools(reply: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(call["tool"], call["arguments"]) for call in reply["tool_calls"]]


def _tasks(api: httpx2.Client, user: ApiUser, status: str = "all") -> list[dict[str, Any]]:
    response = api.get(f"{user.prefix}/tasks", params={"status": status}, headers=user.headers)
    assert response.status_code == 200
    tasks: list[dict[str, Any]] = response.json()
    return tasks


def test_every_task_command_by_chat(api: httpx2.Client, user: ApiUser) -> None:
    added = _chat(api, user, "Add a task to buy groceries")
    conversation = added["conversation_id"]
    assert _tools(added) == [("add_task", {"title": "Buy groceries"})]
    groceries = added["tool_calls"][0]["result"]["task"]
    assert "user_id" not in added["tool_calls"][0]["arguments"]  # the model never sees the user id
    assert [t["title"] for t in _tasks(api, user)] == ["Buy groceries"]

    remember = _chat(api, user, "I need to remember to pay bills", conversation)
    assert remember["conversation_id"] == conversation
    assert [tool for tool, _ in _tools(remember)] == ["add_task"]
    bills = remember["tool_calls"][0]["result"]["task"]
    assert {t["id"] for t in _tasks(api, user)} == {groceries["id"], bills["id"]}

    listed = _chat(api, user, "Show me all my tasks", conversation)
    assert _tools(listed) == [("list_tasks", {"status": "all"})]
    assert "Buy groceries" in listed["response"]
    assert "Pay bills" in listed["response"] or "pay bills" in listed["response"]

    completed = _chat(api, user, f"Mark task {groceries['id']} as complete", conversation)
    assert _tools(completed) == [("complete_task", {"task_id": groceries["id"]})]
    assert [t["id"] for t in _tasks(api, user, "completed")] == [groceries["id"]]

    pending = _chat(api, user, "What's pending?", conversation)
    assert _tools(pending) == [("list_tasks", {"status": "pending"})]
    assert [t["id"] for t in pending["tool_calls"][0]["result"]["result"]] == [bills["id"]]

    done = _chat(api, user, "What have I completed?", conversation)
    assert _tools(done) == [("list_tasks", {"status": "completed"})]

    renamed = _chat(api, user, f"Change task {bills['id']} to 'Pay electricity bill'", conversation)
    assert _tools(renamed) == [("update_task", {"task_id": bills["id"], "title": "Pay electricity bill"})]
    assert api.get(f"{user.prefix}/tasks/{bills['id']}", headers=user.headers).json()["title"] == (
        "Pay electricity bill"
    )

    deleted = _chat(api, user, "Delete the groceries task", conversation)
    assert _tools(deleted) == [
        ("list_tasks", {"status": "all"}),
        ("delete_task", {"task_id": groceries["id"]}),
    ]
    assert [t["id"] for t in _tasks(api, user)] == [bills["id"]]

    missing = _chat(api, user, "Delete task 999999", conversation)
    assert _tools(missing) == [("delete_task", {"task_id": 999999})]
    assert "not found" in missing["response"].lower() or "couldn't" in missing["response"].lower()

    # The whole exchange is stored, with the tool calls of each assistant message.
    messages = api.get(f"{user.prefix}/conversations/{conversation}/messages", headers=user.headers).json()
    assert [m["role"] for m in messages] == ["user", "assistant"] * 9
    assert messages[0]["content"] == "Add a task to buy groceries"
    assert messages[0]["tool_calls"] is None
    assert messages[1]["tool_calls"] == added["tool_calls"]
    conversations = api.get(f"{user.prefix}/conversations", headers=user.headers).json()
    assert [(c["id"], c["title"]) for c in conversations] == [(conversation, "Add a task to buy groceries")]


def test_chat_only_touches_the_users_own_tasks(
    api: httpx2.Client, user: ApiUser, other_user: ApiUser
) -> None:
    theirs = api.post(
        f"{other_user.prefix}/tasks", json={"title": "Their task"}, headers=other_user.headers
    ).json()
    reply = _chat(api, user, f"Delete task {theirs['id']}")
    assert _tools(reply) == [("delete_task", {"task_id": theirs["id"]})]
    assert [t["id"] for t in _tasks(api, other_user)] == [theirs["id"]]
    # Nor can a conversation of another user be continued or read.
    path = f"{other_user.prefix}/conversations/{reply['conversation_id']}/messages"
    assert api.get(path, headers=other_user.headers).status_code == 404
    response = api.post(
        f"{other_user.prefix}/chat",
        json={"message": "show my tasks", "conversation_id": reply["conversation_id"]},
        headers=other_user.headers,
    )
    assert response.status_code == 404


def test_conversations_newest_first(api: httpx2.Client, user: ApiUser) -> None:
    first = _chat(api, user, "hello")["conversation_id"]
    second = _chat(api, user, "show my tasks")["conversation_id"]
    listed = api.get(f"{user.prefix}/conversations", headers=user.headers).json()
    assert [c["id"] for c in listed] == [second, first]
    _chat(api, user, "what's pending", first)  # activity moves a conversation to the top
    listed = api.get(f"{user.prefix}/conversations", headers=user.headers).json()
    assert [c["id"] for c in listed] == [first, second]
    assert api.get(f"{user.prefix}/conversations/999999/messages", headers=user.headers).status_code == 404


def test_the_same_first_message_sent_several_times_at_once_is_answered_every_time(
    api: httpx2.Client, user: ApiUser
) -> None:
    """A double-clicked Send (or a client retrying too early) must not turn into a 503: each request gets
    its answer, whichever conversation the backend files it under."""

    def send(delay: float) -> httpx2.Response:
        with httpx2.Client(base_url=api.base_url, timeout=30) as client:
            time.sleep(delay)  # staggered, so later requests arrive while earlier ones are being answered
            body = {"message": "What's pending?"}
            return client.post(f"{user.prefix}/chat", json=body, headers=user.headers)

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(send, [i * 0.008 for i in range(12)]))
        assert [r.status_code for r in responses] == [200] * 12, [r.text for r in responses]
        assert all(_tools(r.json()) == [("list_tasks", {"status": "pending"})] for r in responses)
    for conversation in api.get(f"{user.prefix}/conversations", headers=user.headers).json():
        path = f"{user.prefix}/conversations/{conversation['id']}/messages"
        roles = [m["role"] for m in api.get(path, headers=user.headers).json()]
        assert (roles[0], roles[-1]) == ("user", "assistant"), roles


def test_conversation_resumes_after_restarting_backend_and_agent(
    stack: Stack, api: httpx2.Client, user: ApiUser
) -> None:
    for title in ("Buy bread", "Bake bread"):
        assert (
            api.post(f"{user.prefix}/tasks", json={"title": title}, headers=user.headers).status_code == 201
        )
    question = _chat(api, user, "Delete the bread task")
    assert "Which one should I delete?" in question["response"]
    bake = next(t for t in _tasks(api, user) if t["title"] == "Bake bread")

    stack.backend.stop()
    stack.agent.stop()
    stack.agent.start(STARTUP_TIMEOUT)
    stack.backend.start(STARTUP_TIMEOUT)

    conversations = api.get(f"{user.prefix}/conversations", headers=user.headers).json()
    assert [c["id"] for c in conversations] == [question["conversation_id"]]
    # The answer only makes sense with the history, which is rebuilt from the database.
    answer = _chat(api, user, str(bake["id"]), question["conversation_id"])
    assert _tools(answer) == [("delete_task", {"task_id": bake["id"]})]
    assert [t["title"] for t in _tasks(api, user)] == ["Buy bread"]
    messages = api.get(
        f"{user.prefix}/conversations/{question['conversation_id']}/messages", headers=user.headers
    ).json()
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
