"""The agent's configuration: defaults from the contract, and a clear message for each missing secret."""

from __future__ import annotations

import os

import pytest
from todo_agent.config import AgentSettings
from todo_common.config import ConfigurationError, load_settings
from todo_testing.processes import run_module

TOKEN = "test-internal-token-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERNAL_TOKEN", "MCP_SERVER_URL", "LLM_MODEL", "LLM_BASE_URL", "LLM_API_KEY", "PORT"):
        monkeypatch.delenv(name, raising=False)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    settings = load_settings(AgentSettings)
    assert settings.port == 8002
    assert settings.mcp_server_url == "http://localhost:8001/mcp"
    assert settings.llm_model == "builtin"
    assert settings.uses_builtin_model
    assert settings.llm_base_url == "https://api.openai.com/v1"
    assert settings.llm_api_key is None


def test_internal_token_is_required() -> None:
    with pytest.raises(ConfigurationError, match="INTERNAL_TOKEN is required"):
        load_settings(AgentSettings)


def test_an_llm_model_needs_an_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    monkeypatch.setenv("LLM_MODEL", "gpt-4o-mini")
    with pytest.raises(ConfigurationError, match="LLM_API_KEY is required"):
        load_settings(AgentSettings)
    monkeypatch.setenv("LLM_API_KEY", "sk-test")
    monkeypatch.setenv("LLM_BASE_URL", "http://llm.internal:8080/v1")
    settings = load_settings(AgentSettings)
    assert not settings.uses_builtin_model
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("MCP_SERVER_URL", "localhost:8001"), ("LLM_BASE_URL", "ftp://x"), ("PORT", "0"), ("LLM_MODEL", "")],
)
def test_invalid_values_are_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable):
        load_settings(AgentSettings)


def test_the_service_exits_at_start_naming_the_missing_secret() -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"LLM_API_KEY", "INTERNAL_TOKEN"}}
    result = run_module("todo_agent", {**env, "INTERNAL_TOKEN": TOKEN, "LLM_MODEL": "gpt-4o-mini"})
    assert result.returncode == 2
    assert "LLM_API_KEY is required" in result.stderr
