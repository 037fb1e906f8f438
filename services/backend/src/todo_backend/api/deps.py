"""Dependencies of the routes: the app's state, a database session and the authenticated user."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from ..schemas import ErrorOut
from ..security import InvalidTokenError, user_id_from_token
from ..state import AppState

_bearer = HTTPBearer(auto_error=False, description="The JWT from /api/auth/signup or /api/auth/login")


# Dependencies are `async def` even without awaiting: FastAPI runs a plain `def` one in a worker thread.
async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.todo
    return state


State = Annotated[AppState, Depends(app_state)]


async def db_session(state: State) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(db_session)]


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def current_user_id(
    state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> uuid.UUID:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("missing bearer token")
    try:
        return user_id_from_token(
            credentials.credentials, secret=state.settings.jwt_secret.get_secret_value()
        )
    except InvalidTokenError:
        raise unauthorized("invalid or expired token") from None


CurrentUserId = Annotated[uuid.UUID, Depends(current_user_id)]


async def path_user_id(
    current: CurrentUserId,
    user_id: Annotated[uuid.UUID, Path(description="The signed-in user's id (the token's `sub`)")],
) -> uuid.UUID:
    if user_id != current:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this user id is not yours")
    return user_id


OwnerId = Annotated[uuid.UUID, Depends(path_user_id)]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


BAD_BODY: dict[int | str, dict[str, Any]] = {400: error("The request body is not readable JSON")}
UNAVAILABLE = error("A dependency (database, mcp-server or agent) is unavailable; try again")
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error("Missing, invalid or expired bearer token"),
    403: error("The user id in the path is not the token's user"),
    422: error("Invalid input"),
    503: UNAVAILABLE,
}
