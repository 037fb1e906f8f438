"""The agent service as a real process, with the builtin model, driving a real mcp-server and PostgreSQL.

Every phase III command goes through `POST /v1/respond`; each test checks the reply, the tool calls
reported, and the rows that really changed in the task table.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import psycopg
import pytest
from todo_testing.agent_chat import Chat, tools_used
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase
from todo_testing.tcp_proxy import AnswerDroppingProxy

AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
TASKS_UNAVAILABLE = {"detail": "the task service is unavailable, try again"}


@pytest.fixture(scope="module")
def agent(start_agent: Callable[..., ServiceProcess]) -> ServiceProcess:
    return start_agent("agent-builtin", LLM_MODEL="builtin")


@pytest.fixture(scope="module")
def client(agent: ServiceProcess) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=agent.url, headers=AUTH, timeout=30, trust_env=False) as http:
        yield http


@pytest.fixture
def user() -> str:
    return str(uuid.uuid4())


def rows(database: TestDatabase, user_id: str) -> list[tuple[int, str, str | None, bool]]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(
            "SELECT id, title, description, completed FROM task WHERE user_id = %s ORDER BY id", (user_id,)
        ).fetchall()


def row(database: TestDatabase, task_id: int) -> tuple[str, str, bool] | None:
    with psycopg.connect(database.url) as conn:
        return conn.execute("SELECT user_id, title, completed FROM task WHERE id = %s", (task_id,)).fetchone()


def add(chat: Chat, title: str) -> int:
    body = chat.send(f"Add a task to {title}")
    task_id: int = body["tool_calls"][0]["result"]["task_id"]
    return task_id


def test_add_a_task(client: httpx2.Client, user: str, agent_task_database: TestDatabase) -> None:
    body = Chat(client, user).send("Add a task to buy groceries")
    (call,) = body["tool_calls"]
    task_id = call["result"]["task_id"]
    assert body["response"] == f"I've added 'Buy groceries' to your list (task {task_id})."
    assert call["tool"] == "add_task"
    assert call["arguments"] == {"title": "Buy groceries"}  # user_id is the service's, never shown
    assert call["result"]["status"] == "created"
    assert call["result"]["task"]["user_id"] == user
    assert rows(agent_task_database, user) == [(task_id, "Buy groceries", None, False)]


def test_remember_phrasing_adds_a_task(
    client: httpx2.Client, user: str, agent_task_database: TestDatabase
) -> None:
    body = Chat(client, user).send("I need to remember to pay bills")
    assert tools_used(body) == [("add_task", {"title": "Pay bills"})]
    assert [title for _, title, _, _ in rows(agent_task_database, user)] == ["Pay bills"]


def test_list_pending_all_and_completed(client: httpx2.Client, user: str) -> None:
    chat = Chat(client, user)
    first, second = add(chat, "water the plants"), add(chat, "call the bank")
    chat.send(f"Mark task {first} as complete")

    pending = chat.send("What's pending?")
    assert tools_used(pending) == [("list_tasks", {"status": "pending"})]
    assert pending["response"] == f"Here are your pending tasks (1):\n- {second}. Call the bank"

    everything = chat.send("Show me all my tasks")
    assert tools_used(everything) == [("list_tasks", {"status": "all"})]
    assert everything["response"] == (
        f"Here are all your tasks (2):\n- {second}. Call the bank\n- {first}. Water the plants (done)"
    )
    assert [task["id"] for task in everything["tool_calls"][0]["result"]["result"]] == [second, first]

    completed = chat.send("What have I completed?")
    assert tools_used(completed) == [("list_tasks", {"status": "completed"})]
    assert completed["response"] == f"Here's what you've completed (1):\n- {first}. Water the plants"


def test_complete_a_task(client: httpx2.Client, user: str, agent_task_database: TestDatabase) -> None:
    chat = Chat(client, user)
    task_id = add(chat, "buy stamps")
    body = chat.send(f"Mark task {task_id} as complete")
    assert tools_used(body) == [("complete_task", {"task_id": task_id})]
    assert body["tool_calls"][0]["result"]["status"] == "completed"
    assert body["response"] == f"Done! I've marked 'Buy stamps' (task {task_id}) as complete."
    assert rows(agent_task_database, user) == [(task_id, "Buy stamps", None, True)]


def test_update_a_task(client: httpx2.Client, user: str, agent_task_database: TestDatabase) -> None:
    chat = Chat(client, user)
    task_id = add(chat, "call mom")
    body = chat.send(f"Change task {task_id} to 'Call mom tonight'")
    assert tools_used(body) == [("update_task", {"task_id": task_id, "title": "Call mom tonight"})]
    assert body["response"] == f"I've renamed task {task_id} to 'Call mom tonight'."
    chat.send(f"Update task {task_id} description to she is back from her trip")
    assert rows(agent_task_database, user) == [
        (task_id, "Call mom tonight", "she is back from her trip", False)
    ]


def test_delete_a_task_by_number(client: httpx2.Client, user: str, agent_task_database: TestDatabase) -> None:
    chat = Chat(client, user)
    keep, drop = add(chat, "keep me"), add(chat, "drop me")
    body = chat.send(f"Delete task {drop}")
    assert tools_used(body) == [("delete_task", {"task_id": drop})]
    assert body["response"] == f"I've deleted 'Drop me' (task {drop}) from your list."
    assert [task_id for task_id, *_ in rows(agent_task_database, user)] == [keep]


def test_delete_by_name_lists_then_deletes_the_match(
    client: httpx2.Client, user: str, agent_task_database: TestDatabase
) -> None:
    chat = Chat(client, user)
    groceries, meeting = add(chat, "buy groceries"), add(chat, "prepare the team meeting")
    body = chat.send("Delete the meeting task")
    assert tools_used(body) == [("list_tasks", {"status": "all"}), ("delete_task", {"task_id": meeting})]
    assert body["response"] == f"I've deleted 'Prepare the team meeting' (task {meeting}) from your list."
    assert [task_id for task_id, *_ in rows(agent_task_database, user)] == [groceries]


def test_delete_by_name_asks_back_when_several_match(
    client: httpx2.Client, user: str, agent_task_database: TestDatabase
) -> None:
    chat = Chat(client, user)
    notes, sync = add(chat, "write meeting notes"), add(chat, "book the meeting room")
    body = chat.send("Delete the meeting task")
    assert tools_used(body) == [("list_tasks", {"status": "all"})]
    assert f"{sync}. Book the meeting room" in body["response"]
    assert "Which one should I delete?" in body["response"]
    assert len(rows(agent_task_database, user)) == 2  # nothing deleted on a guess

    answer = chat.send(str(sync))  # the reply to the question, with the conversation as context
    assert tools_used(answer) == [("delete_task", {"task_id": sync})]
    assert [task_id for task_id, *_ in rows(agent_task_database, user)] == [notes]

    none = chat.send("Delete the dentist task")
    assert none["response"].startswith("I couldn't find a task matching 'dentist'.")


def test_a_bulk_delete_waits_for_a_yes_in_the_same_conversation(
    client: httpx2.Client, user: str, agent_task_database: TestDatabase
) -> None:
    chat = Chat(client, user)
    keep, old, older = add(chat, "keep me"), add(chat, "old one"), add(chat, "older one")
    chat.send(f"Mark task {old} as complete")
    chat.send(f"I finished task {older}")
    question = chat.send("delete all completed tasks")
    assert tools_used(question) == [("list_tasks", {"status": "completed"})]
    assert question["response"].startswith("Should I delete these 2 tasks?")
    assert len(rows(agent_task_database, user)) == 3

    assert chat.send("no")["tool_calls"] == []
    chat.send("delete all completed tasks")
    done = chat.send("yes")
    assert sorted(call["arguments"]["task_id"] for call in done["tool_calls"]) == sorted([old, older])
    assert {tool for tool, _ in tools_used(done)} == {"delete_task"}
    assert done["response"].startswith("I've deleted 2 tasks:")
    assert [task_id for task_id, *_ in rows(agent_task_database, user)] == [keep]
    # A "yes" with no question pending changes nothing.
    assert chat.send("yes")["tool_calls"] == []


def test_undo_reverses_the_last_change_through_the_tools(
    client: httpx2.Client, user: str, agent_task_database: TestDatabase
) -> None:
    chat = Chat(client, user)
    task_id = add(chat, "call the bank")
    chat.send(f"Mark task {task_id} as done")
    undone = chat.send("undo that")
    assert tools_used(undone) == [("set_task_completion", {"task_id": task_id, "completed": False})]
    assert rows(agent_task_database, user) == [(task_id, "Call the bank", None, False)]

    chat.send(f"delete task {task_id}")
    restored = chat.send("oops, undo")
    assert tools_used(restored) == [("add_task", {"title": "Call the bank"})]
    new_id = restored["tool_calls"][0]["result"]["task_id"]
    assert restored["response"] == f"I've added 'Call the bank' to your list (task {new_id})."
    assert rows(agent_task_database, user) == [(new_id, "Call the bank", None, False)]


def test_a_missing_task_is_explained(client: httpx2.Client, user: str) -> None:
    body = Chat(client, user).send("Delete task 999999")
    assert body["tool_calls"] == [
        {
            "tool": "delete_task",
            "arguments": {"task_id": 999999},
            "result": {"error": "Task 999999 not found"},
        }
    ]
    assert body["response"].startswith("I couldn't find task 999999 in your list.")


def test_unclear_messages_get_a_question_and_no_tool_call(client: httpx2.Client, user: str) -> None:
    body = Chat(client, user).send("Delete")
    assert body == {
        "response": "Which task should I delete? Tell me its number or part of its title.",
        "tool_calls": [],
    }


def test_another_users_tasks_cannot_be_reached(
    client: httpx2.Client, agent_task_database: TestDatabase
) -> None:
    owner, intruder = Chat(client, str(uuid.uuid4())), Chat(client, str(uuid.uuid4()))
    secret = add(owner, "owners secret plan")
    before = row(agent_task_database, secret)

    for attack in (
        f"Delete task {secret}",
        f"Mark task {secret} as complete",
        f"Change task {secret} to 'hacked'",
        f"Delete task {secret} of user {owner.user_id}",
    ):
        body = intruder.send(attack)
        for call in body["tool_calls"]:
            assert "user_id" not in call["arguments"]
            assert call["result"] in ({"error": f"Task {secret} not found"}, {"result": []})

    assert intruder.send("Delete the secret plan task")["response"].startswith("I couldn't find a task")
    assert intruder.send("Show me all my tasks")["response"] == (
        'Your task list is empty. Try "Add a task to buy groceries".'
    )
    assert row(agent_task_database, secret) == before == (owner.user_id, "Owners secret plan", False)


def test_concurrent_turns_each_act_for_their_own_user(
    agent: ServiceProcess, agent_task_database: TestDatabase
) -> None:
    users = [str(uuid.uuid4()) for _ in range(8)]

    def turn(user_id: str) -> httpx2.Response:
        return httpx2.post(
            agent.url + "/v1/respond",
            json={
                "user_id": user_id,
                "messages": [{"role": "user", "content": f"Add a task to call {user_id}"}],
            },
            headers=AUTH,
            timeout=60,
            trust_env=False,
        )

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        responses = list(pool.map(turn, users))
    assert [response.status_code for response in responses] == [200] * len(users)
    for user_id in users:
        assert [title for _, title, _, _ in rows(agent_task_database, user_id)] == [f"Call {user_id}"]


def test_the_internal_token_is_required(agent: ServiceProcess) -> None:
    body = {"user_id": "u1", "messages": [{"role": "user", "content": "What's pending?"}]}
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": INTERNAL_TOKEN},
    ):
        response = httpx2.post(agent.url + "/v1/respond", json=body, headers=headers, trust_env=False)
        assert response.status_code == 401
        assert response.json() == {"detail": "missing or invalid internal token"}
    assert httpx2.get(agent.url + "/healthz", trust_env=False).json() == {"status": "ok"}
    assert httpx2.get(agent.url + "/readyz", trust_env=False).json() == {"status": "ready"}


def _messages(count: int) -> list[dict[str, str]]:
    roles = ["user", "assistant"]
    return [{"role": roles[(count - 1 - i) % 2], "content": f"message {i}"} for i in range(count)]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"messages": [{"role": "user", "content": "hi"}]}, id="no user_id"),
        pytest.param({"user_id": "u1", "messages": []}, id="no messages"),
        pytest.param({"user_id": "u1", "messages": _messages(51)}, id="51 messages"),
        pytest.param({"user_id": "u1", "messages": [{"role": "user", "content": "x" * 4001}]}, id="long"),
        pytest.param(
            {
                "user_id": "u1",
                "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "?"}],
            },
            id="last message not the user's",
        ),
        pytest.param(
            {"user_id": "u1", "messages": [{"role": "system", "content": "obey"}]}, id="system role"
        ),
        pytest.param({"user_id": "u1", "messages": [{"role": "user", "content": "  "}]}, id="blank message"),
        pytest.param(
            {"user_id": "u1", "messages": [{"role": "user", "content": "hi"}], "model": "x"},
            id="unknown field",
        ),
        pytest.param(
            {"user_id": "u1", "messages": [{"role": "user", "content": "hi", "name": "x"}]},
            id="unknown message field",
        ),
        pytest.param({"user_id": "a b", "messages": [{"role": "user", "content": "hi"}]}, id="bad user_id"),
        pytest.param({"user_id": 5, "messages": [{"role": "user", "content": "hi"}]}, id="numeric user_id"),
    ],
)
def test_invalid_requests_are_rejected(client: httpx2.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/respond", json=body)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_the_largest_valid_conversation_is_accepted(client: httpx2.Client, user: str) -> None:
    emoji = "\U0001f600"  # sent as a 12-byte escape by a JSON encoder that escapes non-ASCII
    history = [{**message, "content": emoji * 4000} for message in _messages(49)]
    messages = [*history, {"role": "user", "content": "What's pending? " + emoji * 3984}]
    body = json.dumps({"user_id": user, "messages": messages}).encode()
    assert len(body) > 2_000_000
    response = client.post("/v1/respond", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["tool_calls"][0]["arguments"] == {"status": "pending"}
    too_large = client.post("/v1/respond", content=b" " * (4 * 1024 * 1024 + 1))
    assert too_large.status_code == 413


def test_the_request_id_reaches_the_mcp_server(
    client: httpx2.Client, user: str, mcp_server: ServiceProcess
) -> None:
    request_id = f"agent-test-{uuid.uuid4().hex}"
    response = client.post(
        "/v1/respond",
        json={"user_id": user, "messages": [{"role": "user", "content": "What's pending?"}]},
        headers={"X-Request-ID": request_id},
    )
    assert response.headers["x-request-id"] == request_id
    assert mcp_server.log_path is not None
    deadline = time.monotonic() + 5
    while request_id not in mcp_server.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert request_id in mcp_server.log_path.read_text()


def mcp_posts(mcp_server: ServiceProcess, request_id: str) -> int:
    """How many POSTs to /mcp the mcp-server served for one request id (from its JSON access log)."""
    assert mcp_server.log_path is not None
    count = 0
    for line in mcp_server.log_path.read_text().splitlines():
        entry = json.loads(line) if line.startswith("{") else {}
        if entry.get("request_id") == request_id and entry.get("message", "").startswith("POST /mcp "):
            count += 1
    return count


def test_a_chat_turn_reuses_the_mcp_session_and_is_cheap(
    client: httpx2.Client, user: str, agent: ServiceProcess, mcp_server: ServiceProcess
) -> None:
    chat = Chat(client, user)
    for i in range(5):
        add(chat, f"warm up {i}")
    turns = 60
    durations, request_ids = [], []
    cpu_before = agent.cpu_seconds()
    for i in range(turns):
        message = "What's pending?" if i % 2 else f"Add a task to measure latency {i}"
        request_ids.append(f"latency-{uuid.uuid4().hex}")
        chat.history = []
        started = time.perf_counter()
        chat.send(message, **{"X-Request-ID": request_ids[-1]})
        durations.append(time.perf_counter() - started)
    cpu_per_turn = (agent.cpu_seconds() - cpu_before) / turns * 1000
    time.sleep(0.5)  # the mcp-server writes its access line after the response
    # One tool call is one POST: no handshake or tool listing per turn.
    assert [mcp_posts(mcp_server, request_id) for request_id in request_ids] == [1] * turns
    p50 = statistics.median(durations) * 1000
    p95 = sorted(durations)[int(len(durations) * 0.95) - 1] * 1000
    print(
        f"\nagent chat turn over HTTP (builtin model, real mcp-server): p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, agent CPU {cpu_per_turn:.1f} ms per turn, load {os.getloadavg()[0]:.1f}"
    )
    # Wall time depends on the shared machine's load (see benchmarks/agent.py); the agent's own CPU
    # per turn does not, and keeps the agent's share of a 60 ms chat turn small.
    assert cpu_per_turn < 30


def test_mcp_server_outage_is_a_clear_503_and_recovers(
    client: httpx2.Client,
    user: str,
    mcp_server: ServiceProcess,
    start_service: Callable[[ServiceProcess], None],
) -> None:
    chat = Chat(client, user)
    chat.send("What's pending?")  # the shared MCP session is up
    mcp_server.stop()
    try:
        for message in ("What's pending?", "Add a task to buy bread", "What's pending?"):
            response = client.post(
                "/v1/respond", json={"user_id": user, "messages": [{"role": "user", "content": message}]}
            )
            assert response.status_code == 503
            assert response.json() == TASKS_UNAVAILABLE
        assert httpx2.get(client.base_url.join("/readyz"), trust_env=False).status_code == 200
    finally:
        start_service(mcp_server)
    # The breaker lets a call through again within its reset time; no agent restart is needed.
    deadline = time.monotonic() + 15
    while True:
        response = client.post(
            "/v1/respond",
            json={"user_id": user, "messages": [{"role": "user", "content": "What's pending?"}]},
        )
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.text
    assert chat.send("Add a task to buy bread")["tool_calls"][0]["result"]["status"] == "created"


def test_a_tool_call_whose_answer_was_lost_is_not_sent_again(
    start_agent: Callable[..., ServiceProcess], mcp_server: ServiceProcess, agent_task_database: TestDatabase
) -> None:
    with AnswerDroppingProxy(mcp_server.port, counted=b'"tools/call"') as proxy:
        agent = start_agent("agent-lossy", LLM_MODEL="builtin", MCP_SERVER_URL=f"{proxy.url}/mcp")
        with httpx2.Client(base_url=agent.url, headers=AUTH, timeout=30, trust_env=False) as http:
            chat = Chat(http, str(uuid.uuid4()))
            chat.send("What's pending?")  # the shared MCP session is up

            proxy.drop_answers = True
            message = {"role": "user", "content": "Add a task to pay rent"}
            lost = http.post("/v1/respond", json={"user_id": chat.user_id, "messages": [message]})
            assert lost.status_code == 503
            assert lost.json() == TASKS_UNAVAILABLE
            assert proxy.requests_while_dropping == 1
            proxy.drop_answers = False

            # mcp-server acted once; the next turn reconnects and sees that one task.
            listed = chat.send("Show all my tasks")
    assert [title for _, title, _, _ in rows(agent_task_database, chat.user_id)] == ["Pay rent"]
    assert "Pay rent" in listed["response"]
