"""PostgreSQL unreachable or restarting: clear tool errors, readiness 503, recovery without a restart.

The shared PostgreSQL server is never stopped: the outage is a port where nothing listens, or a private
throwaway cluster that the test stops and starts.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from todo_mcp_server.tools import DATABASE_UNAVAILABLE
from todo_testing.mcp_client import call_error, call_ok, http_mcp_client
from todo_testing.private_postgres import PrivatePostgres
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    with PrivatePostgres() as cluster:
        yield cluster


def readiness(service: ServiceProcess) -> httpx2.Response:
    return httpx2.get(service.url + "/readyz", timeout=10)


async def test_database_that_never_answers(tmp_path: Path) -> None:
    service = ServiceProcess(
        "mcp-server",
        {
            "DATABASE_URL": f"postgresql://todo:todo@127.0.0.1:{free_port()}/todo",
            "INTERNAL_TOKEN": INTERNAL_TOKEN,
        },
        log_path=tmp_path / "mcp-server.log",
        ready_path="/healthz",
    )
    service.start(timeout=60)
    try:
        ready = readiness(service)
        assert ready.status_code == 503
        assert ready.json()["failed"] == {"database": "OperationalError"}
        async with http_mcp_client(service.url + "/mcp") as client:
            assert len((await client.list_tools()).tools) == 7
            assert await call_error(client, "add_task", user_id="u", title="lost") == DATABASE_UNAVAILABLE
            assert await call_error(client, "list_tasks", user_id="u") == DATABASE_UNAVAILABLE
    finally:
        service.stop()


async def test_recovers_when_postgresql_comes_back(
    private_postgres: PrivatePostgres,
    mcp_migrate: Callable[[str], subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    migration = mcp_migrate(private_postgres.url)
    assert migration.returncode == 0, migration.stderr
    service = ServiceProcess(
        "mcp-server",
        {"DATABASE_URL": private_postgres.url, "INTERNAL_TOKEN": INTERNAL_TOKEN},
        log_path=tmp_path / "mcp-server.log",
    )
    service.start(timeout=60)
    try:
        async with http_mcp_client(service.url + "/mcp") as client:
            # Fill the pool with connections that the restart will kill.
            before = await call_ok(client, "add_task", user_id="u", title="before the outage")

            private_postgres.stop()
            assert await call_error(client, "list_tasks", user_id="u") == DATABASE_UNAVAILABLE
            assert await call_error(client, "add_task", user_id="u", title="during") == DATABASE_UNAVAILABLE
            assert readiness(service).status_code == 503

            private_postgres.start()
            listed = await call_ok(client, "list_tasks", user_id="u")
            assert [task["id"] for task in listed["result"]] == [before["task_id"]]
            after = await call_ok(client, "add_task", user_id="u", title="after the outage")
            assert after["task_id"] > before["task_id"]
            assert readiness(service).status_code == 200
        assert service.process is not None
        assert service.process.poll() is None
    finally:
        service.stop()
