"""Settings from the environment: a service that cannot start says which variables are wrong."""

from __future__ import annotations

import pytest
from pydantic import Field
from todo_common.config import (
    CommonSettings,
    ConfigurationError,
    DatabaseSettings,
    InternalTokenSettings,
    load_settings,
)
from todo_common.migrations import MigrationSettings

SECRET_URL = "postgresql://app:s3cret-password@db.example:5432/todo"


class ServiceSettings(CommonSettings, InternalTokenSettings, DatabaseSettings):
    port: int = Field(default=8123, ge=1, le=65535)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("DATABASE_URL", "INTERNAL_TOKEN", "PORT", "HOST", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("SHUTDOWN_TIMEOUT_SECONDS", raising=False)


def problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as failure:
        load_settings(ServiceSettings)
    message = str(failure.value)
    assert message.startswith("invalid configuration: ")
    return message.removeprefix("invalid configuration: ")


def test_valid_environment_loads_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", SECRET_URL)
    monkeypatch.setenv("INTERNAL_TOKEN", "x" * 16)
    settings = load_settings(ServiceSettings)
    assert (settings.host, settings.port, settings.log_level, settings.log_format) == (
        "0.0.0.0",  # noqa: S104 - the default under test
        8123,
        "INFO",
        "json",
    )
    assert settings.shutdown_timeout_seconds == 20
    assert settings.database_url.get_secret_value() == SECRET_URL
    assert "s3cret" not in repr(settings)


def test_every_missing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(monkeypatch) == "DATABASE_URL is required; INTERNAL_TOKEN is required"


def test_short_token_says_how_long_it_must_be(monkeypatch: pytest.MonkeyPatch) -> None:
    message = problems(monkeypatch, DATABASE_URL=SECRET_URL, INTERNAL_TOKEN="short-secret")
    assert message == "INTERNAL_TOKEN must be at least 16 characters long"
    assert "short-secret" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "DATABASE_URL must look like postgresql://user:password@host:5432/database"),
        ("db.example:5432", "DATABASE_URL must look like postgresql://user:password@host:5432/database"),
        (
            "mysql://app:s3cret-password@db/todo",
            "DATABASE_URL scheme 'mysql' is not supported; use postgresql://",
        ),
    ],
)
def test_bad_database_url_is_explained_without_the_password(
    monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    message = problems(monkeypatch, DATABASE_URL=url, INTERNAL_TOKEN="x" * 16)
    assert message == expected
    assert "s3cret" not in message


@pytest.mark.parametrize(("value", "level"), [("warning", "WARNING"), ("Debug", "DEBUG"), ("ERROR", "ERROR")])
def test_log_level_is_accepted_in_any_case(monkeypatch: pytest.MonkeyPatch, value: str, level: str) -> None:
    for name, setting in {"DATABASE_URL": SECRET_URL, "INTERNAL_TOKEN": "x" * 16, "LOG_LEVEL": value}.items():
        monkeypatch.setenv(name, setting)
    assert load_settings(ServiceSettings).log_level == level
    assert load_settings(MigrationSettings).log_level == level


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "0"), ("PORT", "70000"), ("PORT", "eighty"), ("LOG_LEVEL", "LOUD"), ("LOG_FORMAT", "xml")],
)
def test_invalid_config_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    message = problems(monkeypatch, DATABASE_URL=SECRET_URL, INTERNAL_TOKEN="x" * 16, **{variable: value})
    assert message.startswith(f"{variable} ")
    assert ";" not in message
