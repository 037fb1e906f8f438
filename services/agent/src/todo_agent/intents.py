"""What a chat message asks for: the builtin model's understanding of everyday phrasing.

`understand` turns one user message, read in the context of the assistant's previous message, into a
`Command`. The rules are a short ordered list of sentence frames (imperative, "I did X", "X is done",
questions…) over word classes; each class names a verb once and `language.inflections` supplies every
tense of it. Which task is meant is read by `references.parse_reference`. Pure: no I/O, no state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .dialogue import Action, BulkAction, Change, ConfirmBulk, Context, WhichOne
from .language import alternation, is_past_tense, stem, verb_forms
from .references import (
    ById,
    ByMention,
    ByPosition,
    ByWords,
    TaskRef,
    best_matches,
    parse_reference,
    strip_quotes,
)

TaskStatus = Literal["all", "pending", "completed"]
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1000
MAX_COMMAND_CHARS = 300


@dataclass(frozen=True)
class AddTask:
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListTasks:
    status: TaskStatus = "all"


@dataclass(frozen=True)
class ChangeTask:
    """Complete, reopen or delete one task."""

    action: Literal["complete", "reopen", "delete"]
    target: TaskRef


@dataclass(frozen=True)
class UpdateTask:
    target: TaskRef
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class BulkChange:
    """Complete or delete every task with a status: first listed and confirmed, never at once."""

    action: BulkAction
    status: TaskStatus


@dataclass(frozen=True)
class ConfirmedBulk:
    action: BulkAction
    task_ids: tuple[int, ...]


SmallTalkKind = Literal["greeting", "thanks", "help", "bye", "ack", "hold_off", "cancelled"]


@dataclass(frozen=True)
class SmallTalk:
    kind: SmallTalkKind


@dataclass(frozen=True)
class Clarify:
    """The intent is clear but something is missing or not possible: ask back."""

    question: str


@dataclass(frozen=True)
class NotUnderstood:
    pass


Command = (
    AddTask
    | ListTasks
    | ChangeTask
    | UpdateTask
    | BulkChange
    | ConfirmedBulk
    | SmallTalk
    | Clarify
    | NotUnderstood
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# --- word classes ------------------------------------------------------------------------------------

COMPLETE_VERBS = verb_forms(
    "complete",
    "finish",
    "check off",
    "tick off",
    "cross off",
    "close",
    "wrap up",
    "knock out",
    "accomplish",
    "get done",
    "mark off",
    "do",
)
DELETE_VERBS = verb_forms(
    "delete",
    "remove",
    "erase",
    "drop",
    "discard",
    "cancel",
    "trash",
    "scratch",
    "ditch",
    "nix",
    "get rid of",
    "forget about",
    "forget",
    "bin",
    "axe",
    "junk",
    "strike",
    "take off",
)
REOPEN_VERBS = verb_forms(
    "reopen", "uncomplete", "unmark", "uncheck", "untick", "unfinish", "undo", "restart"
)
RENAME_VERBS = verb_forms(
    "rename", "change", "update", "edit", "modify", "retitle", "reword", "fix", "correct", "alter", "amend"
)
DONE = alternation(
    ["done", "complete", "completed", "finished", "checked off", "ticked off", "crossed off", "taken care of",
     "sorted", "sorted out", "handled", "dealt with", "out of the way", "accomplished", "over with", "ticked",
     "checked"]
)  # fmt: skip
NOT_DONE = alternation(
    ["not done", "undone", "incomplete", "not complete", "not completed", "uncompleted", "not finished",
     "unfinished", "pending", "open", "to do", "todo", "active", "not done yet"]
)  # fmt: skip
# Each word with its own following space: no two ways to match one space (that backtracks badly).
COPULA = (
    r"(?:'s)?\s+(?:(?:is|was|are|were|has\s+been|have\s+been|got|gets|s|now|finally|already|all|just)\s+)*"
)
SUBJECT = (
    r"(?:i|we|im|ive)(?:'ve|'m|'re|'d)?"
    r"(?:\s+(?:have|had|am|are|just|already|finally|now|totally|completely|all))*"
)
TASKS_NOUN = r"(?:tasks|todos|to-dos|items|ones|things|entries|to\s+dos)"
STATUS_WORD = (
    r"(?:completed|complete|done|finished|checked|ticked|old|pending|open|unfinished|incomplete|remaining)"
)
EVERY = (
    r"(?:all|everything|every\s+(?:single\s+)?(?:task|todo|item|one|thing)|them\s+all|all\s+of\s+them|the\s+lot"
    r"|(?:the\s+)?whole\s+(?:list|lot)|the\s+entire\s+list|each\s+(?:task|one))"
)
BULK_TARGET = (
    rf"(?:{EVERY}(?:\s+(?:of\s+)?(?:my|the)?\s*(?P<status1>{STATUS_WORD})?\s*{TASKS_NOUN}?)?(?:\s+that\s+(?:are|is)"
    rf"\s+(?P<status2>{STATUS_WORD}))?|(?:the|my|those|these)\s+(?P<status3>{STATUS_WORD})\s+{TASKS_NOUN}"
    rf"|(?P<status4>{STATUS_WORD})\s+{TASKS_NOUN}|(?:my|the)\s+(?:task\s+|todo\s+|to-do\s+)?list)"
)
CLEAR = r"(?:clear(?:\s+out)?|empty|wipe|purge|clean\s+(?:out|up))"
LIST_SUFFIX = r"(?:\s+(?:from|off|in|on)\s+(?:my|the)\s+(?:task\s+|todo\s+|to-do\s+)?(?:list|tasks|todos))?"

# --- normalising ------------------------------------------------------------------------------------

_POLITE_PREFIX = _rx(
    r"^(?:(?:ok(?:ay)?|hey|hi|hello|so|well|please|pls|plz|kindly|now|also|and|then|oh|um+|uh+|hmm+|actually"
    r"|btw|by\s+the\s+way|alright|right|assistant|bot|yo|quick(?:ly)?|just|great|cool|thanks|thank\s+you|finally"
    r"|yay|phew|woo+|woohoo|good\s+news)[\s,!.:-]+"
    r"|(?:can|could|would|will)\s+(?:you|u|ya)(?:\s+please)?(?:\s+just)?\s+"
    r"|would\s+you\s+mind\s+|(?:please\s+)?go\s+ahead\s+and\s+|let's\s+|lets\s+|help\s+me\s+"
    r"|i\s+(?:want|would\s+like|'d\s+like|wanna)\s+(?:you\s+)?to\s+(?=(?:see|view|check|know|delete|mark|rename"
    r"|add|create|list|show|erase|get\s+rid|change|update|edit|remove|clear|undo)\b)"
    r"|i\s+(?:need|have)\s+to\s+(?=(?:see|view|know|delete|mark|rename|add|create|list|erase|update|edit)\b))+"
)
_POLITE_SUFFIX = _rx(
    r"(?:[\s,]+(?:please|pls|plz|thanks|thank\s+you|thx|for\s+me|now|asap|right\s+now|if\s+you\s+can|real\s+quick"
    r"|quickly|again|too|as\s+well|ok|okay|thx))+$"
)
_EMOJI = re.compile(r"[\U0001F000-\U0001FFFF\u2600-\u27BF\uFE0F]+")


def normalize(message: str) -> str:
    text = _EMOJI.sub(" ", message.replace("’", "'").replace("‘", "'"))  # noqa: RUF001 - phones' apostrophes
    text = " ".join(text.split()).rstrip(".!?… ")
    previous = None
    while previous != text:
        previous = text
        text = _POLITE_PREFIX.sub("", text).strip()
        text = _POLITE_SUFFIX.sub("", text).strip().rstrip(".!?,;: ")
    return text


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- small talk -------------------------------------------------------------------------------------

_SMALL_TALK: tuple[tuple[SmallTalkKind, re.Pattern[str]], ...] = (
    (
        "thanks",
        _rx(
            r"^(?:(?:great|perfect|awesome|cool|nice|ok(?:ay)?|brilliant|lovely)[\s,!]+)?(?:thanks|thank\s+you|thx|ty"
            r"|cheers|thank\s+u|many\s+thanks|much\s+appreciated|appreciate\s+it|ta)(?:\s+(?:so|very)\s+much"
            r"|\s+a\s+(?:lot|bunch|ton)|\s+again|\s+for\s+.+)?$"
        ),
    ),
    (
        "greeting",
        _rx(
            r"^(?:hi|hello|hey|hiya|howdy|yo|heya|sup|greetings|good\s+(?:morning|afternoon|evening|day)"
            r"|hey\s+there|hello\s+there|hi\s+there|how\s+are\s+you|how's\s+it\s+going|what's\s+up)(?:\s+there)?$"
        ),
    ),
    (
        "help",
        _rx(
            r"^(?:help|help\s+me|what\s+can\s+you\s+do|what\s+do\s+you\s+do|how\s+does\s+this\s+work|who\s+are\s+you"
            r"|what\s+are\s+you|commands|what\s+are\s+the\s+commands|how\s+do\s+i\s+use\s+(?:this|you)|\?|menu"
            r"|options|what\s+should\s+i\s+say|how\s+(?:do|can|should)\s+i\s+.+|can\s+i\s+(?!see|view|get|have).+"
            r"|what\s+happens\s+if\s+i\s+.+|is\s+it\s+possible\s+to\s+.+)$"
        ),
    ),
    (
        "bye",
        _rx(
            r"^(?:bye|goodbye|bye\s+bye|see\s+you(?:\s+later)?|see\s+ya|later|good\s+night|night|that's\s+all"
            r"|that's\s+it|nothing\s+else|i'm\s+done|im\s+done|all\s+good|that\s+will\s+be\s+all|that'll\s+be\s+all)$"
        ),
    ),
    (
        "ack",
        _rx(
            r"^(?:ok|okay|k|kk|cool|great|nice|awesome|perfect|got\s+it|alright|sounds\s+good|good|fine|sure|yes|yeah|yep"
            r"|excellent|wonderful|neat|sweet|amazing|lovely|brilliant|ok\s+cool|wow)$"
        ),
    ),
    (
        "hold_off",
        _rx(
            rf"^(?:don't|do\s+not|dont|never|no\s+need\s+to|please\s+don't)\s+(?:{DELETE_VERBS}|{COMPLETE_VERBS}"
            rf"|{RENAME_VERBS}|mark|touch|clear|empty|wipe)\b.*$|^(?:wait|hold\s+on|stop|never\s*mind|forget\s+it"
            r"|not\s+now|no\s+thanks|nope|no|cancel|abort)$"
        ),
    ),
)

# --- the frames -------------------------------------------------------------------------------------

_YES_WORD = (
    r"(?:y|yes|yeah|yep|yup|ya|sure|ok|okay|confirm(?:ed)?|do\s+it|go\s+ahead|go\s+for\s+it|please(?:\s+do)?"
    r"|absolutely|definitely|of\s+course|correct|affirmative|proceed|that's\s+right|right|all\s+of\s+them"
    r"|(?:delete|complete|mark|do|remove)\s+(?:them|it|all|those)(?:\s+all)?(?:\s+as\s+(?:complete|done))?"
    r"|all|both|them\s+all|please)"
)
_YES = _rx(rf"^{_YES_WORD}(?:[\s,!.]+{_YES_WORD})*$")
_NO = _rx(
    r"^(?:n|no|nope|nah|no\s+thanks|cancel|stop|don't|do\s+not|never\s*mind|keep\s+them|leave\s+them|not\s+now"
    r"|abort|forget\s+it|wait|hold\s+on|no\s+way|don't\s+do\s+(?:it|that))$"
)
_UNDO = _rx(
    r"^(?:undo|undo\s+(?:that|it|this|the\s+last\s+(?:one|change|thing)|my\s+last\s+(?:change|request))"
    r"|revert(?:\s+(?:that|it|this))?|take\s+(?:that|it)\s+back|put\s+it\s+back|bring\s+it\s+back|restore\s+it"
    r"|(?:oops|whoops|oh\s+no)[\s,!]*(?:undo(?:\s+that|\s+it)?)?|that\s+was\s+a\s+mistake|i\s+didn't\s+mean\s+"
    r"(?:that|to\s+do\s+that|to)|reverse\s+(?:that|it)|roll\s+(?:that\s+|it\s+)?back|scratch\s+that|cancel\s+that"
    r"|go\s+back|change\s+it\s+back|put\s+that\s+back|unde?lete\s+(?:it|that))$"
)
_BULK: tuple[tuple[BulkAction, re.Pattern[str]], ...] = (
    ("delete", _rx(rf"^(?:{DELETE_VERBS}|{CLEAR})\s+{BULK_TARGET}{LIST_SUFFIX}$")),
    ("delete", _rx(rf"^{CLEAR}(?:\s+(?:out|up))?(?:\s+(?P<status5>{STATUS_WORD}))?$")),
    ("complete", _rx(rf"^(?:mark|set|flag|tick|check)\s+{BULK_TARGET}(?:\s+(?:as|to))?\s+{DONE}$")),
    ("complete", _rx(rf"^(?:{COMPLETE_VERBS})\s+{BULK_TARGET}$")),
    ("complete", _rx(rf"^{SUBJECT}\s+(?:{COMPLETE_VERBS})(?:\s+with)?\s+{BULK_TARGET}$")),
    ("complete", _rx(rf"^{BULK_TARGET}{COPULA}{DONE}$")),
)  # fmt: skip
_FIELD = r"(?:title|name|description|details|notes?|text|wording)"
_UPDATE = (
    _rx(
        rf"^(?:{RENAME_VERBS})\s+(?:the\s+(?:(?P<field1>{_FIELD})|typo|spelling|wording)\s+(?:of|for|on|in)\s+)?"
        r"(?P<ref>.+?)(?:'s)?"
        rf"(?:\s+(?P<field2>{_FIELD}))?(?:\s*(?::|=|->|=>|→)\s*|\s+(?:to\s+say|to\s+read|so\s+(?:that\s+)?it\s+"
        r"(?:says|reads)|into|as|to)\s+)(?P<value>.+)$"
    ),
    _rx(r"^(?P<ref>.+?)\s+should\s+(?:say|read|be\s+called|be\s+named|be\s+titled|be)\s+(?P<value>.+)$"),
    _rx(
        r"^(?:add|set|put|give|attach)\s+(?:a\s+|the\s+)?(?P<field1>description|details|notes?)\s+(?:to|for|on)\s+"
        r"(?P<ref>.+?)(?:\s*:\s*|\s+(?:saying|that\s+says|reading|-)\s+)(?P<value>.+)$"
    ),
)
_UPDATE_VERB = _rx(rf"^(?:{RENAME_VERBS})\b")
_REOPEN = (
    _rx(rf"^(?:mark|set|flag|put)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+|back\s+(?:to|as)\s+)?{NOT_DONE}(?:\s+again)?$"),
    _rx(rf"^(?:{REOPEN_VERBS})\s+(?P<ref>.+?)(?:\s+again)?$"),
    _rx(r"^(?P<ref>.+?)\s+(?:isn't|is\s+not|wasn't|was\s+not|aren't|are\s+not)\s+(?:really\s+)?"
        rf"{DONE}(?:\s+(?:yet|after\s+all|actually))?$"),
    _rx(rf"^(?:i|we)\s+(?:didn't|did\s+not|haven't|have\s+not|never)\s+(?:actually\s+|really\s+)?(?:{COMPLETE_VERBS})"
        r"\s+(?P<ref>.+?)(?:\s+(?:yet|after\s+all|actually))?$"),
    _rx(r"^(?:i|we)\s+(?:didn't|did\s+not|haven't|have\s+not|never)\s+(?:actually\s+|really\s+)?(?P<verb>[a-z]+)"
        r"\s+(?P<ref>.+?)(?:\s+(?:yet|after\s+all|actually))?$"),
    _rx(r"^(?:mark|put)\s+(?P<ref>.+?)\s+back$"),
)  # fmt: skip
_COMPLETE = (
    _rx(rf"^(?:mark|set|flag|tick|check)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?(?:{DONE}|off)$"),
    _rx(rf"^(?:{verb_forms('check', 'tick', 'cross', 'knock', 'mark')})\s+(?P<ref>.+?)\s+off{LIST_SUFFIX}$"),
    _rx(r"^(?:i\s+|we\s+)?(?:got|get|have\s+got|finally\s+got)\s+(?P<ref>.+?)\s+done$"),
    _rx(rf"^(?:{COMPLETE_VERBS})(?:\s+with)?\s+(?P<ref>.+?){LIST_SUFFIX}$"),
    _rx(rf"^{SUBJECT}\s+(?!\w+ing\b)(?:{COMPLETE_VERBS}|{DONE})(?:\s+with)?\s+(?P<ref>.+)$"),
    _rx(rf"^(?:{DONE})\s*(?::|-|–|with)\s*(?P<ref>.+)$"),  # noqa: RUF001 - the dash phones type
    _rx(rf"^(?P<ref>.+?){COPULA}{DONE}(?:\s+(?:now|already|finally|today|yesterday))?$"),
)  # fmt: skip
_DELETE = (
    _rx(rf"^(?:{DELETE_VERBS})(?:\s+(?P<ref>.+?))?{LIST_SUFFIX}$"),
    _rx(r"^take\s+(?P<ref>.+?)\s+off\s+(?:my|the)\s+(?:task\s+)?(?:list|tasks)$"),
    _rx(r"^(?:i|we)\s+(?:don't|do\s+not|no\s+longer)\s+(?:need|want|have)(?:\s+to)?\s+(?P<ref>.+?)"
        r"(?:\s+(?:anymore|any\s+more|any\s+longer))$"),
    _rx(r"^(?:i|we)\s+no\s+longer\s+(?:need|want|have)(?:\s+to)?\s+(?P<ref>.+)$"),
    _rx(r"^(?P<ref>.+?)\s+(?:is|was|has\s+been|got|can\s+be)\s+(?:cancell?ed|called\s+off|no\s+longer\s+needed"
        r"|not\s+needed(?:\s+anymore)?|deleted|removed)$"),
    _rx(r"^(?P<ref>.+?)\s+can\s+go$"),
)  # fmt: skip
# "I called mom", "the bill is paid": the task's own verb in the past tense.
_DID_IT = _rx(
    r"^(?:(?:i|we)(?:'ve)?(?:\s+(?:just|already|finally|have))*\s+)?(?P<verb>[a-z]+)\s+(?P<rest>.+)$"
)
_GOT_DONE = _rx(r"^(?P<rest>.+?)\s+(?:is|was|are|were|has\s+been|have\s+been|got)\s+(?P<verb>[a-z]+)$")
_NOT_COMPLETIONS = frozenset(
    {"needed", "wanted", "added", "forgot", "remembered", "meant", "tried", "decided", "started", "planned",
     "hoped", "wished", "created", "deleted", "removed", "renamed", "changed", "updated", "asked", "wondered",
     "noticed", "realized", "realised", "thought", "got", "liked", "loved", "hated", "missed", "postponed",
     "moved", "scheduled", "rescheduled", "delayed", "skipped", "cancelled", "canceled", "wrote", "said",
     "told",
     "heard", "saw", "felt", "put", "set", "used", "agreed", "promised", "expected", "failed", "stopped",
     "listed"}
)  # fmt: skip

_LIST_IDIOMS = _rx(
    r"^(?:(?:show|give|tell|read|list)\s+(?:me\s+)?(?:everything|it\s+all|the\s+lot|what\s+i've\s+got)"
    r"|everything|what's\s+on\s+(?:my|the)\s+(?:plate|agenda|list|schedule|docket|radar|mind)"
    r"|whats\s+on\s+(?:my|the)\s+(?:plate|agenda|list|schedule)|what(?:'s|\s+is|s)\s+(?:up\s+)?next"
    r"|what\s+now|anything\s+(?:else\s+)?(?:left|remaining|pending|open|outstanding|due|to\s+do)"
    r"|anything\s+else|what\s+(?:do|have)\s+i\s+(?:got|have)(?:\s+.*)?|what\s+am\s+i\s+(?:missing|forgetting)"
    r"|where\s+(?:am\s+i|are\s+we|do\s+i\s+stand|do\s+things\s+stand)(?:\s+at)?|catch\s+me\s+up|status"
    r"|what's\s+outstanding|remind\s+me\s+what.*|my\s+list|the\s+list|list|todo\s+list|to-do\s+list|to\s+do\s+list"
    r"|(?:my\s+)?agenda|what's\s+(?:there|left)|what's\s+the\s+damage|what\s+have\s+i\s+(?:got|added)(?:\s+.*)?"
    r"|overview|summary|recap|what\s+(?:else\s+)?(?:is\s+there|remains))$"
)
_LIST_QUESTION = _rx(
    r"^(?:what|what's|whats|which|show|list|display|see|view|give|tell|read|get|pull\s+up|bring\s+up|let\s+me\s+see"
    r"|lemme\s+see|do\s+i\s+have|have\s+i|how\s+many|any|is\s+there|are\s+there|check|review|look\s+at|can\s+i"
    r"|could\s+i|i\s+(?:want|need|would\s+like|'d\s+like|wanna)\s+to\s+(?:see|check|view|review|know)"
    r"|my|all|every|everything|(?:all\s+)?(?:pending|completed|open|finished|done|remaining|outstanding)"
    r"|tasks|todos|to-dos|did\s+i|have\s+i)\b"
)
_LIST_TOPIC = _rx(
    r"\b(?:tasks?|todos?|to-dos?|to\s+do|list|pending|completed|complete|done|finish|finished|left|remaining"
    r"|open|outstanding|incomplete|unfinished|agenda|plate|need\s+to\s+do|have\s+to\s+do|everything|anything"
    r"|accomplished|achieved|due|items)\b"
)
_COMPLETED_WORDS = _rx(
    r"\b(?:completed|complete|done|finish|finished|accomplished|achieved|ticked|checked\s+off)\b"
)
_NOT_COMPLETED = _rx(
    r"(?:\bnot\b|n't|\byet\s+to\b|\bstill\b).*\b(?:completed|complete|done|finished)\b|\bincomplete\b"
    r"|\b(?:need|have|got)\s+to\s+do\b|\bto\s+do\b|\bleft\s+to\b"
)
_PENDING_WORDS = _rx(
    r"\b(?:pending|left|remaining|open|outstanding|incomplete|unfinished|to\s+do|todo|need\s+to\s+do"
    r"|have\s+to\s+do|still|upcoming|due|next|undone|active)\b"
)

_ADD = _rx(
    r"^(?:add|create|new|put|insert|jot\s+down|jot|write\s+down|note\s+down|note|make|log|record|schedule|set\s+up)"
    r"(?:\s+(?:a|an|another|one\s+more|me\s+a))?(?:\s+new)?"
    r"(?:\s+(?:task|todo|to-do|item|entry|reminder|note))?"
    r"(?:\s*(?::|-)\s*|\s+(?:to|for|called|named|titled|that\s+says|saying|about|reading)\s+|\s+|$)"
    r"(?P<title>.*)$"
)
_REMEMBER = _rx(
    r"^(?:remind\s+me\s+(?:to|about)|remember\s+to|i\s+(?:need|have|must|should|want|ought)\s+to\s+remember\s+to"
    r"|i\s+must\s+remember\s+to|(?:don't|do\s+not|dont)\s+let\s+me\s+forget\s+(?:to|about)|help\s+me\s+remember\s+to"
    r"|note\s+to\s+self:?|todo:|to-do:|to\s+do:|reminder:?|remember:?|task:"
    r"|i\s+(?:need|have|must|should|gotta|ought|want|wanna|'ve\s+got|got)\s+to|i\s+gotta|i\s+must|i\s+should"
    r"|i'll\s+need\s+to|i\s+will\s+need\s+to|i\s+need\s+to\s+go|gotta|need\s+to|have\s+to|must"
    r"|(?:don't|do\s+not|dont)\s+forget\s+(?:to|about)|(?:don't|do\s+not|dont)\s+forget"
    r"|(?:can|could)\s+you\s+remind\s+me\s+to|remember|on\s+my\s+list:?)"
    r"(?:\s+(?:really|definitely|probably|also|still|seriously|just|totally))?\s+(?P<title>.+)$"
)
_DESCRIPTION = _rx(
    r"^(?P<title>.+?)\s*(?:,\s*|\s+)(?:with\s+(?:the\s+)?(?:description|details|notes?)|description:|details:"
    r"|notes?:)\s*:?\s*(?P<description>.+)$"
)
_LIST_NAME = _rx(r"\b(?:to-?\s?do|todo|task)\s+list\b")
_LIST_NAME_SUFFIX = _rx(
    r"\s+(?:to|on|in|into|onto)\s+(?:my|the)\s+(?:task\s+list|todo\s+list|to-do\s+list|to\s+do\s+list"
    r"|list|tasks|todos|to-dos|list\s+of\s+tasks)$"
)


_QUESTION = _rx(
    r"^(?:what|what's|whats|which|how|why|when|where|who|did|do|does|is|are|was|were|have|has|had|any|anything"
    r"|should|shall|am|will|would)\b"
)

# --- parsing helpers ----------------------------------------------------------------------------------


def _title_problem(title: str) -> str | None:
    if not title:
        return 'What should the task say? For example: "Add a task to buy groceries".'
    if len(title) > MAX_TITLE_LENGTH:
        return f"That title is too long: a task title can have at most {MAX_TITLE_LENGTH} characters."
    return None


def _parse_add(raw_title: str) -> Command:
    title_text, description = raw_title.strip(), None
    if match := _DESCRIPTION.match(title_text):
        title_text, description = match["title"], strip_quotes(match["description"])
    title_text = _LIST_NAME_SUFFIX.sub("", title_text.strip())
    title = _capitalize(strip_quotes(title_text))
    if problem := _title_problem(title):
        return Clarify(problem)
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        return Clarify(f"That description is too long: at most {MAX_DESCRIPTION_LENGTH} characters.")
    return AddTask(title=title, description=description or None)


_WHICH_TASK = {
    "complete": "Which task did you finish? Tell me its number or part of its title.",
    "reopen": "Which task should I mark as not done? Tell me its number or part of its title.",
    "delete": "Which task should I delete? Tell me its number or part of its title.",
}


def _change(action: Literal["complete", "reopen", "delete"], ref_text: str | None) -> Command:
    target = parse_reference(ref_text or "")
    return ChangeTask(action, target) if target is not None else Clarify(_WHICH_TASK[action])


def _parse_update(text: str) -> Command | None:
    for pattern in _UPDATE:
        if match := pattern.match(text):
            break
    else:
        if _UPDATE_VERB.match(text):
            return Clarify(
                "What should I change, and to what? For example: \"Change task 1 to 'Call mom tonight'\"."
            )
        return None
    target = parse_reference(match["ref"])
    if target is None:
        return Clarify('Which task should I change? Tell me its number, e.g. "Change task 1 to ...".')
    groups = match.groupdict()
    field = (groups.get("field1") or groups.get("field2") or "title").lower()
    value = strip_quotes(match["value"])
    if field in {"description", "details", "note", "notes"}:
        if len(value) > MAX_DESCRIPTION_LENGTH:
            return Clarify(f"That description is too long: at most {MAX_DESCRIPTION_LENGTH} characters.")
        return UpdateTask(target=target, description=value)
    title = _capitalize(value)
    if problem := _title_problem(title):
        return Clarify(problem)
    return UpdateTask(target=target, title=title)


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    return next((match for pattern in patterns if (match := pattern.match(text))), None)


def _parse_reopen(text: str) -> Command | None:
    match = _first(_REOPEN, text)
    if match and match.groupdict().get("verb"):  # "I didn't water the plants": the task's own verb
        target = parse_reference(match["ref"])
        if isinstance(target, ByWords):
            return ChangeTask("reopen", ByWords(f"{stem(match['verb'])} {target.words}", strict=True))
    return _change("reopen", match["ref"]) if match else None


def _parse_complete(text: str) -> Command | None:
    match = _first(_COMPLETE, text)
    return _change("complete", match["ref"]) if match else None


def _parse_delete(text: str) -> Command | None:
    match = _first(_DELETE, text)
    return _change("delete", match["ref"]) if match else None


def _status_of(match: re.Match[str]) -> TaskStatus:
    named = next(
        (value for key, value in match.groupdict().items() if key.startswith("status") and value), ""
    )
    if named.lower() in {"completed", "complete", "done", "finished", "checked", "ticked", "old"}:
        return "completed"
    return "pending" if named else "all"


def _parse_bulk(text: str) -> Command | None:
    for action, pattern in _BULK:
        if match := pattern.match(text):
            return BulkChange(action, "pending" if action == "complete" else _status_of(match))
    return None


def _parse_list(text: str) -> Command | None:
    if not (_LIST_IDIOMS.match(text) or (_LIST_QUESTION.match(text) and _LIST_TOPIC.search(text))):
        return None
    text = _LIST_NAME.sub("list", text)  # "my to-do list" is the whole list
    if _PENDING_WORDS.search(text) or _NOT_COMPLETED.search(text):
        return ListTasks("pending")
    if _COMPLETED_WORDS.search(text):
        return ListTasks("completed")
    return ListTasks("all")


def _parse_did_it(text: str) -> Command | None:
    """A completion said with the task's own verb: "I called mom", "the electricity bill is paid"."""
    for pattern in (_DID_IT, _GOT_DONE):
        match = pattern.match(text)
        if not match or not is_past_tense(match["verb"]) or match["verb"].lower() in _NOT_COMPLETIONS:
            continue
        target = parse_reference(match["rest"])
        if isinstance(target, ByWords):
            return ChangeTask("complete", ByWords(f"{stem(match['verb'])} {target.words}", strict=True))
    return None


