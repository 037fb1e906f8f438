"""The builtin model's next step: which tool calls come next, or what to answer, given the run so far.

`next_step` sees the understood command and the tool results of the current run (in order), exactly
what an LLM would see, so a command that needs several tools (find a task by name, then delete it)
is carried out one step per model turn. Every reply that reports a change is written from the result
of the tool call that made it. Pure: unit-tested without any SDK or network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .dialogue import Change, ask_bulk, ask_which, describe_change, shorten, task_lines
from .intents import (
    AddTask,
    BulkChange,
    ChangeTask,
    Clarify,
    Command,
    ConfirmedBulk,
    ListTasks,
    NotUnderstood,
    SmallTalk,
    UpdateTask,
)
from .references import Ambiguous, ById, ByWords, Found, NotFound, TaskRef, resolve

HELP = (
    'I can manage your task list. Try: "Add a task to buy groceries", "What\'s pending?", '
    '"I finished the groceries", "Rename task 1 to \'Call mom tonight\'", "Delete task 2" or "Undo that".'
)
SMALL_TALK = {
    "greeting": "Hi! " + HELP,
    "help": HELP,
    "thanks": "You're welcome! Anything else on your list?",
    "bye": "Bye! Your tasks will be here when you come back.",
    "ack": "Great. Anything else I can do for your tasks?",
    "hold_off": "OK, I won't change anything.",
    "cancelled": "OK, I've left your tasks as they are.",
}


@dataclass(frozen=True)
class ToolCall:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCalls:
    """Several independent calls made at once (a confirmed bulk change)."""

    calls: tuple[ToolCall, ...]


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


Step = ToolCall | ToolCalls | Reply

_NOT_FOUND = re.compile(r"task\s+(\d+)\s+not\s+found", re.IGNORECASE)
_ACTION_TOOLS = {"complete": "complete_task", "reopen": "set_task_completion", "delete": "delete_task"}
_CHANGE_KINDS: dict[str, Any] = {"complete": "completed", "reopen": "reopened", "delete": "deleted"}
_DOING = {
    "complete": "mark task {} as complete",
    "reopen": "mark task {} as not done",
    "delete": "delete task {}",
}
_NOT_FOUND_REPLIES = {
    "no match": (
        "I couldn't find a task matching '{words}'. Say \"Show me all my tasks\" to see what's on your list."
    ),
    "no such position": 'Your list doesn\'t have that many tasks. Say "Show me all my tasks" to see them.',
    "empty list": 'Your task list is empty. Try "Add a task to buy groceries".',
    "nothing mentioned": "Which task do you mean? Tell me its number or part of its title.",
}


def _failure(outcome: ToolOutcome, doing: str) -> Reply:
    error = outcome.error or "unknown error"
    if not_found := _NOT_FOUND.search(error):
        return Reply(
            f"I couldn't find task {not_found[1]} in your list. "
            'Say "Show me all my tasks" to see their numbers.'
        )
    return Reply(f"Sorry, I couldn't {doing}: {error}")


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
    return f"{heading} ({len(tasks)}):\n" + task_lines(tasks, show_state=status == "all")


def _resolve(
    target: TaskRef, outcomes: Sequence[ToolOutcome], action: str, new_title: str | None = None
) -> int | Step:
    """The task id `target` names, or the step that gets closer to it (list the tasks, or ask back)."""
    if isinstance(target, ById):
        return target.task_id
    if not outcomes:
        return ToolCall("list_tasks", {"status": "all"})
    listing = outcomes[0]
    if listing.error is not None:
        return _failure(listing, "look up your tasks")
    words = target.words if isinstance(target, ByWords) else ""
    resolution = resolve(target, _tasks_of(listing.output), prefer_pending=action == "complete")
    match resolution:
        case Found(task_id=task_id):
            return task_id
        case Ambiguous(tasks=tasks):
            return Reply(ask_which(action, words, tasks, new_title))  # type: ignore[arg-type]
        case NotFound(reason=reason):
            return Reply(_NOT_FOUND_REPLIES[reason].format(words=shorten(words)))


def _after_lookup(target: TaskRef, outcomes: Sequence[ToolOutcome]) -> Sequence[ToolOutcome]:
    """The outcomes after the name lookup (if one was needed)."""
    return outcomes if isinstance(target, ById) else outcomes[1:]


def _change(command: ChangeTask, outcomes: Sequence[ToolOutcome]) -> Step:
    resolved = _resolve(command.target, outcomes, command.action)
    if not isinstance(resolved, int):
        return resolved
    done = _after_lookup(command.target, outcomes)
    if not done:
        arguments: dict[str, Any] = {"task_id": resolved}
        if command.action == "reopen":
            arguments["completed"] = False
        return ToolCall(_ACTION_TOOLS[command.action], arguments)
    if done[0].error is not None:
        return _failure(done[0], _DOING[command.action].format(resolved))
    title = str((done[0].output or {}).get("title"))
    return Reply(describe_change(Change(_CHANGE_KINDS[command.action], resolved, title)))


def _update(command: UpdateTask, outcomes: Sequence[ToolOutcome]) -> Step:
    resolved = _resolve(command.target, outcomes, "rename", command.title)
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
        return Reply(describe_change(Change("renamed", resolved, str((done[0].output or {}).get("title")))))
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
    return Reply(describe_change(Change("added", int(output.get("task_id", 0)), str(output.get("title")))))


def _list(command: ListTasks, outcomes: Sequence[ToolOutcome]) -> Step:
    if not outcomes:
        return ToolCall("list_tasks", {"status": command.status})
    if outcomes[0].error is not None:
        return _failure(outcomes[0], "list your tasks")
    return Reply(describe_tasks(_tasks_of(outcomes[0].output), command.status))


_NOTHING_FOR_BULK = {
    ("complete", "pending"): "You have no pending tasks, so there is nothing to mark as complete.",
    ("delete", "completed"): "You have no completed tasks, so there is nothing to delete.",
    ("delete", "pending"): "You have no pending tasks, so there is nothing to delete.",
    ("delete", "all"): "Your task list is already empty.",
}


def _bulk(command: BulkChange, outcomes: Sequence[ToolOutcome]) -> Step:
    """List what the change would touch and ask; the change itself waits for the user's yes."""
    if not outcomes:
        return ToolCall("list_tasks", {"status": command.status})
    if outcomes[0].error is not None:
        return _failure(outcomes[0], "look up your tasks")
    tasks = _tasks_of(outcomes[0].output)
    if not tasks:
        return Reply(_NOTHING_FOR_BULK[(command.action, command.status)])
    return Reply(ask_bulk(command.action, tasks))


