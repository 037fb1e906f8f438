"""The agent on an OpenAI-compatible endpoint (LLM_MODEL/LLM_BASE_URL/LLM_API_KEY), through the real
`openai` client, against a small scripted chat-completions server started here (no LLM can run on this
machine) and the real mcp-server with PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import psycopg
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase, free_port

MODEL = "scripted-test-model"
API_KEY = "sk-test-agent-0123456789"
# The phase III tools, plus marking a task as not done again; never get_task or others of the server.
ASSISTANT_TOOLS = {
    "add_task",
    "list_tasks",
    "complete_task",
    "delete_task",
    "update_task",
    "set_task_completion",
}


class ScriptedChatCompletions:
    """`POST /v1/chat/completions` answering from a script, one entry per request, recording each request."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[dict[str, Any]] = []
        self.script: list[dict[str, Any]] = []
        app = Starlette(routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the scripted LLM server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def expect(self, *entries: dict[str, Any]) -> None:
        self.requests.clear()
        self.script = list(entries)

    async def _complete(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"authorization": request.headers.get("authorization"), **body})
        entry: dict[str, Any] = self.script.pop(0) if self.script else {"status": 500}
        if "status" in entry:
            return JSONResponse({"error": {"message": "scripted failure"}}, status_code=entry["status"])
        message: dict[str, Any] = {"role": "assistant", "content": entry.get("content")}
        if "tool_calls" in entry:
            message["tool_calls"] = [
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                for call_id, name, args in entry["tool_calls"]
            ]
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if "tool_calls" in entry else "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [(call_id, name, arguments)]}


def say(text: str) -> dict[str, Any]:
    return {"content": text}


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedChatCompletions]:
    server = ScriptedChatCompletions()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def agent(start_agent: Callable[..., ServiceProcess], llm: ScriptedChatCompletions) -> ServiceProcess:
    return start_agent("agent-openai", LLM_MODEL=MODEL, LLM_BASE_URL=llm.base_url, LLM_API_KEY=API_KEY)


def respond(agent: ServiceProcess, user_id: str, message: str) -> httpx2.Response:
    return httpx2.post(
        agent.url + "/v1/respond",
        json={"user_id": user_id, "messages": [{"role": "user", "content": message}]},
        headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"},
        timeout=60,
        trust_env=False,
    )


def text_of(content: str | list[dict[str, str]]) -> str:
    return content if isinstance(content, str) else "".join(part["text"] for part in content)


def titles(database: TestDatabase, user_id: str) -> list[str]:
    with psycopg.connect(database.url) as conn:
        return [r[0] for r in conn.execute("SELECT title FROM task WHERE user_id = %s", (user_id,))]


def test_the_model_gets_the_tools_without_user_id_and_its_calls_really_run(
    agent: ServiceProcess, llm: ScriptedChatCompletions, agent_task_database: TestDatabase
) -> None:
    someone_else, user = str(uuid.uuid4()), str(uuid.uuid4())
    # The model even tries to name another user: the service's user_id wins.
    llm.expect(call("call_1", "add_task", title="Buy oat milk", user_id=someone_else), say("Added it!"))
    response = respond(agent, user, "Add oat milk please")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response"] == "Added it!"
    (tool_call,) = body["tool_calls"]
    assert tool_call["tool"] == "add_task"
    assert tool_call["arguments"] == {"title": "Buy oat milk"}
    assert tool_call["result"]["status"] == "created"
    assert tool_call["result"]["task"]["user_id"] == user
    assert titles(agent_task_database, user) == ["Buy oat milk"]
    assert titles(agent_task_database, someone_else) == []

    first, second = llm.requests
    assert first["authorization"] == f"Bearer {API_KEY}"
    assert first["model"] == MODEL
    assert first["messages"][0]["role"] in {"system", "developer"}
    assert first["messages"][-1] == {"role": "user", "content": "Add oat milk please"}
    offered = {tool["function"]["name"]: tool["function"]["parameters"] for tool in first["tools"]}
    assert set(offered) == ASSISTANT_TOOLS
    for name, parameters in offered.items():
        assert "user_id" not in parameters["properties"], name
        assert "user_id" not in parameters.get("required", []), name
    assert offered["add_task"]["required"] == ["title"]
    assert offered["complete_task"]["required"] == ["task_id"]
    (tool_message,) = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_message["tool_call_id"] == "call_1"
    assert json.loads(tool_message["content"])["task_id"] == tool_call["result"]["task_id"]


