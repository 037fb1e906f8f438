"""`python -m todo_mcp_server.migrate`: idempotent, safe to run concurrently, and matching the model."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel
from todo_common.database import sqlalchemy_url
from todo_common.migrations import owned_metadata
from todo_mcp_server.migrate import VERSION_TABLE
from todo_mcp_server.models import OWNED_TABLES
from todo_testing.processes import INTERNAL_TOKEN, ServiceProcess, TestDatabase

Migrate = Callable[..., subprocess.CompletedProcess[str]]
EXPECTED_COLUMNS = {
    ("id", "integer", None, "NO"),
    ("user_id", "character varying", 64, "NO"),
    ("title", "character varying", 200, "NO"),
    ("description", "character varying", 1000, "YES"),
    ("completed", "boolean", None, "NO"),
    ("created_at", "timestamp with time zone", None, "NO"),
    ("updated_at", "timestamp with time zone", None, "NO"),
}


@pytest.fixture
def empty_database() -> Iterator[TestDatabase]:
    with TestDatabase("todo_mcp_migrate") as database:
        yield database


def test_migrations_are_idempotent(empty_database: TestDatabase, mcp_migrate: Migrate) -> None:
    first = mcp_migrate(empty_database.url)
    second = mcp_migrate(empty_database.url)

    assert first.returncode == 0, first.stderr + first.stdout
    assert second.returncode == 0, second.stderr + second.stdout
    assert "Running upgrade  -> 0001_mcp_task" in first.stdout
    assert "Running upgrade" not in second.stdout
    with psycopg.connect(empty_database.url) as connection:
        versions = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()  # noqa: S608
        columns = connection.execute(
            "SELECT column_name, data_type, character_maximum_length, is_nullable "
            "FROM information_schema.columns WHERE table_name = 'task'"
        ).fetchall()
        indexes = {
            row[0] for row in connection.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'task'")
        }
    assert versions == [("0001_mcp_task",)]
    assert set(columns) == EXPECTED_COLUMNS
    assert {"task_pkey", "ix_task_user_id", "ix_task_user_id_completed"} <= indexes
    # Only this service's tables: the backend keeps its own version table.
    assert public_tables(empty_database.url) == {"task", VERSION_TABLE}


def test_concurrent_migrations_wait_for_each_other(
    empty_database: TestDatabase, mcp_migrate: Migrate
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(mcp_migrate, [empty_database.url] * 2))
    assert [result.returncode for result in results] == [0, 0], [result.stderr for result in results]
    assert sum("Running upgrade" in result.stdout for result in results) == 1


def test_model_matches_the_migrations(mcp_database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(mcp_database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, _parent: type_ != "table" or name == "task",
                },
            )
            differences = compare_metadata(context, owned_metadata(SQLModel.metadata, OWNED_TABLES))
    finally:
        engine.dispose()
    assert differences == []


def public_tables(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


def test_the_service_never_migrates_at_start(empty_database: TestDatabase) -> None:
    service = ServiceProcess(
        "mcp-server", {"DATABASE_URL": empty_database.url, "INTERNAL_TOKEN": INTERNAL_TOKEN}
    )
    service.start(timeout=60)
    try:
        assert public_tables(empty_database.url) == set()
    finally:
        service.stop()


def test_migrate_without_database_url_names_the_variable(mcp_migrate: Migrate) -> None:
    result = mcp_migrate("", DATABASE_URL="")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
