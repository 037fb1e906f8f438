"""One chat turn: the Agents SDK runner over the user's conversation, with the task tools bound to them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from agents import Agent, Model, RunConfig, Runner
from agents.items import TResponseInputItem

from .tools import TaskService, ToolCallRecord, UserBoundTools

# The next request accepts at most this much per message, and the reply becomes history.
MAX_REPLY_CHARS = 4000
# Enough for "find by name, then act" plus a correction; a loop beyond that is a model failure.
MAX_TURNS = 8

INSTRUCTIONS = """You are the Todo assistant. You help the user manage their own task list with the tools:
add_task, list_tasks, complete_task, delete_task, update_task and set_task_completion (to mark a task as
not done again).
- Always use a tool to read or change tasks; never invent task numbers or titles.
- To act on a task named by its title, call list_tasks first and use the matching task's id; if none
  or several match, ask the user which task they mean.
- After a change, confirm it in one friendly sentence naming the task and its number,
  e.g. "I've added 'Buy groceries' to your list (task 7)."
- If a tool reports an error such as "Task 99 not found", explain it plainly and suggest what to do.
- The tools always act for the signed-in user; you cannot see or change anyone else's tasks.
- Before a change to several tasks at once (e.g. "delete all completed tasks"), list them and ask the user
  to confirm; make the change only after they say yes.
- If a request is unclear or is not about tasks, ask a short clarifying question."""


@dataclass(frozen=True)
class ChatTurn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class AssistantReply:
    response: str
    tool_calls: list[ToolCallRecord]


class Assistant:
    def __init__(self, model: Model, tasks: TaskService) -> None:
        self._model = model
        self._tasks = tasks
        self._run_config = RunConfig(tracing_disabled=True, workflow_name="todo-chat")

    async def respond(self, user_id: str, conversation: Sequence[ChatTurn]) -> AssistantReply:
        session = await self._tasks.session()
        tools = UserBoundTools(self._tasks, session, user_id)
        agent = Agent(
            name="Todo assistant", instructions=INSTRUCTIONS, model=self._model, mcp_servers=[tools]
        )
        items: list[TResponseInputItem] = [
            {"role": turn.role, "content": turn.content} for turn in conversation
        ]
        result = await Runner.run(agent, items, max_turns=MAX_TURNS, run_config=self._run_config)
        reply = str(result.final_output)
        if len(reply) > MAX_REPLY_CHARS:
            reply = reply[: MAX_REPLY_CHARS - 1] + "…"
        return AssistantReply(response=reply, tool_calls=tools.calls)
