"""Bring the backend's tables to the latest schema: `python -m todo_backend.migrate` (once per release)."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings
from todo_common.config import ConfigurationError, load_settings
from todo_common.logging import configure_logging
from todo_common.migrations import upgrade_to_head

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_backend"


class MigrateSettings(BaseSettings):
    database_url: SecretStr


def main() -> None:
    configure_logging("backend-migrate", "INFO", "json")
    try:
        settings = load_settings(MigrateSettings)
    except ConfigurationError as exc:
        print(f"backend-migrate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    upgrade_to_head(
        settings.database_url.get_secret_value(), migrations_dir=MIGRATIONS_DIR, version_table=VERSION_TABLE
    )


if __name__ == "__main__":
    main()
