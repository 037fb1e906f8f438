from sqlmodel import SQLModel
from todo_backend.models import OWNED_TABLES
from todo_common.migrations import alembic_env, owned_metadata

alembic_env(owned_metadata(SQLModel.metadata, OWNED_TABLES))
