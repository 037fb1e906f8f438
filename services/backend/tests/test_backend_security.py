"""Unit tests: password hashing, tokens, request schemas and settings."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import ValidationError
from todo_backend.config import BackendSettings
from todo_backend.conversations import title_from
from todo_backend.schemas import ChatRequest, SignupRequest, TaskCreate, TaskUpdate
from todo_backend.security import (
    InvalidTokenError,
    create_token,
    hash_password,
    user_id_from_token,
    verify_password,
)
from todo_common.config import ConfigurationError, load_settings

SECRET = "s" * 32


def _unsigned(header: dict[str, object], claims: dict[str, object]) -> str:
    """An `alg: none` token, which must never be accepted."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


@pytest.mark.anyio
async def test_password_hash_verifies_only_the_same_password() -> None:
    hashed = await hash_password("correct horse 1")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await verify_password("correct horse 1", hashed)
    assert not await verify_password("correct horse 2", hashed)
    assert not await verify_password("correct horse 1", None)


def test_token_round_trip_carries_the_user_id() -> None:
    user_id = uuid.uuid4()
    token = create_token(user_id, secret=SECRET, expire_minutes=5)
    assert user_id_from_token(token, secret=SECRET) == user_id
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user_id)
    assert claims["exp"] - claims["iat"] == 300


@pytest.mark.parametrize(
    "token",
    [
        create_token(uuid.uuid4(), secret="x" * 32, expire_minutes=5),  # another secret
        create_token(
            uuid.uuid4(), secret=SECRET, expire_minutes=5, now=datetime.now(UTC) - timedelta(minutes=6)
        ),
        jwt.encode({"sub": "not-a-uuid", "exp": datetime.now(UTC) + timedelta(minutes=5)}, SECRET),
        jwt.encode({"sub": str(uuid.uuid4())}, SECRET),  # no expiry
        _unsigned({"alg": "none", "typ": "JWT"}, {"sub": str(uuid.uuid4()), "exp": 9999999999}),
        "not.a.jwt",
    ],
    ids=["wrong-secret", "expired", "sub-not-uuid", "no-exp", "alg-none", "garbage"],
)
def test_invalid_tokens_are_rejected(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        user_id_from_token(token, secret=SECRET)


def test_signup_normalises_email_and_validates_fields() -> None:
    body = SignupRequest.model_validate(
        {"email": " Ann@Example.COM ", "password": "12345678", "name": " Ann "}
    )
    assert body.email == "ann@example.com"
    assert body.name == "Ann"
    for bad in (
        {"email": "not-an-email", "password": "12345678", "name": "Ann"},
        {"email": "a@example.com", "password": "1234567", "name": "Ann"},
        {"email": "a@example.com", "password": "x" * 129, "name": "Ann"},
        {"email": "a@example.com", "password": "12345678", "name": "   "},
        {"email": "a@example.com", "password": "12345678", "name": "Ann", "admin": True},
    ):
        with pytest.raises(ValidationError):
            SignupRequest.model_validate(bad)


def test_task_title_is_trimmed_and_bounded() -> None:
    assert TaskCreate.model_validate({"title": "  Buy milk  "}).title == "Buy milk"
    assert TaskCreate.model_validate({"title": "x" * 200}).title == "x" * 200
    for bad in (
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "a", "description": "d" * 1001},
        {"title": "a", "x": 1},
    ):
        with pytest.raises(ValidationError):
            TaskCreate.model_validate(bad)
    with pytest.raises(ValidationError):
        TaskCreate.model_validate({"title": "nul\x00byte"})
    assert TaskUpdate.model_validate({"description": "new"}).changes() == {"description": "new"}
    assert TaskUpdate.model_validate({}).changes() == {}


def test_chat_request_bounds() -> None:
    assert ChatRequest.model_validate({"message": " hi "}).message == "hi"
    assert ChatRequest.model_validate({"message": "line\nbreak"}).message == "line\nbreak"
    with pytest.raises(ValidationError):
        ChatRequest.model_validate({"message": "nul\x00byte"})
    for bad in (
        {"message": ""},
        {"message": "x" * 4001},
        {"message": "hi", "conversation_id": 0},
        {"message": "hi", "conversation_id": 2**31},
    ):
        with pytest.raises(ValidationError):
            ChatRequest.model_validate(bad)


def test_conversation_title_from_first_message() -> None:
    assert title_from("  add   a task\nto buy milk ") == "add a task to buy milk"
    long = title_from("word " * 40)
    assert len(long) == 60
    assert long.endswith("…")


def test_settings_require_secrets_and_name_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "JWT_SECRET", "INTERNAL_TOKEN", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JWT_SECRET", "too-short")
    with pytest.raises(ConfigurationError) as error:
        load_settings(BackendSettings)
    message = str(error.value)
    assert "DATABASE_URL is required" in message
    assert "INTERNAL_TOKEN is required" in message
    assert "JWT_SECRET" in message
    assert "too-short" not in message
    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/todo")
    monkeypatch.setenv("INTERNAL_TOKEN", "i" * 16)
    settings = load_settings(BackendSettings)
    assert settings.port == 8000
    assert settings.jwt_expire_minutes == 1440
    assert settings.mcp_server_url == "http://localhost:8001/mcp"
    assert settings.agent_url == "http://localhost:8002"
