import todo_backend.models  # noqa: F401 - registers the tables on SQLModel.metadata
from sqlmodel import SQLModel
from todo_common.migrations import alembic_env

alembic_env(SQLModel.metadata)
