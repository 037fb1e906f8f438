"""The ASGI application: MCP over streamable HTTP at /mcp plus the operational routes, behind the
standard middleware (request id, body limit, internal bearer token on /mcp)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.transport_security import TransportSecuritySettings
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp
from todo_common.database import check_database, create_engine
from todo_common.health import operational_routes
from todo_common.middleware import protect

from .config import McpServerSettings
from .tasks import TaskStore
from .tools import build_mcp_server

MCP_PATH = "/mcp"
# Tool arguments are at most a few kilobytes (title 200, description 1000 characters).
MAX_BODY_BYTES = 64 * 1024
READINESS_TIMEOUT_SECONDS = 2.0


async def _no_event_stream(_: Request) -> JSONResponse:
    """A stateless server never sends unsolicited messages, so it offers no GET event stream (the MCP spec's
    answer is 405); otherwise an idle stream would stay open and hold up every graceful shutdown."""
    return JSONResponse({"detail": "use POST"}, status_code=405, headers={"Allow": "POST"})


def build_app(settings: McpServerSettings) -> ASGIApp:
    # Stateless mode opens and closes a transport per request; its INFO lines would double the access log.
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
    # Every task operation is a single statement, so autocommit is as safe as a transaction around it
    # and saves the BEGIN and COMMIT/ROLLBACK round trips of each tool call.
    engine = create_engine(settings.database_url.get_secret_value(), autocommit=True)
    return compose_app(engine, settings)


def compose_app(engine: AsyncEngine, settings: McpServerSettings) -> ASGIApp:
    server = build_mcp_server(TaskStore(engine))
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        # Server-to-server only: Host must be one of ours and no browser Origin is accepted.
        transport_security=TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=settings.allowed_hosts,
            allowed_origins=[],
        ),
    )

    async def database_ready() -> None:
        await check_database(engine)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # A mounted app's own lifespan never runs, so the session manager is started here.
        async with server.session_manager.run():
            try:
                yield
            finally:
                await engine.dispose()

    app = Starlette(
        routes=[
            *operational_routes({"database": database_ready}, timeout=READINESS_TIMEOUT_SECONDS),
            Route(MCP_PATH, _no_event_stream, methods=["GET"]),
            Mount("/", app=mcp_app),
        ],
        lifespan=lifespan,
    )
    return protect(
        app,
        max_body_bytes=MAX_BODY_BYTES,
        internal_token=settings.internal_token.get_secret_value(),
        protected_prefixes=(MCP_PATH,),
    )
