"""Run one service's Alembic migrations once: wait for the database, take a lock, upgrade to head.

Each service owns its tables and keeps its own version table, so several services can migrate the same
database independently. `alembic_env` is what a service's `migrations/env.py` calls.
"""

from __future__ import annotations

import logging
import sys
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import Literal

import stamina
from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, create_engine, text
from sqlalchemy.exc import OperationalError

from .config import ConfigurationError, DatabaseSettings, LogLevel, load_settings
from .database import sqlalchemy_url
from .logging import configure_logging

_log = logging.getLogger("todo.migrations")


def wait_for_database(url: str, *, attempts: int = 30, max_delay: float = 5.0) -> None:
    """Poll until PostgreSQL accepts connections, with exponential backoff from 0.25 s; raise after
    `attempts`."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        for attempt in stamina.retry_context(
            on=OperationalError,
            attempts=attempts,
            timeout=None,
            wait_initial=0.25,
            wait_max=max_delay,
            wait_jitter=0,
            name="database",
        ):
            with attempt, engine.connect() as connection:
                connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise RuntimeError(f"database not reachable after {attempts} attempts") from exc
    finally:
        engine.dispose()


def upgrade_to_head(database_url: str, *, migrations_dir: Path, version_table: str) -> None:
    url = sqlalchemy_url(database_url)
    wait_for_database(url)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["version_table"] = version_table
    engine = create_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            # Two releases migrating at once (or a retried hook Job) wait for each other.
            lock_key = zlib.crc32(version_table.encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    _log.info("migrations for %s are at head", version_table)


def owned_metadata(metadata: MetaData, table_names: Collection[str]) -> MetaData:
    """A MetaData holding only the named tables of `metadata`.

    SQLModel registers every model on one global MetaData, so a process that imports two services' models
    (the test suite does) sees both services' tables there; each service migrates and compares only its own.
    """
    own = MetaData()
    for name in table_names:
        metadata.tables[name].to_metadata(own)
    return own


def alembic_env(target_metadata: MetaData) -> None:
    """The body of a service's migrations/env.py: online migrations on the connection given above."""
    config = context.config
    connection: Connection = config.attributes["connection"]
    own_tables = set(target_metadata.tables)

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        # Autogenerate must never see (and propose dropping) another service's tables.
        return type_ != "table" or name in own_tables

    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=config.attributes["version_table"],
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


class MigrationSettings(DatabaseSettings):
    """What `python -m <package>.migrate` reads: the database and how to log, nothing else."""

    log_level: LogLevel = "INFO"
    log_format: Literal["json", "text"] = "json"


def run_migrations(service: str, *, migrations_dir: Path, version_table: str) -> None:
    """The whole body of a service's `migrate.py`: settings from the environment, logs, upgrade."""
    try:
        settings = load_settings(MigrationSettings)
    except ConfigurationError as exc:
        print(f"{service} migrate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(f"{service}-migrate", settings.log_level, settings.log_format)
    upgrade_to_head(
        settings.database_url.get_secret_value(), migrations_dir=migrations_dir, version_table=version_table
    )