def _confirmed_bulk(command: ConfirmedBulk, outcomes: Sequence[ToolOutcome]) -> Step:
    tool = _ACTION_TOOLS[command.action]
    if not outcomes:
        return ToolCalls(tuple(ToolCall(tool, {"task_id": task_id}) for task_id in command.task_ids))
    done = [outcome for outcome in outcomes if outcome.error is None]
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    verb = "deleted" if command.action == "delete" else "marked as complete"
    parts = []
    if done:
        titles = ", ".join(
            f"'{shorten((o.output or {}).get('title'))}' (task {o.arguments.get('task_id')})" for o in done
        )
        parts.append(f"I've {verb} {len(done)} task{'s' if len(done) != 1 else ''}: {titles}.")
    if failed:
        numbers = ", ".join(str(o.arguments.get("task_id")) for o in failed)
        parts.append(f"I couldn't change task{'s' if len(failed) != 1 else ''} {numbers}: {failed[0].error}")
    return Reply(" ".join(parts))


def next_step(command: Command, outcomes: Sequence[ToolOutcome]) -> Step:
    match command:
        case AddTask():
            return _add(command, outcomes)
        case ListTasks():
            return _list(command, outcomes)
        case ChangeTask():
            return _change(command, outcomes)
        case UpdateTask():
            return _update(command, outcomes)
        case BulkChange():
            return _bulk(command, outcomes)
        case ConfirmedBulk():
            return _confirmed_bulk(command, outcomes)
        case SmallTalk(kind=kind):
            return Reply(SMALL_TALK[kind])
        case Clarify(question=question):
            return Reply(question)
        case NotUnderstood():
            return Reply("Sorry, I didn't understand that. " + HELP)
