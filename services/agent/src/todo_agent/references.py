"""Which task a message means: by number, by position, by "it", or by words of its title.

`parse_reference` reads the words that name a task; `resolve` finds the task among the user's tasks.
Title words match in other forms (stems: "calling" ~ "Call", "bills" ~ "bill"), as word prefixes, and
with small typos; when two tasks match equally well the caller asks which one was meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .language import allowed_typos, stem, typo_distance, words

Task = Mapping[str, Any]
MAX_REFERENCE_CHARS = 250


@dataclass(frozen=True)
class ById:
    task_id: int


@dataclass(frozen=True)
class ByPosition:
    """The n-th task (0-based; negative from the end) of the list as shown, newest first."""

    index: int


@dataclass(frozen=True)
class ByAge:
    """The task added most recently, or the one added first."""

    newest: bool


@dataclass(frozen=True)
class ByMention:
    """ "it", "that one": the task the assistant's previous message was about."""


@dataclass(frozen=True)
class ByWords:
    """Words of the title; `strict`: every word must match (the task's own verb said in another tense)."""

    words: str
    strict: bool = False


TaskRef = ById | ByPosition | ByAge | ByMention | ByWords

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "6th": 5,
    "seventh": 6,
    "eighth": 7,
    "ninth": 8,
    "tenth": 9,
    "last": -1,
    "bottom": -1,
    "top": 0,
    "second to last": -2,
    "penultimate": -2,
}
_NUMBER = r"(?P<number>\d{1,9}|" + "|".join(_NUMBER_WORDS) + ")"
_BY_ID = re.compile(
    rf"^(?:the\s+)?(?:(?:task|todo|to-do|item|one)\s+)?(?:number\s+|no\.?\s*|#\s*)?{_NUMBER}$"
    r"|^#\s*(?P<hash>\d{1,9})$",
    re.IGNORECASE,
)
_ORDINAL = "|".join(sorted(map(re.escape, ORDINALS), key=len, reverse=True)).replace(r"\ ", r"\s+")
_BY_POSITION = re.compile(
    rf"^(?:the\s+|my\s+)?(?P<ordinal>{_ORDINAL})(?:\s+(?:one|task|item|todo|entry))?"
    r"(?:\s+(?:on|in|of)\s+(?:my|the)\s+(?:list|tasks))?$",
    re.IGNORECASE,
)
_ADDED = r"(?:that\s+)?(?:i\s+)?(?:just\s+)?(?:added|created|made|put\s+in|entered|wrote\s+down)"
_BY_AGE = re.compile(
    r"^(?:the\s+|my\s+)?(?P<age>latest|newest|most\s+recent|recent|last|oldest|earliest|first)"
    rf"(?:\s+(?:one|task|item|todo|entry))?(?:\s+(?P<added>{_ADDED}))?$"
    rf"|^(?:the\s+)?(?:one|task|item)\s+(?P<just>{_ADDED})$",
    re.IGNORECASE,
)
_OLD = frozenset({"oldest", "earliest", "first"})
_BY_MENTION = re.compile(
    r"^(?:it|that|this|that\s+one|this\s+one|that\s+task|this\s+task|the\s+same\s+one|same\s+one)$",
    re.IGNORECASE,
)
_NOISE = re.compile(
    r"^(?:(?:the|my|a|an|that|this|our)\s+)+"
    r"|(?:\s+(?:task|todo|to-do|item|one|thing|entry|from\s+(?:my|the)\s+(?:list|tasks)"
    r"|(?:on|in)\s+(?:my|the)\s+list|yesterday|today|earlier|already|just\s+now|finally"
    r"|this\s+(?:morning|afternoon|evening)|last\s+night))+$",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’`"  # noqa: RUF001 - typographic quotes are what phones type
_VAGUE = frozenset({"", "task", "a task", "one", "them", "something", "thing", "stuff", "item", "todo", "a"})
STOP_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "my",
        "task",
        "todo",
        "item",
        "one",
        "to",
        "about",
        "for",
        "of",
        "with",
        "and",
        "on",
        "at",
    }
)


def strip_quotes(text: str) -> str:
    text = text.strip().rstrip(".!?,; ").strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        return text[1:-1].strip()
    return text.strip(_QUOTES).strip()


def parse_reference(text: str) -> TaskRef | None:
    """The task the words name; None when they name none ("a task", nothing)."""
    text = " ".join(text.split())
    if len(text) > MAX_REFERENCE_CHARS:  # longer than any title: words, without the cleaning below
        return ByWords(text)
    if match := _BY_ID.match(text):
        number = match["hash"] or match["number"]
        return ById(int(_NUMBER_WORDS.get(number.lower(), number)))
    if match := _BY_AGE.match(text):
        age = (match["age"] or "").lower()
        # "the last one" is a place in the list; "the last one I added" and "the newest" are about age.
        if match["just"] or match["added"] or age not in {"last", "first"}:
            return ByAge(newest=age not in _OLD)
    if match := _BY_POSITION.match(text):
        return ByPosition(ORDINALS[" ".join(match["ordinal"].lower().split())])
    if _BY_MENTION.match(text):
        return ByMention()
    named = strip_quotes(text)
    if named != text.strip():  # a quoted title is taken as it is
        return ByWords(named) if named else None
    previous = None
    while previous != named:
        previous = named
        named = _NOISE.sub("", named).strip()
    named = strip_quotes(named)
    if named.lower() in _VAGUE:
        return None
    return ByWords(named)


@dataclass(frozen=True)
class _Match:
    exact_title: bool
    quality: int  # the sum over the query's words: 3 same word, 2 same stem or prefix, 1 a typo away


def _word_quality(query_word: str, title_words: Sequence[str], title_stems: Sequence[str]) -> int:
    if query_word in title_words:
        return 3
    query_stem = stem(query_word)
    if query_stem in title_stems:
        return 2
    # A prefix of at least four letters ("meet" ~ "meetings"); "car" must not find "card".
    if len(query_word) >= 4 and any(word.startswith(query_word) for word in title_words):
        return 2
    limit = allowed_typos(query_word)
    # Typos rarely hit the first letter; checking it first keeps a lookup in 50 titles cheap.
    if limit and any(
        title_stem[:1] == query_stem[:1] and typo_distance(query_stem, title_stem, limit) <= limit
        for title_stem in title_stems
    ):
        return 1
    return 0


def _match(query: str, task: Task, strict: bool) -> _Match | None:
    title = str(task.get("title", ""))
    if " ".join(title.lower().split()) == " ".join(query.lower().split()):
        return _Match(exact_title=True, quality=0)
    query_words = [word for word in words(query) if word not in STOP_WORDS]
    if not query_words:
        return None
    title_words = words(title)
    title_stems = [stem(word) for word in title_words]
    qualities = [_word_quality(word, title_words, title_stems) for word in query_words]
    missed = qualities.count(0)
    # Every word must match; in a longer phrase one may not ("I called mom yesterday evening").
    if missed > (1 if len(query_words) >= 3 and not strict else 0):
        return None
    return _Match(exact_title=False, quality=sum(qualities))


def best_matches(query: str, tasks: Sequence[Task], *, strict: bool = False) -> list[Task]:
    """The tasks that match the words best: one, several that match equally well, or none."""
    scored = [(match, task) for task in tasks if (match := _match(query, task, strict)) is not None]
    if not scored:
        return []
    best = max((match.exact_title, match.quality) for match, _ in scored)
    return [task for match, task in scored if (match.exact_title, match.quality) == best]


@dataclass(frozen=True)
class Found:
    task_id: int
    title: str | None = None


@dataclass(frozen=True)
class Ambiguous:
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class NotFound:
    reason: Literal["no match", "no such position", "nothing mentioned", "empty list"]


Resolution = Found | Ambiguous | NotFound


def resolve(ref: TaskRef, tasks: Sequence[Task], *, prefer_pending: bool = False) -> Resolution:
    """The task `ref` names among `tasks` (in list order: newest first)."""
    match ref:
        case ById(task_id=task_id):
            return Found(task_id)
        case ByMention():
            return NotFound("nothing mentioned")
        case ByPosition(index=index):
            if not tasks:
                return NotFound("empty list")
            if -len(tasks) <= index < len(tasks):
                return _found(tasks[index])
            return NotFound("no such position")
        case ByAge(newest=newest):
            if not tasks:
                return NotFound("empty list")
            ordered = sorted(tasks, key=lambda task: (str(task.get("created_at", "")), int(task["id"])))
            return _found(ordered[-1] if newest else ordered[0])
        case ByWords(words=query, strict=strict):
            matches = best_matches(query, tasks, strict=strict)
            if prefer_pending and len(matches) > 1:
                matches = [task for task in matches if not task.get("completed")] or matches
            if not matches:
                return NotFound("no match")
            if len(matches) > 1:
                return Ambiguous(tuple(matches))
            return _found(matches[0])


def _found(task: Task) -> Found:
    return Found(int(task["id"]), str(task.get("title", "")))
