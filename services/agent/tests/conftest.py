"""Fixtures of the agent tests: a migrated task database and a real mcp-server process for the session."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase, migrate

# Python imports of the Agents SDK take seconds on a busy two-core machine.
START_TIMEOUT = 90.0


@pytest.fixture(scope="session")
def agent_task_database() -> Iterator[TestDatabase]:
    with TestDatabase("todo_agent") as database:
        migrate(database.url, owners=("todo_mcp_server.migrate",))
        yield database


@pytest.fixture(scope="session")
def agent_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent-logs")


@pytest.fixture(scope="session")
def mcp_server(agent_task_database: TestDatabase, agent_log_dir: Path) -> Iterator[ServiceProcess]:
    server = ServiceProcess(
        "mcp-server",
        {"INTERNAL_TOKEN": INTERNAL_TOKEN, "DATABASE_URL": agent_task_database.url},
        log_path=agent_log_dir / "mcp-server.log",
    )
    server.start(timeout=START_TIMEOUT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def start_service() -> Callable[[ServiceProcess], None]:
    """Start (or restart, on its port) a service process with a timeout fit for a busy machine."""

    def start(process: ServiceProcess) -> None:
        process.start(timeout=START_TIMEOUT)

    return start


@pytest.fixture(scope="module")
def start_agent(
    mcp_server: ServiceProcess, agent_log_dir: Path, start_service: Callable[[ServiceProcess], None]
) -> Iterator[Callable[..., ServiceProcess]]:
    """Start agent processes wired to the session's mcp-server; each must exit cleanly on SIGTERM."""
    started: list[ServiceProcess] = []

    def start(name: str, **env: str) -> ServiceProcess:
        process = ServiceProcess(
            "agent",
            {"INTERNAL_TOKEN": INTERNAL_TOKEN, "MCP_SERVER_URL": mcp_server.url + "/mcp", **env},
            log_path=agent_log_dir / f"{name}.log",
        )
        started.append(process)
        start_service(process)
        return process

    yield start
    exit_codes = [process.stop() for process in started]
    # uvicorn re-raises the SIGTERM it handled once drained (-15); -9 would mean it had to be killed.
    assert set(exit_codes) <= {0, -signal.SIGTERM}, f"agents did not shut down cleanly: {exit_codes}"
