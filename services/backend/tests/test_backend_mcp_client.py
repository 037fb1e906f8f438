"""The backend's MCP client against a real mcp-server: tool errors, unreachable server, and the rule that
a write which may have reached the server is never sent twice (checked through a TCP proxy that drops
the server's answer after the server has acted)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from todo_backend.mcp_tools import READ_ATTEMPT_SECONDS, McpTaskTools, TaskNotFoundError
from todo_common.resilience import DependencyUnavailableError
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase, migrate
from todo_testing.tcp_proxy import AnswerDroppingProxy

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def mcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    with TestDatabase("todo_backend_mcp") as database:
        migrate(database.url)
        logs = tmp_path_factory.mktemp("mcp-client")
        service = ServiceProcess(
            "mcp-server",
            {"DATABASE_URL": database.url, "INTERNAL_TOKEN": INTERNAL_TOKEN},
            log_path=Path(logs) / "mcp-server.log",
        )
        service.start(timeout=90)
        try:
            yield service
        finally:
            service.stop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def tools_via_proxy(
    mcp_server: ServiceProcess,
) -> AsyncIterator[tuple[McpTaskTools, AnswerDroppingProxy]]:
    with AnswerDroppingProxy(mcp_server.port) as proxy:
        tools = McpTaskTools(f"http://127.0.0.1:{proxy.port}/mcp", INTERNAL_TOKEN)
        try:
            yield tools, proxy
        finally:
            await tools.aclose()


async def test_tool_results_and_not_found(tools_via_proxy: tuple[McpTaskTools, AnswerDroppingProxy]) -> None:
    tools, _ = tools_via_proxy
    user = str(uuid.uuid4())
    created = await tools.call("add_task", {"user_id": user, "title": "Real task"})
    assert created["status"] == "created"
    assert created["task"]["title"] == "Real task"
    with pytest.raises(TaskNotFoundError) as missing:
        await tools.call("get_task", {"user_id": user, "task_id": 2_000_000_000})
    assert missing.value.task_id == 2_000_000_000
    other_user = str(uuid.uuid4())
    with pytest.raises(TaskNotFoundError):
        await tools.call("get_task", {"user_id": other_user, "task_id": created["task_id"]})


async def test_a_write_that_may_have_arrived_is_never_resent(
    tools_via_proxy: tuple[McpTaskTools, AnswerDroppingProxy],
) -> None:
    tools, proxy = tools_via_proxy
    user = str(uuid.uuid4())
    await tools.call("add_task", {"user_id": user, "title": "before"})  # session up, connection pooled

    proxy.drop_answers = True
    with pytest.raises(DependencyUnavailableError):
        await tools.call("add_task", {"user_id": user, "title": "answer lost"})
    assert proxy.requests_while_dropping == 1
    proxy.drop_answers = False

    listed = await tools.call("list_tasks", {"user_id": user, "status": "all"})
    titles = [task["title"] for task in listed["result"]]
    assert sorted(titles) == ["answer lost", "before"]  # acted on once by the server, never re-sent


async def test_a_read_without_an_answer_is_sent_again_in_time(
    tools_via_proxy: tuple[McpTaskTools, AnswerDroppingProxy],
) -> None:
    tools, proxy = tools_via_proxy
    user = str(uuid.uuid4())
    await tools.call("add_task", {"user_id": user, "title": "kept"})  # session up, connection pooled

    proxy.answers_to_hold = 1
    before = proxy.requests
    started = time.perf_counter()
    listed = await tools.call("list_tasks", {"user_id": user, "status": "all"})
    took = time.perf_counter() - started
    assert [task["title"] for task in listed["result"]] == ["kept"]
    assert proxy.requests - before == 2
    # Answered from the second try, long before the client's 10 s timeout.
    assert took < READ_ATTEMPT_SECONDS + 2, took


async def test_unreachable_server_fails_fast_then_recovers_without_restart(
    mcp_server: ServiceProcess,
) -> None:
    proxy = AnswerDroppingProxy(mcp_server.port)  # not listening yet: connections are refused
    tools = McpTaskTools(f"http://127.0.0.1:{proxy.port}/mcp", INTERNAL_TOKEN)
    user = str(uuid.uuid4())
    try:
        durations = []
        for _ in range(4):
            started = time.perf_counter()
            with pytest.raises(DependencyUnavailableError) as failure:
                await tools.call("list_tasks", {"user_id": user, "status": "all"})
            durations.append(time.perf_counter() - started)
        assert max(durations) < 1.5, durations
        assert tools.breaker.is_open
        assert failure.value.reason == "circuit open after repeated failures"
        assert durations[-1] < 0.05

        with proxy:  # mcp-server reachable again
            await asyncio.sleep(tools.breaker.reset_after)
            assert await tools.call("list_tasks", {"user_id": user, "status": "all"}) == {"result": []}
            assert not tools.breaker.is_open
    finally:
        await tools.aclose()