def _parse_add_request(text: str) -> Command | None:
    match = _REMEMBER.match(text) or _ADD.match(text)
    return _parse_add(match["title"]) if match else None


# --- follow-ups ---------------------------------------------------------------------------------------


_ANSWER_LEAD = _rx(r"^(?:it's|it\s+is|i\s+mean|go\s+with|the\s+one\s+with|that\s+would\s+be|make\s+it)\s+")


def _chosen(text: str, question: WhichOne) -> int | Clarify | None:
    """The option a short answer picks: its number, its place, or words of its title."""
    ref = parse_reference(_ANSWER_LEAD.sub("", text))
    ids = [option.task_id for option in question.options]
    match ref:
        case ById(task_id=task_id) if task_id in ids or not ids:
            return task_id
        case ByPosition(index=index):
            if -len(ids) <= index < len(ids):
                return ids[index]
            return Clarify(f"I listed only {len(ids)} tasks. Which one do you mean?")
        case ByWords(words=words):
            tasks = [{"id": option.task_id, "title": option.title} for option in question.options]
            found = best_matches(words, tasks)
            return int(found[0]["id"]) if len(found) == 1 else None
    return None


def _answer(text: str, context: Context) -> Command | None:
    question = context.question
    if isinstance(question, ConfirmBulk):
        if _YES.match(text):
            return ConfirmedBulk(question.action, question.task_ids)
        if _NO.match(text):
            return SmallTalk("cancelled")
        return None
    if isinstance(question, WhichOne):
        if _NO.match(text):
            return SmallTalk("cancelled")
        chosen = _chosen(text, question)
        if chosen is None or isinstance(chosen, Clarify):
            return chosen
        return _act_on(question.action, ById(chosen), question.new_title)
    return None


