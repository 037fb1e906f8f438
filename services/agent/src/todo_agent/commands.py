"""What a chat message asks for: the rules the builtin model uses to understand task commands.

`parse_command` turns one user message (and, for short follow-ups, the assistant's previous question)
into a `Command`. It is pure: no I/O, no state, so every phrasing is a one-line unit test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TaskStatus = Literal["all", "pending", "completed"]
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1000


@dataclass(frozen=True)
class TaskRef:
    """A task named by its number, or by words of its title."""

    task_id: int | None = None
    words: str | None = None


@dataclass(frozen=True)
class AddTask:
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListTasks:
    status: TaskStatus = "all"


@dataclass(frozen=True)
class CompleteTask:
    target: TaskRef


@dataclass(frozen=True)
class DeleteTask:
    target: TaskRef


@dataclass(frozen=True)
class UpdateTask:
    target: TaskRef
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Clarify:
    """The intent is clear but something is missing or not possible: ask back."""

    question: str


@dataclass(frozen=True)
class Greeting:
    pass


@dataclass(frozen=True)
class NotUnderstood:
    pass


Command = AddTask | ListTasks | CompleteTask | DeleteTask | UpdateTask | Clarify | Greeting | NotUnderstood

# The questions the assistant asks when several tasks match; a bare number answers them.
WHICH_TO_DELETE = "Which one should I delete?"
WHICH_TO_COMPLETE = "Which one should I mark as complete?"

_POLITE_PREFIX = re.compile(
    r"^(?:(?:ok(?:ay)?|hey|hi|so|well|please|pls|kindly|now|also|and|then|assistant)[\s,!]+"
    r"|(?:can|could|would|will)\s+you(?:\s+please)?\s+"
    r"|i\s+(?:want|would\s+like|'d\s+like)\s+(?:you\s+)?to\s+)+",
    re.IGNORECASE,
)
_POLITE_SUFFIX = re.compile(r"(?:[\s,]+(?:please|pls|thanks|thank\s+you|for\s+me|now|asap))+$", re.IGNORECASE)
_QUOTES = "\"'“”‘’`"  # noqa: RUF001 - typographic quotes are what phones type

_ID = r"(?:task|todo|to-do|item|number|no\.?)?\s*(?:number|no\.?)?\s*#?\s*(?P<id>\d{1,9})"
_TASK_ID = re.compile(rf"^(?:the\s+)?{_ID}$", re.IGNORECASE)
_LIST_SUFFIX = re.compile(
    r"\s+(?:to|on|in|into|onto)\s+(?:my|the)\s+(?:task\s+list|todo\s+list|to-do\s+list|to\s+do\s+list"
    r"|list|tasks|todos|to-dos)$",
    re.IGNORECASE,
)
_REF_NOISE = re.compile(
    r"^(?:the|my|a|an|that|this)\s+|\s+(?:task|todo|to-do|item|one|from\s+my\s+list|from\s+the\s+list)$",
    re.IGNORECASE,
)

_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|good\s+(?:morning|afternoon|evening)|help|what\s+can\s+you\s+do"
    r"|how\s+does\s+this\s+work|thanks|thank\s+you|who\s+are\s+you)(?:\s+there)?$",
    re.IGNORECASE,
)

_UPDATE = re.compile(
    r"^(?:change|rename|update|edit|modify|retitle|reword)\s+"
    r"(?:the\s+(?P<field1>title|name|description|details|notes?)\s+(?:of|for)\s+)?"
    r"(?P<ref>.+?)"
    r"(?:'s)?(?:\s+(?P<field2>title|name|description|details|notes?))?"
    r"(?:\s*(?::|=|->)\s*|\s+(?:to|to\s+say|to\s+read|so\s+it\s+says)\s+)"
    r"(?P<value>.+)$",
    re.IGNORECASE,
)
_UPDATE_VERB = re.compile(r"^(?:change|rename|update|edit|modify|retitle|reword)\b", re.IGNORECASE)

_COMPLETE_PATTERNS = (
    re.compile(
        r"^(?:mark|set|flag)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?(?:complete|completed|done|finished)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:complete|finish|check\s+off|tick\s+off|cross\s+off|close)\s+(?P<ref>.+?)(?:\s+off)?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^i(?:\s+have|'ve)?\s+(?:just\s+)?(?:finished|completed|done|did)(?:\s+with)?\s+(?P<ref>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?P<ref>.+?)\s+is\s+(?:now\s+)?(?:done|complete|completed|finished)$",
        re.IGNORECASE,
    ),
)
_UNCOMPLETE = re.compile(
    r"^(?:mark|set)\s+.+\s+(?:as\s+)?(?:not\s+done|incomplete|pending|undone|uncompleted|open)$"
    r"|^(?:uncomplete|reopen|undo)\b",
    re.IGNORECASE,
)

_DELETE = re.compile(
    r"^(?:delete|remove|erase|drop|discard|cancel|trash|scratch|get\s+rid\s+of|forget(?:\s+about)?)"
    r"(?:\s+(?P<ref>.+?))?(?:\s+from\s+(?:my|the)\s+(?:task\s+)?(?:list|tasks|todos))?$",
    re.IGNORECASE,
)
_BULK = re.compile(r"^(?:all|every|everything|all\s+(?:of\s+)?(?:my|the)\b)", re.IGNORECASE)

_LIST_QUESTION = re.compile(
    r"^(?:what|what's|whats|which|show|list|display|see|view|give|tell|read|get|do\s+i\s+have"
    r"|have\s+i|how\s+many|any|check|review|i\s+need\s+to\s+(?:see|check|view|review|know)"
    r"|my\s+(?:tasks|todos|list)|(?:all\s+)?(?:pending|completed|open|finished|done)(?:\s+tasks)?"
    r"|tasks|todos|to-dos)\b",
    re.IGNORECASE,
)
_LIST_TOPIC = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|to\s+do|list|pending|completed|complete|done|finish|finished|left|remaining"
    r"|open|outstanding|incomplete|unfinished|agenda|plate|need\s+to\s+do|have\s+to\s+do)\b",
    re.IGNORECASE,
)
_COMPLETED_WORDS = re.compile(r"\b(?:completed|complete|done|finish|finished|accomplished)\b", re.IGNORECASE)
_NOT_COMPLETED = re.compile(
    r"(?:\bnot\b|n't|\byet\s+to\b|\bstill\b).*\b(?:completed|complete|done|finished)\b|\bincomplete\b",
    re.IGNORECASE,
)
_PENDING_WORDS = re.compile(
    r"\b(?:pending|left|remaining|open|outstanding|incomplete|unfinished|to\s+do|todo|need\s+to\s+do"
    r"|have\s+to\s+do|still|upcoming|due)\b",
    re.IGNORECASE,
)
_ALL_WORDS = re.compile(r"\b(?:all|every|everything|whole|full|entire)\b", re.IGNORECASE)

_ADD = re.compile(
    r"^(?:add|create|new|put|insert|jot\s+down|write\s+down|note\s+down)"
    r"(?:\s+(?:a|an|another|one\s+more))?(?:\s+new)?"
    r"(?:\s+(?:task|todo|to-do|item|entry|reminder))?"
    r"(?:\s*(?::|-)\s*|\s+(?:to|for|called|named|titled|that\s+says|saying|about)\s+|\s+|$)"
    r"(?P<title>.*)$",
    re.IGNORECASE,
)
_REMEMBER = re.compile(
    r"^(?:please\s+)?(?:remind\s+me\s+to|remember\s+to|i\s+(?:need|have|must|should|want)\s+to\s+remember\s+to"
    r"|i\s+must\s+remember\s+to|(?:don't|do\s+not)\s+let\s+me\s+forget\s+to|help\s+me\s+remember\s+to"
    r"|note\s+to\s+self:?|todo:|to-do:|to\s+do:"
    r"|i\s+(?:need|have|must|should|gotta|ought)\s+to|i've\s+got\s+to|i\s+got\s+to"
    r"|don't\s+forget\s+to|do\s+not\s+forget\s+to)\s+(?P<title>.+)$",
    re.IGNORECASE,
)
_DESCRIPTION = re.compile(
    r"^(?P<title>.+?)\s*(?:,\s*|\s+)(?:with\s+(?:the\s+)?(?:description|details|notes?)|description:|details:"
    r"|notes?:)\s*:?\s*(?P<description>.+)$",
    re.IGNORECASE,
)
_FOLLOW_UP_REF = re.compile(
    rf"^(?:(?:it'?s|it\s+is|i\s+mean|that\s+would\s+be|the\s+one\s+with|go\s+with)\s+)?{_ID}$",
    re.IGNORECASE,
)


_ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "last": -1,
}
_FOLLOW_UP_ORDINAL = re.compile(
    rf"^(?:(?:it'?s|i\s+mean|go\s+with)\s+)?(?:the\s+)?(?P<ordinal>{'|'.join(_ORDINALS)})(?:\s+one)?$",
    re.IGNORECASE,
)
# The options as the assistant listed them: "...matching 'x': 5. Meeting notes; 3. Team meeting. Which..."
_LISTED_OPTION = re.compile(r"(?:': |; )(\d+)\. ")


def _normalize(text: str) -> str:
    text = " ".join(text.split())
    text = text.rstrip(".!?… ")
    previous = None
    while previous != text:
        previous = text
        text = _POLITE_PREFIX.sub("", text).strip()
        text = _POLITE_SUFFIX.sub("", text).strip().rstrip(".!?,;: ")
    return text


def _strip_quotes(text: str) -> str:
    text = text.strip().rstrip(".!?,; ").strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        return text[1:-1].strip()
    return text.strip(_QUOTES).strip()


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def parse_ref(text: str) -> TaskRef | None:
    """`task 3`, `#3`, `3`, `the meeting task`, `'Buy milk'` → a TaskRef; None when nothing is named."""
    text = text.strip()
    match = _TASK_ID.match(text)
    if match:
        return TaskRef(task_id=int(match["id"]))
    words = _strip_quotes(text)
    previous = None
    while previous != words:
        previous = words
        words = _REF_NOISE.sub("", words).strip()
    words = _strip_quotes(words)
    if not words or words.lower() in {"it", "that", "this", "task", "one", "them", "a task"}:
        return None
    return TaskRef(words=words)


def _title_problem(title: str) -> str | None:
    if not title:
        return 'What should the task say? For example: "Add a task to buy groceries".'
    if len(title) > MAX_TITLE_LENGTH:
        return f"That title is too long: a task title can have at most {MAX_TITLE_LENGTH} characters."
    return None


def _parse_add(raw_title: str) -> Command:
    title_text, description = raw_title.strip(), None
    match = _DESCRIPTION.match(title_text)
    if match:
        title_text, description = match["title"], _strip_quotes(match["description"])
    title_text = _LIST_SUFFIX.sub("", title_text.strip())
    title = _capitalize(_strip_quotes(title_text))
    problem = _title_problem(title)
    if problem:
        return Clarify(problem)
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        return Clarify(f"That description is too long: at most {MAX_DESCRIPTION_LENGTH} characters.")
    return AddTask(title=title, description=description or None)


def _parse_update(text: str) -> Command | None:
    match = _UPDATE.match(text)
    if not match:
        if _UPDATE_VERB.match(text):
            return Clarify(
                "What should I change, and to what? For example: \"Change task 1 to 'Call mom tonight'\"."
            )
        return None
    target = parse_ref(match["ref"])
    if target is None:
        return Clarify('Which task should I change? Tell me its number, e.g. "Change task 1 to ...".')
    field = (match["field1"] or match["field2"] or "title").lower()
    value = _strip_quotes(match["value"])
    if field in {"description", "details", "note", "notes"}:
        if len(value) > MAX_DESCRIPTION_LENGTH:
            return Clarify(f"That description is too long: at most {MAX_DESCRIPTION_LENGTH} characters.")
        return UpdateTask(target=target, description=value)
    title = _capitalize(value)
    problem = _title_problem(title)
    if problem:
        return Clarify(problem)
    return UpdateTask(target=target, title=title)


def _parse_complete(text: str) -> Command | None:
    if _UNCOMPLETE.match(text):
        return Clarify("I can mark tasks as complete, but not reopen them here; use the task list for that.")
    for pattern in _COMPLETE_PATTERNS:
        match = pattern.match(text)
        if match:
            target = parse_ref(match["ref"])
            if target is None:
                return Clarify("Which task did you finish? Tell me its number or part of its title.")
            return CompleteTask(target=target)
    return None


def _parse_delete(text: str) -> Command | None:
    match = _DELETE.match(text)
    if not match:
        return None
    ref_text = match["ref"] or ""
    if _BULK.match(ref_text):
        return Clarify("I delete one task at a time, to be safe. Which task should I delete?")
    target = parse_ref(ref_text)
    if target is None:
        return Clarify("Which task should I delete? Tell me its number or part of its title.")
    return DeleteTask(target=target)


def _parse_list(text: str) -> Command | None:
    if not (_LIST_QUESTION.match(text) and _LIST_TOPIC.search(text)):
        return None
    if _COMPLETED_WORDS.search(text) and not _NOT_COMPLETED.search(text):
        return ListTasks("completed")
    if _PENDING_WORDS.search(text) or _NOT_COMPLETED.search(text):
        return ListTasks("all" if _ALL_WORDS.search(text) and "pending" not in text.lower() else "pending")
    return ListTasks("all")


def _chosen_option(text: str, question: str) -> TaskRef | None:
    """The task a short answer picks: its number, or its place in the list the question offered."""
    match = _FOLLOW_UP_REF.match(text)
    if match:
        return TaskRef(task_id=int(match["id"]))
    match = _FOLLOW_UP_ORDINAL.match(text)
    options = _LISTED_OPTION.findall(question)
    if match and options:
        index = _ORDINALS[match["ordinal"].lower()]
        if index < len(options):
            return TaskRef(task_id=int(options[index]))
    return None


def _parse_follow_up(text: str, previous_question: str | None) -> Command | None:
    """A short answer to the assistant's "which one?" question."""
    if not previous_question:
        return None
    if WHICH_TO_DELETE in previous_question:
        action: type[DeleteTask] | type[CompleteTask] = DeleteTask
    elif WHICH_TO_COMPLETE in previous_question:
        action = CompleteTask
    else:
        return None
    target = _chosen_option(text, previous_question)
    return action(target=target) if target else None


def parse_command(message: str, previous_assistant_message: str | None = None) -> Command:
    text = _normalize(message)
    if not text:
        return NotUnderstood()
    if _GREETING.match(text):
        return Greeting()
    follow_up = _parse_follow_up(text, previous_assistant_message)
    if follow_up is not None:
        return follow_up
    for parse in (_parse_update, _parse_complete, _parse_delete, _parse_list):
        command = parse(text)
        if command is not None:
            return command
    match = _REMEMBER.match(text) or _ADD.match(text)
    if match:
        return _parse_add(match["title"])
    return NotUnderstood()
