"""The backend's ASGI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp
from todo_common.database import check_database, create_engine, is_database_unavailable
from todo_common.health import operational_routes
from todo_common.middleware import protect
from todo_common.resilience import DependencyUnavailableError

from .agent_client import AgentClient
from .api import auth, chat, tasks
from .config import MAX_BODY_BYTES, BackendSettings
from .mcp_tools import McpTaskTools
from .state import AppState

_log = logging.getLogger("todo.backend")
DATABASE_UNAVAILABLE = "the database is unavailable, try again"
_DEPENDENCY_NAMES = {"mcp-server": "the task service", "agent": "the assistant"}


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):
        _log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"detail": DATABASE_UNAVAILABLE}, status_code=503)
    _log.error("database error", exc_info=exc)
    return JSONResponse({"detail": "internal error"}, status_code=500)


async def _dependency_unavailable(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DependencyUnavailableError)
    _log.warning("%s unavailable: %s", exc.dependency, exc.reason)
    name = _DEPENDENCY_NAMES.get(exc.dependency, exc.dependency)
    return JSONResponse({"detail": f"{name} is unavailable, try again"}, status_code=503)


def create_app(settings: BackendSettings) -> FastAPI:
    engine = create_engine(settings.database_url.get_secret_value())
    token = settings.internal_token.get_secret_value()
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False),
        tasks=McpTaskTools(settings.mcp_server_url, token),
        agent=AgentClient(settings.agent_url, token),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await state.tasks.aclose()
        await state.agent.aclose()
        await engine.dispose()

    app = FastAPI(
        title="Todo backend",
        version="1.0.0",
        description="REST API of the Todo chatbot: accounts, tasks (through mcp-server) and chat.",
        lifespan=lifespan,
    )
    app.state.todo = state
    app.include_router(auth.router)
    app.include_router(tasks.router)
    app.include_router(chat.router)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(DependencyUnavailableError, _dependency_unavailable)

    async def database_ready() -> None:
        await check_database(engine)

    app.router.routes.extend(operational_routes({"database": database_ready}))
    return app


def build_app(settings: BackendSettings) -> ASGIApp:
    return protect(create_app(settings), max_body_bytes=MAX_BODY_BYTES)
