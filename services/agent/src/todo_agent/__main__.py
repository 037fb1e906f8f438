"""`python -m todo_agent`: serve the agent API."""

from todo_common.server import run_service

from .app import build_app
from .config import AgentSettings

if __name__ == "__main__":
    run_service("agent", AgentSettings, build_app)
