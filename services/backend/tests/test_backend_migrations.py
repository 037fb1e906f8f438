"""`python -m todo_backend.migrate`: idempotent, own version table, schema identical to the models."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel
from todo_backend.models import OWNED_TABLES
from todo_common.database import sqlalchemy_url
from todo_common.migrations import owned_metadata
from todo_testing.processes import TestDatabase, run_module

OWN_TABLES = {"app_user", "conversation", "message"}


def run_migrate(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return run_module("todo_backend.migrate", {**base, **env})


@pytest.fixture(scope="module")
def database() -> Iterator[TestDatabase]:
    with TestDatabase("todo_backend_migrate") as created:
        yield created


def test_migrate_is_idempotent_and_keeps_its_own_version_table(database: TestDatabase) -> None:
    for _ in range(2):
        result = run_migrate(DATABASE_URL=database.url)
        assert result.returncode == 0, result.stderr + result.stdout
    with psycopg.connect(database.url) as conn:
        tables = {
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert OWN_TABLES | {"alembic_version_backend"} <= tables
        assert "task" not in tables  # mcp-server's table, migrated by mcp-server
        assert conn.execute("SELECT version_num FROM alembic_version_backend").fetchall() == [("0001",)]


def test_migrations_match_the_models(database: TestDatabase) -> None:
    assert run_migrate(DATABASE_URL=database.url).returncode == 0
    engine = create_engine(sqlalchemy_url(database.url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _: kind != "table" or name in OWN_TABLES,
                },
            )
            differences = compare_metadata(context, owned_metadata(SQLModel.metadata, OWNED_TABLES))
    finally:
        engine.dispose()
    assert differences == []


def test_migrate_names_the_missing_variable() -> None:
    result = run_migrate()
    assert result.returncode == 2
    assert "DATABASE_URL is required" in result.stderr
