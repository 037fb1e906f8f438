"""Talk to the MCP server the way the backend and the agent do: the official client over streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from .processes import INTERNAL_TOKEN


@asynccontextmanager
async def http_mcp_client(
    mcp_url: str, *, mode: str = "auto", token: str = INTERNAL_TOKEN
) -> AsyncIterator[Client]:
    """`mode="legacy"` is the initialize handshake (what the Agents SDK does), "auto" the 2026 protocol."""
    async with (
        httpx2.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30, read=60)
        ) as http_client,
        Client(streamable_http_client(mcp_url, http_client=http_client), mode=mode) as client,
    ):
        yield client


async def call_ok(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """Call a tool that must succeed; return its structured content."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool} failed: {result.content}"
    content = result.structured_content
    assert isinstance(content, dict), f"{tool} returned no structured content"
    return content


async def call_error(client: Client, tool: str, **arguments: Any) -> str:
    """Call a tool that must fail with a tool error; return the error text."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, f"{tool} unexpectedly succeeded: {result.structured_content}"
    assert result.structured_content is None
    texts = [block.text for block in result.content if block.type == "text"]
    assert len(texts) == 1, result.content
    return texts[0]
