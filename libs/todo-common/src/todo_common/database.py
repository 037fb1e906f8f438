"""The async SQLAlchemy engine (psycopg 3) and how to tell "the database is down" from a bug."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .config import sqlalchemy_url

__all__ = ["check_database", "create_engine", "is_database_unavailable", "sqlalchemy_url"]


def create_engine(
    database_url: str, *, pool_size: int = 10, max_overflow: int = 5, autocommit: bool = False
) -> AsyncEngine:
    """`autocommit=True` suits a caller whose every unit of work is one statement: it saves the BEGIN and
    COMMIT/ROLLBACK round trips around each one (`engine.begin()` then sends neither).

    At most `pool_size + max_overflow` (15) connections per process. The kept pool is the larger part: an
    overflow connection is closed when it is returned, so every request beyond the kept ones opens a new
    PostgreSQL connection (a backend process forked, authentication), which at 10 concurrent requests with a
    pool of 5 was a fifth of mcp-server's CPU and more of PostgreSQL's (measured)."""
    # Unset unless asked for: each connection then keeps the driver's default (transactional) mode.
    isolation: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=5,
        # A connection that died while PostgreSQL restarted is replaced, not handed to a request.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"connect_timeout": 3},
        **isolation,
    )


async def check_database(engine: AsyncEngine) -> None:
    """Raise unless `SELECT 1` succeeds; the readiness route bounds the time it may take."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def is_database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "cannot reach PostgreSQL now", as opposed to a bad query."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError | TimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
