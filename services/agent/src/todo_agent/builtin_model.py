"""An offline model behind the Agents SDK `Model` interface: rule-based, no network, no API key.

It drives the same runner and MCP tools as an LLM: on each turn it reads the conversation input
(the user's last message, the assistant's previous message, and the tool calls and outputs of the
current run), then answers with tool calls or the final message. Understanding is `intents`, which task
is meant `references`, what the previous message offered `dialogue`, and the next step `planner`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from agents import Model, ModelResponse, ModelSettings, ModelTracing, Tool, Usage
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText
from openai.types.responses.response_prompt_param import ResponsePromptParam

from .dialogue import read_context
from .intents import understand
from .planner import Reply, ToolCall, ToolCalls, ToolOutcome, next_step


def _field(item: object, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _text(content: object) -> str:
    """The text of a message's content: a string, or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, Iterable):
        return "".join(str(_field(part, "text") or "") for part in content)
    return ""


def _parse_output(output: object) -> tuple[Mapping[str, Any] | None, str | None]:
    """A tool output as (JSON object, None) on success or (None, error text) otherwise."""
    text = _text(output) if not isinstance(output, Mapping) else str(output.get("text", ""))
    try:
        parsed = json.loads(text)
    except ValueError:
        return None, text or "the tool returned nothing"
    if isinstance(parsed, dict):
        return parsed, None
    return {"result": parsed}, None


def read_conversation(items: str | list[TResponseInputItem]) -> tuple[str, str | None, list[ToolOutcome]]:
    """(last user message, the assistant message before it, tool outcomes of this run in order)."""
    if isinstance(items, str):
        return items, None, []
    user_index = max(
        (index for index, item in enumerate(items) if _field(item, "role") == "user"), default=None
    )
    if user_index is None:
        return "", None, []
    user_text = _text(_field(items[user_index], "content"))
    previous = next(
        (
            _text(_field(item, "content"))
            for item in reversed(items[:user_index])
            if _field(item, "role") == "assistant"
        ),
        None,
    )
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    outcomes: list[ToolOutcome] = []
    for item in items[user_index + 1 :]:
        kind = _field(item, "type")
        if kind == "function_call":
            arguments = json.loads(_field(item, "arguments") or "{}")
            calls[str(_field(item, "call_id"))] = (str(_field(item, "name")), arguments)
        elif kind == "function_call_output":
            tool, arguments = calls.get(str(_field(item, "call_id")), ("", {}))
            output, error = _parse_output(_field(item, "output"))
            outcomes.append(ToolOutcome(tool, arguments, output, error))
    return user_text, previous, outcomes


def _function_call(call: ToolCall) -> TResponseOutputItem:
    call_id = f"call_{uuid.uuid4().hex}"
    return ResponseFunctionToolCall(
        id=call_id,
        call_id=call_id,
        type="function_call",
        name=call.tool,
        arguments=json.dumps(call.arguments),
    )


def output_items(step: ToolCall | ToolCalls | Reply) -> list[TResponseOutputItem]:
    if isinstance(step, ToolCall):
        return [_function_call(step)]
    if isinstance(step, ToolCalls):
        return [_function_call(call) for call in step.calls]
    message = ResponseOutputMessage(
        id=f"msg_{uuid.uuid4().hex}",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=step.text, annotations=[], logprobs=[])],
    )
    return [message]


class BuiltinModel(Model):
    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        user_text, previous, outcomes = read_conversation(input)
        step = next_step(understand(user_text, read_context(previous)), outcomes)
        return ModelResponse(output=output_items(step), usage=Usage(), response_id=None)

    def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[TResponseStreamEvent]:
        raise NotImplementedError("the agent service does not stream")