def test_a_model_cannot_reach_another_users_task(
    agent: ServiceProcess, llm: ScriptedChatCompletions, agent_task_database: TestDatabase
) -> None:
    owner, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    llm.expect(call("call_1", "add_task", title="Owner's plan"), say("Added."))
    task_id = respond(agent, owner, "Add my plan").json()["tool_calls"][0]["result"]["task_id"]

    llm.expect(
        call("call_1", "delete_task", task_id=task_id, user_id=owner),
        call("call_2", "complete_task", task_id=task_id, user_id=owner),
        call("call_3", "list_tasks", status="all", user_id=owner),
        say("I could not find that task."),
    )
    body = respond(agent, intruder, f"Delete task {task_id} of user {owner}").json()
    assert [c["result"] for c in body["tool_calls"]] == [
        {"error": f"Task {task_id} not found"},
        {"error": f"Task {task_id} not found"},
        {"result": []},
    ]
    assert all("user_id" not in c["arguments"] for c in body["tool_calls"])
    # What the model saw as the tool results: the errors, and an empty list.
    tool_outputs = [text_of(m["content"]) for m in llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert tool_outputs[0] == tool_outputs[1] == f"Task {task_id} not found"
    assert json.loads(tool_outputs[2]) == {"result": []}
    assert titles(agent_task_database, owner) == ["Owner's plan"]


def test_a_call_missing_an_argument_is_a_tool_error_the_model_can_correct(
    agent: ServiceProcess, llm: ScriptedChatCompletions
) -> None:
    llm.expect(call("call_1", "complete_task"), say("Which task do you mean?"))
    response = respond(agent, str(uuid.uuid4()), "Complete it")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "response": "Which task do you mean?",
        "tool_calls": [
            {
                "tool": "complete_task",
                "arguments": {},
                "result": {"error": "Missing required argument(s): task_id"},
            }
        ],
    }
    (tool_message,) = [m for m in llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert text_of(tool_message["content"]) == "Missing required argument(s): task_id"


def test_invalid_arguments_are_a_tool_error_not_an_outage(
    agent: ServiceProcess, llm: ScriptedChatCompletions
) -> None:
    llm.expect(call("call_1", "complete_task", task_id="the first one"), say("Sorry, which number?"))
    response = respond(agent, str(uuid.uuid4()), "Complete the first one")
    assert response.status_code == 200, response.text
    (tool_call,) = response.json()["tool_calls"]
    assert tool_call["arguments"] == {"task_id": "the first one"}
    assert "task_id" in tool_call["result"]["error"]


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (500, "the language model endpoint failed (HTTP 500)"),
        (401, "the language model endpoint failed (HTTP 401)"),
    ],
)
def test_llm_endpoint_errors_are_a_clear_502(
    agent: ServiceProcess, llm: ScriptedChatCompletions, status: int, detail: str
) -> None:
    llm.expect({"status": status}, {"status": status})
    response = respond(agent, str(uuid.uuid4()), "What's pending?")
    assert response.status_code == 502
    assert response.json() == {"detail": detail}


def test_an_unreachable_llm_endpoint_is_a_clear_503(
    agent: ServiceProcess, llm: ScriptedChatCompletions
) -> None:
    llm.stop()
    response = respond(agent, str(uuid.uuid4()), "What's pending?")
    assert response.status_code == 503
    assert response.json() == {"detail": "the language model is unavailable, try again"}
