"""Fixtures of the backend tests: the real stack (mcp-server, agent, backend, PostgreSQL) as processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from todo_testing.api import ApiUser, sign_up
from todo_testing.processes import Stack

# Start-up time is measured by the benchmark; tests only need the services up, on a possibly busy machine.
STARTUP_TIMEOUT = 90.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def backend_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backend-stack-logs")


@pytest.fixture(scope="session")
def stack(backend_logs: Path) -> Iterator[Stack]:
    running = Stack(log_dir=backend_logs).start(timeout=STARTUP_TIMEOUT)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=stack.backend.url, timeout=30) as client:
        yield client


@pytest.fixture
def user(api: httpx2.Client) -> ApiUser:
    return sign_up(api)


@pytest.fixture
def other_user(api: httpx2.Client) -> ApiUser:
    return sign_up(api, name="Someone Else")
