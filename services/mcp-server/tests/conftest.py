"""Fixtures of the MCP server tests: one migrated database per session, clients for its tools."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from tests.support.processes import REPO_ROOT, TestDatabase


def run_mcp_migrations(database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m todo_mcp_server.migrate` exactly as the release hook runs it."""
    return subprocess.run(
        [sys.executable, "-m", "todo_mcp_server.migrate"],
        env={**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "text", **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="session")
def mcp_database_url() -> Iterator[str]:
    database = TestDatabase("todo_mcp")
    try:
        migration = run_mcp_migrations(database.url)
        assert migration.returncode == 0, migration.stderr + migration.stdout
        yield database.url
    finally:
        database.drop()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def mcp_migrate() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_mcp_migrations
