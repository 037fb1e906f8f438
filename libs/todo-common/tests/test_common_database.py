"""The database helpers against the real PostgreSQL server (and a port where none listens)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine
from todo_common.database import check_database, create_engine, is_database_unavailable, sqlalchemy_url

from tests.support.processes import TestDatabase, free_port

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
