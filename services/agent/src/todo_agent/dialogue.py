"""The assistant's own messages, written and read back: what a follow-up like "yes", "the first one",
"it" or "undo that" refers to.

The agent keeps no state between requests; the conversation history carries it. Each message the
builtin model writes about tasks (a change, a list, a "which one?" or "should I?" question) has one
fixed form, made here and parsed here, so that the next turn can read it back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Action = Literal["complete", "reopen", "delete", "rename"]
BulkAction = Literal["complete", "delete"]
ChangeKind = Literal["added", "completed", "reopened", "deleted", "renamed"]

MAX_SHOWN_TASKS = 25
# Replies become conversation history the next request must accept (4000 characters per message),
# so lists show titles shortened; 25 lines of this width stay well within.
MAX_SHOWN_TITLE = 80


@dataclass(frozen=True)
class Option:
    task_id: int
    title: str


@dataclass(frozen=True)
class WhichOne:
    """The assistant asked which of several tasks to act on."""

    action: Action
    options: tuple[Option, ...]
    new_title: str | None = None


@dataclass(frozen=True)
class ConfirmBulk:
    """The assistant asked whether to change all the listed tasks."""

    action: BulkAction
    task_ids: tuple[int, ...]


@dataclass(frozen=True)
class Change:
    """A change the assistant reported having made (through a tool call of that turn)."""

    kind: ChangeKind
    task_id: int
    title: str


@dataclass(frozen=True)
class Context:
    """What the assistant's previous message offers the next user message to refer to."""

    question: WhichOne | ConfirmBulk | None = None
    change: Change | None = None
    shown: tuple[Option, ...] = ()
    mentioned: int | None = None


def shorten(text: object, limit: int = MAX_SHOWN_TITLE) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- changes -------------------------------------------------------------------------------------------

_CHANGE_FORMS: dict[ChangeKind, str] = {
    "added": "I've added '{title}' to your list (task {task_id}).",
    "completed": "Done! I've marked '{title}' (task {task_id}) as complete.",
    "reopened": "I've marked '{title}' (task {task_id}) as not done.",
    "deleted": "I've deleted '{title}' (task {task_id}) from your list.",
    "renamed": "I've renamed task {task_id} to '{title}'.",
}
_CHANGE_PATTERNS = {
    kind: re.compile(
        "^" + re.escape(form).replace(r"\{title\}", "(?P<title>.*)").replace(r"\{task_id\}", r"(?P<id>\d+)")
    )
    for kind, form in _CHANGE_FORMS.items()
}


def describe_change(change: Change) -> str:
    # Whole titles (at most 200 characters): "undo" of a delete adds the task back by this title.
    return _CHANGE_FORMS[change.kind].format(title=change.title, task_id=change.task_id)


def _read_change(first_line: str) -> Change | None:
    for kind, pattern in _CHANGE_PATTERNS.items():
        if match := pattern.match(first_line):
            return Change(kind, int(match["id"]), match["title"])
    return None


# --- lists and questions -------------------------------------------------------------------------------

_LINE = re.compile(r"^- (?P<id>\d+)\. (?P<title>.*?)(?: \(done\))?$")
_VERB_PHRASES: dict[Action, str] = {
    "complete": "mark as complete",
    "reopen": "mark as not done",
    "delete": "delete",
    "rename": "rename to '{new_title}'",
}
_WHICH = re.compile(
    r"^Which one should I (?:(?P<rename>rename to '(?P<new_title>.*)')|(?P<phrase>delete|mark as complete"
    r"|mark as not done))\?"
)
_CONFIRM = re.compile(r"^Should I (?P<verb>delete|mark) (?:these|this) (?:\d+ tasks|task)")
_MENTION = re.compile(r"\btask (\d+)\b")


def task_line(task: Mapping[str, Any], show_state: bool = True) -> str:
    line = f"- {task.get('id')}. {shorten(task.get('title'))}"
    return line + " (done)" if show_state and task.get("completed") else line


def task_lines(tasks: Sequence[Mapping[str, Any]], show_state: bool = True) -> str:
    lines = [task_line(task, show_state) for task in tasks[:MAX_SHOWN_TASKS]]
    if len(tasks) > MAX_SHOWN_TASKS:
        lines.append(f"...and {len(tasks) - MAX_SHOWN_TASKS} more.")
    return "\n".join(lines)


def ask_which(action: Action, words: str, tasks: Sequence[Mapping[str, Any]], new_title: str | None) -> str:
    phrase = _VERB_PHRASES[action].format(new_title=new_title)
    return (
        f"I found {len(tasks)} tasks matching '{shorten(words)}':\n{task_lines(tasks)}\n"
        f'Which one should I {phrase}? Tell me its number, or say "the first one".'
    )


def ask_bulk(action: BulkAction, tasks: Sequence[Mapping[str, Any]]) -> str:
    shown = tasks[:MAX_SHOWN_TASKS]
    what = "task" if len(shown) == 1 else f"{len(shown)} tasks"
    verb = "delete" if action == "delete" else "mark"
    question = f"Should I {verb} {'this' if len(shown) == 1 else 'these'} {what}"
    question += "?" if action == "delete" else " as complete?"
    rest = f" ({len(tasks) - len(shown)} more can follow after these.)" if len(tasks) > len(shown) else ""
    lines = "\n".join(task_line(task) for task in shown)
    return f"{question}\n{lines}\nSay yes to go ahead, or no to leave them as they are.{rest}"


def read_context(message: str | None) -> Context:
    """What an assistant message (the previous one) asked, changed, listed and mentioned."""
    if not message:
        return Context()
    lines = message.splitlines()
    shown = tuple(Option(int(match["id"]), match["title"]) for line in lines if (match := _LINE.match(line)))
    question: WhichOne | ConfirmBulk | None = None
    for line in lines:
        if match := _WHICH.match(line):
            action = _action_of(match["phrase"]) if match["phrase"] else "rename"
            question = WhichOne(action, shown, match["new_title"])
        elif (match := _CONFIRM.match(line)) and shown:
            bulk: BulkAction = "delete" if match["verb"] == "delete" else "complete"
            question = ConfirmBulk(bulk, tuple(option.task_id for option in shown))
    change = _read_change(lines[0]) if lines else None
    mentioned = {int(number) for number in _MENTION.findall(message)}
    if change is not None:
        the_one: int | None = change.task_id
    elif len(shown) == 1:
        the_one = shown[0].task_id
    else:
        the_one = mentioned.pop() if len(mentioned) == 1 else None
    return Context(question=question, change=change, shown=shown, mentioned=the_one)


def _action_of(phrase: str) -> Action:
    return next(action for action, verb in _VERB_PHRASES.items() if verb == phrase)
