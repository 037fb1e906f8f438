"""The model the assistant runs on: the builtin offline model, or one on an OpenAI-compatible endpoint."""

from __future__ import annotations

from agents import Model, OpenAIChatCompletionsModel
from openai import AsyncOpenAI

from .builtin_model import BuiltinModel
from .config import AgentSettings

# A chat turn waits for the model; a hung endpoint must not hold the request forever.
LLM_TIMEOUT_SECONDS = 60.0
LLM_MAX_RETRIES = 1


def build_model(settings: AgentSettings) -> Model:
    if settings.uses_builtin_model:
        return BuiltinModel()
    assert settings.llm_api_key is not None  # guaranteed by AgentSettings validation
    client = AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value(),
        timeout=LLM_TIMEOUT_SECONDS,
        max_retries=LLM_MAX_RETRIES,
    )
    # Chat completions: the API every OpenAI-compatible endpoint serves (most lack /responses).
    return OpenAIChatCompletionsModel(model=settings.llm_model, openai_client=client)
