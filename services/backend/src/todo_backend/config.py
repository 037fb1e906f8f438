"""The backend's settings, read from environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from todo_common.config import CommonSettings, DatabaseSettings, InternalTokenSettings

MAX_BODY_BYTES = 64 * 1024


class BackendSettings(CommonSettings, InternalTokenSettings, DatabaseSettings):
    port: int = Field(default=8000, ge=1, le=65535)
    jwt_secret: SecretStr = Field(min_length=32)
    jwt_expire_minutes: int = Field(default=1440, ge=1, le=60 * 24 * 365)
    mcp_server_url: str = Field(default="http://localhost:8001/mcp", pattern=r"^https?://")
    agent_url: str = Field(default="http://localhost:8002", pattern=r"^https?://")
