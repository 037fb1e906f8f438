from todo_common.migrations import alembic_env
from todo_mcp_server.models import Task

alembic_env(Task.metadata)
