"""The task tools against a real PostgreSQL database, through the official MCP client in memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client
from todo_common.database import create_engine
from todo_mcp_server.tasks import TaskStore
from todo_mcp_server.tools import DATABASE_UNAVAILABLE, build_mcp_server
from todo_testing.mcp_client import call_error, call_ok
from todo_testing.processes import free_port

pytestmark = pytest.mark.anyio

TOOLS = {
    "add_task",
    "list_tasks",
    "complete_task",
    "delete_task",
    "update_task",
    "get_task",
    "set_task_completion",
}
TASK_KEYS = {"id", "user_id", "title", "description", "completed", "created_at", "updated_at"}
CHANGE_KEYS = {"task_id", "status", "title", "task"}


@pytest.fixture
async def client(mcp_database_url: str) -> AsyncIterator[Client]:
    engine = create_engine(mcp_database_url)
    try:
        async with Client(build_mcp_server(TaskStore(engine))) as mcp_client:
            yield mcp_client
    finally:
        await engine.dispose()


@pytest.fixture
def user() -> str:
    return str(uuid.uuid4())


def parse_utc(timestamp: str) -> datetime:
    assert timestamp.endswith(("Z", "+00:00")), timestamp
    parsed = datetime.fromisoformat(timestamp)
    assert parsed.utcoffset() == timedelta(0)
    return parsed


async def add(client: Client, user: str, title: str, **extra: Any) -> dict[str, Any]:
    task: dict[str, Any] = (await call_ok(client, "add_task", user_id=user, title=title, **extra))["task"]
    return task


async def test_exactly_the_contract_tools_with_descriptions_and_schemas(client: Client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}

    assert set(tools) == TOOLS
    output_schemas: dict[str, dict[str, Any]] = {}
    for tool in tools.values():
        assert len(tool.description or "") > 20, tool.name
        assert tool.output_schema is not None, tool.name
        output_schemas[tool.name] = tool.output_schema
        assert "user_id" in tool.input_schema["required"], tool.name
        assert tool.input_schema["properties"]["user_id"]["maxLength"] == 64
    add_properties = tools["add_task"].input_schema["properties"]
    assert (add_properties["title"]["minLength"], add_properties["title"]["maxLength"]) == (1, 200)
    assert tools["add_task"].input_schema["required"] == ["user_id", "title"]
    assert tools["list_tasks"].input_schema["properties"]["status"]["enum"] == ["all", "pending", "completed"]
    assert tools["get_task"].input_schema["properties"]["task_id"]["exclusiveMinimum"] == 0
    assert set(output_schemas["add_task"]["required"]) == CHANGE_KEYS
    assert set(output_schemas["get_task"]["required"]) == TASK_KEYS
    assert output_schemas["list_tasks"]["required"] == ["result"]


async def test_add_task_trims_the_title_and_returns_the_contract_shape(client: Client, user: str) -> None:
    result = await call_ok(client, "add_task", user_id=user, title="  Buy milk \n", description=" 2 liters ")

    assert set(result) == CHANGE_KEYS
    task = result["task"]
    assert set(task) == TASK_KEYS
    assert result["status"] == "created"
    assert result["task_id"] == task["id"] > 0
    assert result["title"] == task["title"] == "Buy milk"
    assert task["description"] == "2 liters"
    assert task["user_id"] == user
    assert task["completed"] is False
    created = parse_utc(task["created_at"])
    assert created == parse_utc(task["updated_at"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)


async def test_add_task_without_description_stores_none(client: Client, user: str) -> None:
    assert (await add(client, user, "No details"))["description"] is None
    assert (await add(client, user, "Blank details", description="   "))["description"] is None


async def test_titles_and_descriptions_at_their_limits_are_accepted(client: Client, user: str) -> None:
    task = await add(client, user, "t" * 200, description="d" * 1000)
    assert (len(task["title"]), len(task["description"])) == (200, 1000)


async def test_list_tasks_newest_first_and_filtered_by_status(client: Client, user: str) -> None:
    first = await add(client, user, "first")
    second = await add(client, user, "second")
    third = await add(client, user, "third")
    await call_ok(client, "complete_task", user_id=user, task_id=second["id"])

    async def ids(status: str | None = None) -> list[int]:
        arguments = {"user_id": user} | ({"status": status} if status else {})
        listed = await call_ok(client, "list_tasks", **arguments)
        assert set(listed) == {"result"}
        return [task["id"] for task in listed["result"]]

    assert await ids() == [third["id"], second["id"], first["id"]]
    assert await ids("all") == [third["id"], second["id"], first["id"]]
    assert await ids("pending") == [third["id"], first["id"]]
    assert await ids("completed") == [second["id"]]


async def test_list_tasks_of_a_user_without_tasks_is_empty(client: Client, user: str) -> None:
    assert await call_ok(client, "list_tasks", user_id=user) == {"result": []}


async def test_get_task_returns_the_task_itself(client: Client, user: str) -> None:
    task = await add(client, user, "Read a book", description="any")
    assert await call_ok(client, "get_task", user_id=user, task_id=task["id"]) == task


async def test_complete_task_marks_done_and_is_idempotent(client: Client, user: str) -> None:
    task = await add(client, user, "Water plants")

    done = await call_ok(client, "complete_task", user_id=user, task_id=task["id"])
    again = await call_ok(client, "complete_task", user_id=user, task_id=task["id"])

    assert (done["task_id"], done["status"], done["title"]) == (task["id"], "completed", "Water plants")
    assert done["task"]["completed"] is True
    assert again["status"] == "completed"
    assert again["task"]["completed"] is True
    assert parse_utc(done["task"]["updated_at"]) > parse_utc(task["updated_at"])
    assert done["task"]["created_at"] == task["created_at"]


async def test_set_task_completion_both_ways(client: Client, user: str) -> None:
    task = await add(client, user, "Call mom")

    completed = await call_ok(client, "set_task_completion", user_id=user, task_id=task["id"], completed=True)
    pending = await call_ok(client, "set_task_completion", user_id=user, task_id=task["id"], completed=False)

    assert (completed["status"], completed["task"]["completed"]) == ("completed", True)
    assert (pending["status"], pending["task"]["completed"]) == ("pending", False)
    assert (await call_ok(client, "get_task", user_id=user, task_id=task["id"]))["completed"] is False


async def test_update_task_changes_only_what_is_given(client: Client, user: str) -> None:
    task = await add(client, user, "Old title", description="old details")

    retitled = await call_ok(client, "update_task", user_id=user, task_id=task["id"], title=" New title ")
    redescribed = await call_ok(client, "update_task", user_id=user, task_id=task["id"], description="new")
    cleared = await call_ok(client, "update_task", user_id=user, task_id=task["id"], description="")

    assert (retitled["status"], retitled["title"]) == ("updated", "New title")
    assert retitled["task"]["description"] == "old details"
    assert redescribed["task"]["title"] == "New title"
    assert redescribed["task"]["description"] == "new"
    assert cleared["task"]["description"] is None
    assert cleared["task"]["completed"] is False
    assert parse_utc(cleared["task"]["updated_at"]) > parse_utc(task["updated_at"])
    assert await call_ok(client, "get_task", user_id=user, task_id=task["id"]) == cleared["task"]


async def test_update_task_with_nothing_to_change_is_an_error(client: Client, user: str) -> None:
    task = await add(client, user, "Stay")
    message = await call_error(client, "update_task", user_id=user, task_id=task["id"])
    assert message.startswith("Nothing to update")


async def test_delete_task_returns_the_task_and_removes_it(client: Client, user: str) -> None:
    task = await add(client, user, "Throw away")
    kept = await add(client, user, "Keep")

    deleted = await call_ok(client, "delete_task", user_id=user, task_id=task["id"])

    assert deleted == {"task_id": task["id"], "status": "deleted", "title": "Throw away", "task": task}
    listed = await call_ok(client, "list_tasks", user_id=user)
    assert [t["id"] for t in listed["result"]] == [kept["id"]]
    assert (
        await call_error(client, "get_task", user_id=user, task_id=task["id"])
        == f"Task {task['id']} not found"
    )
    assert (
        await call_error(client, "delete_task", user_id=user, task_id=task["id"])
        == f"Task {task['id']} not found"
    )


TASK_ID_TOOLS: list[tuple[str, dict[str, Any]]] = [
    ("get_task", {}),
    ("complete_task", {}),
    ("delete_task", {}),
    ("update_task", {"title": "hijacked"}),
    ("set_task_completion", {"completed": True}),
]


@pytest.mark.parametrize(("tool", "extra"), TASK_ID_TOOLS)
async def test_another_users_task_is_not_found_and_untouched(
    client: Client, user: str, tool: str, extra: dict[str, Any]
) -> None:
    owner_task = await add(client, user, "Private", description="secret")
    intruder = str(uuid.uuid4())

    message = await call_error(client, tool, user_id=intruder, task_id=owner_task["id"], **extra)

    assert message == f"Task {owner_task['id']} not found"
    assert await call_ok(client, "get_task", user_id=user, task_id=owner_task["id"]) == owner_task
    assert await call_ok(client, "list_tasks", user_id=intruder) == {"result": []}


@pytest.mark.parametrize(("tool", "extra"), TASK_ID_TOOLS)
async def test_unknown_task_is_not_found(client: Client, user: str, tool: str, extra: dict[str, Any]) -> None:
    assert (
        await call_error(client, tool, user_id=user, task_id=2_000_000_000, **extra)
        == "Task 2000000000 not found"
    )


INVALID_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("add_task", {"title": "   "}, "title: String should have at least 1 character"),
    ("add_task", {"title": "x" * 201}, "title: String should have at most 200 characters"),
    ("add_task", {"title": "ok", "description": "d" * 1001}, "description: String should have at most 1000"),
    ("add_task", {}, "title: Field required"),
    ("list_tasks", {"status": "done"}, "status: Input should be 'all', 'pending' or 'completed'"),
    ("get_task", {"task_id": 0}, "task_id: Input should be greater than 0"),
    ("complete_task", {"task_id": -3}, "task_id: Input should be greater than 0"),
    ("delete_task", {"task_id": "first"}, "task_id: Input should be a valid integer"),
    ("update_task", {"task_id": 1, "title": ""}, "title: String should have at least 1 character"),
    ("set_task_completion", {"task_id": 1}, "completed: Field required"),
    ("get_task", {"task_id": 2**31}, "task_id: Input should be less than or equal to 2147483647"),
    ("add_task", {"title": "nul\x00byte"}, "title: must not contain NUL characters"),
    ("update_task", {"task_id": 1, "description": "\x00"}, "description: must not contain NUL"),
]


@pytest.mark.parametrize(("tool", "arguments", "problem"), INVALID_CALLS)
async def test_invalid_arguments_are_a_clear_tool_error(
    client: Client, user: str, tool: str, arguments: dict[str, Any], problem: str
) -> None:
    message = await call_error(client, tool, user_id=user, **arguments)

    assert message.startswith(f"Invalid arguments for {tool}: ")
    assert problem in message
    assert "errors.pydantic.dev" not in message
    assert await call_ok(client, "list_tasks", user_id=user) == {"result": []}


@pytest.mark.parametrize(
    ("user_id", "problem"),
    [
        ("", "user_id: String should have at least 1 character"),
        ("   ", "user_id: String should have at least 1 character"),
        ("u" * 65, "user_id: String should have at most 64 characters"),
        (None, "user_id: Input should be a valid string"),
        ("a\x00b", "user_id: must not contain NUL characters"),
    ],
)
async def test_invalid_user_id_is_rejected(client: Client, user_id: str | None, problem: str) -> None:
    message = await call_error(client, "add_task", user_id=user_id, title="orphan")
    assert message == f"Invalid arguments for add_task: {problem}"


async def test_missing_user_id_is_rejected(client: Client) -> None:
    message = await call_error(client, "list_tasks")
    assert message == "Invalid arguments for list_tasks: user_id: Field required"


async def test_unreachable_database_is_a_clear_tool_error() -> None:
    engine = create_engine(f"postgresql://todo:todo@127.0.0.1:{free_port()}/nowhere")
    try:
        async with Client(build_mcp_server(TaskStore(engine))) as mcp_client:
            calls: list[tuple[str, dict[str, Any]]] = [
                ("add_task", {"title": "lost"}),
                ("list_tasks", {}),
                ("get_task", {"task_id": 1}),
            ]
            for tool, arguments in calls:
                message = await call_error(mcp_client, tool, user_id="someone", **arguments)
                assert message == DATABASE_UNAVAILABLE
    finally:
        await engine.dispose()