NOTHING_TO_UNDO = (
    "There's nothing for me to undo: I can undo the one change my last message reported "
    "(an added, completed, reopened or deleted task)."
)


def _undo(change: Change | None) -> Command:
    """The change that reverses the one the assistant just reported, made through the same tools."""
    if change is None:
        return Clarify(NOTHING_TO_UNDO)
    match change.kind:
        case "added":
            return ChangeTask("delete", ById(change.task_id))
        case "completed":
            return ChangeTask("reopen", ById(change.task_id))
        case "reopened":
            return ChangeTask("complete", ById(change.task_id))
        case "deleted":
            return AddTask(change.title)  # a new task with the same title (and a new number)
        case "renamed":
            return Clarify(
                f"I can't undo a rename, as I don't keep the old title. To change it back, say "
                f'"Rename task {change.task_id} to ...".'
            )


def _act_on(action: Action, target: TaskRef, new_title: str | None) -> Command:
    if action == "rename":
        return UpdateTask(target, title=new_title)
    return ChangeTask(action, target)


# --- the entry point ----------------------------------------------------------------------------------

_PARSERS: tuple[Callable[[str], Command | None], ...] = (
    _parse_bulk,
    _parse_update,
    _parse_reopen,
    _parse_complete,
    _parse_delete,
    _parse_list,
    _parse_did_it,
    _parse_add_request,
)


