"""`python -m todo_backend.migrate`: bring the backend's tables to the current schema, once per release."""

from pathlib import Path

from todo_common.migrations import run_migrations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_backend"

if __name__ == "__main__":
    run_migrations("backend", migrations_dir=MIGRATIONS_DIR, version_table=VERSION_TABLE)
