"""Sign up, log in and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ..models import AppUser
from ..schemas import AuthResponse, LoginRequest, SignupRequest, UserOut
from ..security import create_token, hash_password, verify_password
from .deps import BAD_BODY, UNAVAILABLE, CurrentUserId, Session, State, error, unauthorized

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _auth_response(state: State, user: AppUser) -> AuthResponse:
    token = create_token(
        user.id,
        secret=state.settings.jwt_secret.get_secret_value(),
        expire_minutes=state.settings.jwt_expire_minutes,
    )
    return AuthResponse(token=token, user=UserOut(id=user.id, email=user.email, name=user.name))


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses={
        **BAD_BODY,
        409: error("The email is already registered"),
        422: error("Invalid input"),
        503: UNAVAILABLE,
    },
)
async def signup(body: SignupRequest, state: State, session: Session) -> AuthResponse:
    existing = (await session.exec(select(AppUser).where(AppUser.email == body.email))).first()
    if existing is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "this email is already registered")
    user = AppUser(email=body.email, name=body.name, password_hash=await hash_password(body.password))
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:  # signed up concurrently with the same email
        raise HTTPException(status.HTTP_409_CONFLICT, "this email is already registered") from None
    return _auth_response(state, user)


@router.post(
    "/login",
    responses={
        **BAD_BODY,
        401: error("Wrong email or password"),
        422: error("Invalid input"),
        503: UNAVAILABLE,
    },
)
async def login(body: LoginRequest, state: State, session: Session) -> AuthResponse:
    user = (await session.exec(select(AppUser).where(AppUser.email == body.email))).first()
    if not await verify_password(body.password, user.password_hash if user else None) or user is None:
        raise unauthorized("wrong email or password")
    return _auth_response(state, user)


@router.get(
    "/me",
    responses={
        401: error("Missing, invalid or expired token, or the account no longer exists"),
        503: UNAVAILABLE,
    },
)
async def me(user_id: CurrentUserId, session: Session) -> UserOut:
    user = await session.get(AppUser, user_id)
    if user is None:
        raise unauthorized("this account no longer exists")
    return UserOut(id=user.id, email=user.email, name=user.name)
