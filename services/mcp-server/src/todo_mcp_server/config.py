"""Settings of the MCP server, read from the environment."""

from __future__ import annotations

from pydantic import Field, field_validator
from todo_common.config import CommonSettings, DatabaseSettings, InternalTokenSettings

DEFAULT_ALLOWED_HOSTS = "localhost:*,127.0.0.1:*,[::1]:*"


class McpServerSettings(CommonSettings, InternalTokenSettings, DatabaseSettings):
    port: int = Field(default=8001, ge=1, le=65535)
    # Comma-separated Host header values (`host:port` or `host:*`); DNS-rebinding protection checks them.
    mcp_allowed_hosts: str = DEFAULT_ALLOWED_HOSTS

    @field_validator("mcp_allowed_hosts")
    @classmethod
    def _at_least_one_host(cls, value: str) -> str:
        if not _split_hosts(value):
            raise ValueError("must list at least one host, e.g. localhost:*")
        return value

    @property
    def allowed_hosts(self) -> list[str]:
        return _split_hosts(self.mcp_allowed_hosts)


def _split_hosts(value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]
