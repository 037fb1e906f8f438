"""What the app holds for its lifetime, created in `build_app` and reached through `request.app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from .agent_client import AgentClient
from .config import BackendSettings
from .mcp_tools import McpTaskTools


@dataclass
class AppState:
    settings: BackendSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tasks: McpTaskTools
    agent: AgentClient
