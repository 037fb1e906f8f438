"""Fixtures of the MCP server tests: one migrated database per session, clients for its tools."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator

import pytest
from todo_testing.processes import TestDatabase, run_module


def run_mcp_migrations(database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m todo_mcp_server.migrate` exactly as the release hook runs it."""
    return run_module(
        "todo_mcp_server.migrate", {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "text", **env}
    )


@pytest.fixture(scope="session")
def mcp_database_url() -> Iterator[str]:
    with TestDatabase("todo_mcp") as database:
        migration = run_mcp_migrations(database.url)
        assert migration.returncode == 0, migration.stderr + migration.stdout
        yield database.url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def mcp_migrate() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_mcp_migrations
