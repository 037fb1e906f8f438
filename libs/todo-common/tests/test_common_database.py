"""The database helpers against the real PostgreSQL server (and a port where none listens)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine
from todo_common.database import check_database, create_engine, is_database_unavailable, sqlalchemy_url
from todo_testing.processes import TestDatabase, free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def database() -> Iterator[TestDatabase]:
    with TestDatabase("todo_common_db") as created:
        yield created


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u:p@h/d?sslmode=require", "postgresql+psycopg://u:p@h/d?sslmode=require"),
        ("postgresql+asyncpg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_sqlalchemy_url_selects_psycopg(given: str, expected: str) -> None:
    assert sqlalchemy_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("localhost:5432/db", "must look like postgresql://"),
        ("sqlite:///x.db", "scheme 'sqlite' is not supported"),
    ],
)
def test_sqlalchemy_url_rejects_other_urls(given: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sqlalchemy_url(given)


async def test_check_database_passes_on_a_live_database(database: TestDatabase) -> None:
    engine = create_engine(database.url)
    try:
        await check_database(engine)
    finally:
        await engine.dispose()


async def unreachable_error() -> BaseException:
    engine: AsyncEngine = create_engine(f"postgresql://todo:todo@127.0.0.1:{free_port()}/none")
    try:
        await check_database(engine)
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("check_database succeeded against a port where nothing listens")


async def test_unreachable_database_is_unavailable() -> None:
    error = await unreachable_error()
    assert isinstance(error, OperationalError)
    assert is_database_unavailable(error)


async def test_query_errors_are_not_unavailability(database: TestDatabase) -> None:
    engine = create_engine(database.url)
    try:
        async with engine.begin() as connection:
            with pytest.raises(ProgrammingError) as bad_sql:
                await connection.execute(text("SELECT * FROM no_such_table"))
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TEMP TABLE t (id int PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(IntegrityError) as duplicate:
                await connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        await engine.dispose()
    assert not is_database_unavailable(bad_sql.value)
    assert not is_database_unavailable(duplicate.value)
    assert not is_database_unavailable(ValueError("bug"))
    assert is_database_unavailable(ConnectionRefusedError())
    assert is_database_unavailable(TimeoutError())


@pytest.mark.parametrize(("autocommit", "kept"), [(False, []), (True, [True])])
async def test_autocommit_engine_commits_each_statement(
    database: TestDatabase, autocommit: bool, kept: list[bool]
) -> None:
    """A transactional engine drops a write whose block was left without commit; an autocommit one
    has already committed it, since each statement is its own transaction."""
    engine = create_engine(database.url, autocommit=autocommit)
    flag = {"autocommit": autocommit}
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE IF NOT EXISTS autocommit_probe (autocommit bool)"))
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO autocommit_probe VALUES (:autocommit)"), flag)
        async with engine.connect() as connection:
            query = text("SELECT autocommit FROM autocommit_probe WHERE autocommit = :autocommit")
            rows = (await connection.execute(query, flag)).scalars().all()
    finally:
        await engine.dispose()
    assert rows == kept


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def terminate(database: TestDatabase, pid: int) -> None:
    """What a PostgreSQL restart does to a pooled connection, without restarting the shared server."""
    with psycopg.connect(database.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def test_a_connection_that_died_while_idle_is_replaced_before_any_query_sees_it(
    database: TestDatabase,
) -> None:
    engine = create_engine(database.url, pool_size=1, max_overflow=0, ping_after_idle_seconds=0.2)
    try:
        first = await backend_pid(engine)
        terminate(database, first)
        await asyncio.sleep(0.3)  # idle for longer than the threshold, as across a restart
        assert await backend_pid(engine) != first
    finally:
        await engine.dispose()


async def test_a_connection_that_died_just_after_use_fails_one_query_then_the_pool_reconnects(
    database: TestDatabase,
) -> None:
    """Within the idle threshold no ping is sent: the dead connection reaches the query, which fails as
    "unavailable" (a 503 upstream), and the next query gets a new connection."""
    engine = create_engine(database.url, pool_size=1, max_overflow=0, ping_after_idle_seconds=60)
    try:
        first = await backend_pid(engine)
        terminate(database, first)
        with pytest.raises(OperationalError) as failed:
            await backend_pid(engine)
        assert is_database_unavailable(failed.value)
        assert await backend_pid(engine) != first
    finally:
        await engine.dispose()