def understand(message: str, context: Context | None = None) -> Command:
    context = context or Context()
    text = normalize(message)
    if not text:
        return NotUnderstood()
    if (answer := _answer(text, context)) is not None:
        return answer
    if _UNDO.match(text):
        return _undo(context.change)
    if _REMEMBER.match(text) and not text.lower().startswith(("i need to see", "i need to know")):
        return _parse_add_request(text) or NotUnderstood()
    plain = " ".join(message.split()).rstrip(".!?… ")
    for kind, pattern in _SMALL_TALK:
        if pattern.match(plain) or pattern.match(text):
            return SmallTalk(kind)
    if _QUESTION.match(text) or message.rstrip().endswith("?"):
        # A question changes nothing: "what have I done today?", "everything done?".
        if (listing := _parse_list(text)) is not None:
            return listing
        if _QUESTION.match(text):
            return NotUnderstood()
    # Only an add or an update carries long text (a title, a description). The other frames are not
    # tried on it: their regular expressions take time quadratic in the length on some inputs.
    parsers = _PARSERS if len(text) <= MAX_COMMAND_CHARS else (_parse_update, _parse_add_request)
    for parse in parsers:
        if (command := parse(text)) is not None:
            return _with_context(command, context)
    return NotUnderstood()


def _with_context(command: Command, context: Context) -> Command:
    """Read "it" and "the first one" against the previous message: the task it was about, its list."""
    target = getattr(command, "target", None)
    if isinstance(target, ByMention):
        if context.mentioned is None:
            return Clarify("Which task do you mean? Tell me its number or part of its title.")
        return _retarget(command, ById(context.mentioned))
    if isinstance(target, ByPosition) and context.shown:
        ids = [option.task_id for option in context.shown]
        if -len(ids) <= target.index < len(ids):
            return _retarget(command, ById(ids[target.index]))
        shown = f"{len(ids)} task{'s' if len(ids) != 1 else ''}"
        return Clarify(f"The list I showed has only {shown}. Which one do you mean?")
    return command


def _retarget(command: Command, target: TaskRef) -> Command:
    if isinstance(command, ChangeTask):
        return ChangeTask(command.action, target)
    if isinstance(command, UpdateTask):
        return UpdateTask(target, command.title, command.description)
    return command
