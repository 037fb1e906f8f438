"""The builtin model's next step: which tool to call, or what to answer, given the run so far.

`next_step` sees the understood command and the tool results of the current run (in order), exactly
what an LLM would see, so a command that needs several tools (find a task by name, then delete it)
is carried out one step per model turn. Pure: unit-tested without any SDK or network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .commands import (
    WHICH_TO_COMPLETE,
    WHICH_TO_DELETE,
    AddTask,
    Clarify,
    Command,
    CompleteTask,
    DeleteTask,
    Greeting,
    ListTasks,
    NotUnderstood,
    TaskRef,
    UpdateTask,
)

MAX_LISTED_TASKS = 25
# Replies become conversation history the next request must accept (4000 characters per message),
# so lists show titles shortened; 25 lines of this width stay well within.
MAX_SHOWN_TITLE = 80

HELP = (
    'I can manage your task list. Try: "Add a task to buy groceries", "What\'s pending?", '
    '"Mark task 3 as complete", "Change task 1 to \'Call mom tonight\'" or "Delete task 2".'
)


@dataclass(frozen=True)
class ToolCall:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    text: str


@dataclass(frozen=True)
class ToolOutcome:
    """One tool call of the current run and what it returned: a JSON object, or an error text."""

    tool: str
    arguments: Mapping[str, Any]
    output: Mapping[str, Any] | None = None
    error: str | None = None


Step = ToolCall | Reply

_NOT_FOUND = re.compile(r"task\s+(\d+)\s+not\s+found", re.IGNORECASE)
_STOP_WORDS = frozenset({"the", "a", "an", "my", "task", "todo", "item", "one", "to", "about", "for"})


def shorten(text: object, limit: int = MAX_SHOWN_TITLE) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quote(title: object) -> str:
    return f"'{shorten(title)}'"


def _failure(outcome: ToolOutcome, doing: str) -> Reply:
    error = outcome.error or "unknown error"
    not_found = _NOT_FOUND.search(error)
    if not_found:
        return Reply(
            f"I couldn't find task {not_found[1]} in your list. "
            'Say "Show me all my tasks" to see their numbers.'
        )
    return Reply(f"Sorry, I couldn't {doing}: {error}")


def _task_line(task: Mapping[str, Any], show_state: bool) -> str:
    line = f"{task.get('id')}. {shorten(task.get('title'))}"
    if show_state and task.get("completed"):
        line += " (done)"
    return line


def _tasks_of(output: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    tasks = (output or {}).get("result")
    return [task for task in tasks if isinstance(task, Mapping)] if isinstance(tasks, list) else []


def describe_tasks(tasks: Sequence[Mapping[str, Any]], status: str) -> str:
    if not tasks:
        return {
            "pending": "You have no pending tasks. Nice work!",
            "completed": "You haven't completed any tasks yet.",
        }.get(status, 'Your task list is empty. Try "Add a task to buy groceries".')
    heading = {
        "pending": "Here are your pending tasks",
        "completed": "Here's what you've completed",
    }.get(status, "Here are all your tasks")
    lines = [f"- {_task_line(task, show_state=status == 'all')}" for task in tasks[:MAX_LISTED_TASKS]]
    if len(tasks) > MAX_LISTED_TASKS:
        lines.append(f"...and {len(tasks) - MAX_LISTED_TASKS} more.")
    return f"{heading} ({len(tasks)}):\n" + "\n".join(lines)


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOP_WORDS]


def matching_tasks(tasks: Sequence[Mapping[str, Any]], words: str) -> list[Mapping[str, Any]]:
    """Tasks whose title is `words`, or else whose title contains every word of it (as a prefix)."""
    wanted = words.strip().lower()
    exact = [task for task in tasks if str(task.get("title", "")).strip().lower() == wanted]
    if exact:
        return exact
    query = _words(words)
    if not query:
        return []

    def contains_all(task: Mapping[str, Any]) -> bool:
        title_words = _words(str(task.get("title", "")))
        return all(any(word.startswith(q) for word in title_words) for q in query)

    return [task for task in tasks if contains_all(task)]


def _resolve(
    target: TaskRef, outcomes: Sequence[ToolOutcome], action: str, question: str
) -> int | Reply | ToolCall:
    """The task id `target` names, or the step that gets closer to it (list, or ask back)."""
    if target.task_id is not None:
        return target.task_id
    if not outcomes:
        return ToolCall("list_tasks", {"status": "all"})
    listing = outcomes[0]
    if listing.error is not None:
        return _failure(listing, "look up your tasks")
    tasks = matching_tasks(_tasks_of(listing.output), target.words or "")
    if action == "complete" and len(tasks) > 1:
        pending = [task for task in tasks if not task.get("completed")]
        tasks = pending or tasks
    if not tasks:
        return Reply(
            f"I couldn't find a task matching {_quote(target.words)}. "
            'Say "Show me all my tasks" to see what\'s on your list.'
        )
    if len(tasks) > 1:
        options = "; ".join(_task_line(task, show_state=True) for task in tasks[:MAX_LISTED_TASKS])
        return Reply(f"I found {len(tasks)} tasks matching {_quote(target.words)}: {options}. {question}")
    return int(tasks[0]["id"])


def _after_lookup(target: TaskRef, outcomes: Sequence[ToolOutcome]) -> Sequence[ToolOutcome]:
    """The outcomes after the name lookup (if one was needed)."""
    return outcomes if target.task_id is not None else outcomes[1:]


def _complete(command: CompleteTask, outcomes: Sequence[ToolOutcome]) -> Step:
    resolved = _resolve(command.target, outcomes, "complete", f"{WHICH_TO_COMPLETE} Tell me the task number.")
    if not isinstance(resolved, int):
        return resolved
    done = _after_lookup(command.target, outcomes)
    if not done:
        return ToolCall("complete_task", {"task_id": resolved})
    if done[0].error is not None:
        return _failure(done[0], f"complete task {resolved}")
    title = (done[0].output or {}).get("title")
    return Reply(f"Done! I've marked {_quote(title)} (task {resolved}) as complete.")


def _delete(command: DeleteTask, outcomes: Sequence[ToolOutcome]) -> Step:
    resolved = _resolve(command.target, outcomes, "delete", f"{WHICH_TO_DELETE} Tell me the task number.")
    if not isinstance(resolved, int):
        return resolved
    done = _after_lookup(command.target, outcomes)
    if not done:
        return ToolCall("delete_task", {"task_id": resolved})
    if done[0].error is not None:
        return _failure(done[0], f"delete task {resolved}")
    title = (done[0].output or {}).get("title")
    return Reply(f"I've deleted {_quote(title)} (task {resolved}) from your list.")


def _update(command: UpdateTask, outcomes: Sequence[ToolOutcome]) -> Step:
    resolved = _resolve(
        command.target, outcomes, "update", 'Which one should I change? Say "Change task <number> to ...".'
    )
    if not isinstance(resolved, int):
        return resolved
    done = _after_lookup(command.target, outcomes)
    if not done:
        arguments: dict[str, Any] = {"task_id": resolved}
        if command.title is not None:
            arguments["title"] = command.title
        if command.description is not None:
            arguments["description"] = command.description
        return ToolCall("update_task", arguments)
    if done[0].error is not None:
        return _failure(done[0], f"update task {resolved}")
    if command.title is not None:
        return Reply(f"I've renamed task {resolved} to {_quote((done[0].output or {}).get('title'))}.")
    return Reply(f"I've updated the description of task {resolved}.")


def _add(command: AddTask, outcomes: Sequence[ToolOutcome]) -> Step:
    if not outcomes:
        arguments: dict[str, Any] = {"title": command.title}
        if command.description is not None:
            arguments["description"] = command.description
        return ToolCall("add_task", arguments)
    if outcomes[0].error is not None:
        return _failure(outcomes[0], "add that task")
    output = outcomes[0].output or {}
    return Reply(f"I've added {_quote(output.get('title'))} to your list (task {output.get('task_id')}).")


def _list(command: ListTasks, outcomes: Sequence[ToolOutcome]) -> Step:
    if not outcomes:
        return ToolCall("list_tasks", {"status": command.status})
    if outcomes[0].error is not None:
        return _failure(outcomes[0], "list your tasks")
    return Reply(describe_tasks(_tasks_of(outcomes[0].output), command.status))


def next_step(command: Command, outcomes: Sequence[ToolOutcome]) -> Step:
    match command:
        case AddTask():
            return _add(command, outcomes)
        case ListTasks():
            return _list(command, outcomes)
        case CompleteTask():
            return _complete(command, outcomes)
        case DeleteTask():
            return _delete(command, outcomes)
        case UpdateTask():
            return _update(command, outcomes)
        case Clarify(question=question):
            return Reply(question)
        case Greeting():
            return Reply("Hi! " + HELP)
        case NotUnderstood():
            return Reply("Sorry, I didn't understand that. " + HELP)
