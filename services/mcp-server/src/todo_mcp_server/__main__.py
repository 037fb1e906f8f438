"""`python -m todo_mcp_server`: serve the MCP tools (schema migrations are a separate command)."""

from todo_common.server import run_service

from .app import build_app
from .config import McpServerSettings

if __name__ == "__main__":
    run_service("mcp-server", McpServerSettings, build_app)
