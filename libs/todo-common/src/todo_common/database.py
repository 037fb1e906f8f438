"""The async SQLAlchemy engine (psycopg 3) and how to tell "the database is down" from a bug."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .config import sqlalchemy_url

__all__ = ["check_database", "create_engine", "is_database_unavailable", "sqlalchemy_url"]


# A connection used this recently is taken as alive; one idle for longer is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 1.0
_LAST_USED = "todo_last_used"


def create_engine(
    database_url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 5,
    autocommit: bool = False,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
) -> AsyncEngine:
    """`autocommit=True` suits a caller whose every unit of work is one statement: it saves the BEGIN and
    COMMIT/ROLLBACK round trips around each one (`engine.begin()` then sends neither).

    At most `pool_size + max_overflow` (15) connections per process. The kept pool is the larger part: an
    overflow connection is closed when it is returned, so every request beyond the kept ones opens a new
    PostgreSQL connection (a backend process forked, authentication), which at 10 concurrent requests with a
    pool of 5 was a fifth of mcp-server's CPU and more of PostgreSQL's (measured)."""
    # Unset unless asked for: each connection then keeps the driver's default (transactional) mode.
    isolation: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=5,
        pool_recycle=1800,
        connect_args={"connect_timeout": 3},
        **isolation,
    )
    _ping_when_idle(engine.sync_engine, ping_after_idle_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before handing it out only if it has been idle for `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` pings at every checkout: a round trip, and about a third of the CPU of
    a one-row query through the engine (measured). A connection that died while PostgreSQL restarted has
    been idle for longer than the restart took, so it is still pinged and replaced before any request
    sees it. One that dies within a second of its last use fails its request with a disconnect error
    (a 503 upstream), and SQLAlchemy then invalidates the whole pool, so the next request reconnects.
    """

    def mark_used(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool replaces the connection and retries the checkout (SQLAlchemy's documented recipe).
            raise DisconnectionError(f"stale pooled connection: {type(exc).__name__}") from exc

    event.listen(engine, "connect", mark_used)
    event.listen(engine, "checkin", mark_used)
    event.listen(engine, "checkout", ping_if_idle)


async def check_database(engine: AsyncEngine) -> None:
    """Raise unless `SELECT 1` succeeds; the readiness route bounds the time it may take."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def is_database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "cannot reach PostgreSQL now", as opposed to a bad query."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError | TimeoutError | ConnectionError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
