"""Password hashing (argon2) and the JWTs the API issues and accepts."""

from __future__ import annotations

import asyncio
import functools
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"
_hasher = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a login takes as long whether or not the account
    exists. Made on first use rather than at import, which would delay start-up."""
    return _hasher.hash("a password nobody has, used to keep login timing uniform")


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, badly signed or expired."""


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _dummy_hash())
        return False
    return await asyncio.to_thread(_hasher.verify, password, password_hash)


def create_token(user_id: uuid.UUID, *, secret: str, expire_minutes: int, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=expire_minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def user_id_from_token(token: str, *, secret: str) -> uuid.UUID:
    """The user id (`sub`) of a valid, unexpired token signed with `secret`; InvalidTokenError otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        return uuid.UUID(str(claims["sub"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise InvalidTokenError(type(exc).__name__) from None
