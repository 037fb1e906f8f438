from sqlmodel import SQLModel
from todo_common.migrations import alembic_env, owned_metadata
from todo_mcp_server.models import OWNED_TABLES

alembic_env(owned_metadata(SQLModel.metadata, OWNED_TABLES))
