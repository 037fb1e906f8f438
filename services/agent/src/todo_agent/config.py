"""The agent service's settings, read from the environment."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from todo_common.config import CommonSettings, InternalTokenSettings

BUILTIN_MODEL = "builtin"


class AgentSettings(CommonSettings, InternalTokenSettings):
    port: int = Field(default=8002, ge=1, le=65535)
    mcp_server_url: str = Field(default="http://localhost:8001/mcp", pattern=r"^https?://\S+$")
    llm_model: str = Field(default=BUILTIN_MODEL, min_length=1, max_length=200)
    llm_base_url: str = Field(default="https://api.openai.com/v1", pattern=r"^https?://\S+$")
    llm_api_key: SecretStr | None = Field(default=None, validate_default=True)

    @field_validator("llm_api_key")
    @classmethod
    def _required_for_remote_models(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        model = info.data.get("llm_model", BUILTIN_MODEL)
        if model != BUILTIN_MODEL and (value is None or not value.get_secret_value()):
            # Reported by load_settings as "LLM_API_KEY is required".
            raise PydanticCustomError("missing", "required unless LLM_MODEL=builtin")
        return value

    @property
    def uses_builtin_model(self) -> bool:
        return self.llm_model == BUILTIN_MODEL
