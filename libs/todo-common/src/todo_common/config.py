"""Settings from environment variables, with a clear message when one is missing or invalid."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(Exception):
    """The environment does not describe a valid configuration; the message names each variable."""


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


# Any case, as uvicorn and most tools accept it (LOG_LEVEL=warning).
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)]


class CommonSettings(BaseSettings):
    """Settings every service reads; a service subclasses it and sets its own port default."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    host: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    port: int = Field(ge=1, le=65535)
    log_level: LogLevel = "INFO"
    log_format: Literal["json", "text"] = "json"
    shutdown_timeout_seconds: int = Field(default=20, ge=0, le=300)


class InternalTokenSettings(BaseSettings):
    """The shared secret that internal calls carry as a bearer token."""

    internal_token: SecretStr = Field(min_length=16)


class DatabaseSettings(BaseSettings):
    database_url: SecretStr

    @field_validator("database_url")
    @classmethod
    def _postgresql_url(cls, value: SecretStr) -> SecretStr:
        # Fail at start with a message, not at the first query; never echo the URL (it holds a password).
        try:
            sqlalchemy_url(value.get_secret_value())
        except ValueError as exc:
            raise ValueError(str(exc).removeprefix("DATABASE_URL ")) from None
        return value


DRIVER_SCHEME = "postgresql+psycopg"


def sqlalchemy_url(database_url: str) -> str:
    """Accept the URL users have (`postgres://…`, `postgresql://…`, e.g. from Neon) and select psycopg 3."""
    scheme, separator, rest = database_url.partition("://")
    if not separator:
        raise ValueError("DATABASE_URL must look like postgresql://user:password@host:5432/database")
    if scheme in {"postgres", "postgresql"} or scheme.startswith("postgresql+"):
        return f"{DRIVER_SCHEME}://{rest}"
    raise ValueError(f"DATABASE_URL scheme {scheme!r} is not supported; use postgresql://")


S = TypeVar("S", bound=BaseSettings)


def load_settings(settings_class: type[S]) -> S:
    """Read settings from the environment or raise ConfigurationError naming every bad variable."""
    try:
        return settings_class()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = "_".join(str(part) for part in error["loc"]).upper() or "?"
            if error["type"] == "missing":
                reason = "is required"
            elif error["type"] == "value_error":
                reason = str(error.get("ctx", {}).get("error", error["msg"]))
            elif error["type"] in {"too_short", "string_too_short"}:
                # SecretStr reports its length in "items"; say what it means for a variable.
                reason = f"must be at least {error.get('ctx', {}).get('min_length', '?')} characters long"
            else:
                reason = error["msg"]
            problems.append(f"{variable} {reason}")
        raise ConfigurationError("invalid configuration: " + "; ".join(problems)) from None
