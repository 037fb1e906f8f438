"""Word forms for the builtin model: verb inflections, stems and typo distance. Pure and dependency-free.

The intent rules name each verb once (`finish`); `inflections` gives every tense of it, so "finished",
"finishing" and "finishes" are understood without being listed. Task titles are matched on `stem`s with
a small edit distance, so "calling mom" finds "Call mom" and "groceris" finds "Buy groceries".
"""

from __future__ import annotations

import re
from functools import lru_cache

# Irregular verbs people use about everyday tasks: base -> (third person, past, past participle, -ing).
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "do": ("does", "did", "done", "doing"),
    "get": ("gets", "got", "gotten", "getting"),
    "buy": ("buys", "bought", "buying"),
    "pay": ("pays", "paid", "paying"),
    "make": ("makes", "made", "making"),
    "go": ("goes", "went", "gone", "going"),
    "write": ("writes", "wrote", "written", "writing"),
    "send": ("sends", "sent", "sending"),
    "take": ("takes", "took", "taken", "taking"),
    "give": ("gives", "gave", "given", "giving"),
    "eat": ("eats", "ate", "eaten", "eating"),
    "meet": ("meets", "met", "meeting"),
    "feed": ("feeds", "fed", "feeding"),
    "sell": ("sells", "sold", "selling"),
    "bring": ("brings", "brought", "bringing"),
    "find": ("finds", "found", "finding"),
    "read": ("reads", "reading"),
    "run": ("runs", "ran", "running"),
    "drive": ("drives", "drove", "driven", "driving"),
    "build": ("builds", "built", "building"),
    "speak": ("speaks", "spoke", "spoken", "speaking"),
    "catch": ("catches", "caught", "catching"),
    "teach": ("teaches", "taught", "teaching"),
    "throw": ("throws", "threw", "thrown", "throwing"),
    "put": ("puts", "putting"),
    "set": ("sets", "setting"),
    "cut": ("cuts", "cutting"),
    "pick": ("picks", "picked", "picking"),
    "wash": ("washes", "washed", "washing"),
    "forget": ("forgets", "forgot", "forgotten", "forgetting"),
    "ring": ("rings", "rang", "rung", "ringing"),
    "sweep": ("sweeps", "swept", "sweeping"),
    "fly": ("flies", "flew", "flown", "flying"),
    "draw": ("draws", "drew", "drawn", "drawing"),
    "sleep": ("sleeps", "slept", "sleeping"),
    "hang": ("hangs", "hung", "hanging"),
}
# Past forms of irregular verbs, back to their base: "bought" -> "buy".
_IRREGULAR_BASE = {form: base for base, forms in _IRREGULAR.items() for form in forms}
_VOWELS = frozenset("aeiou")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _regular_forms(verb: str) -> tuple[str, ...]:
    if verb.endswith("e"):
        return (verb + "s", verb + "d", verb[:-1] + "ing")
    if verb.endswith("y") and verb[-2:-1] not in _VOWELS:
        return (verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing")
    third = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z")) else verb + "s"
    # One syllable ending consonant-vowel-consonant doubles it: drop -> dropped (but edit -> edited).
    single_syllable = sum(letter in _VOWELS for letter in verb) == 1
    if single_syllable and verb[-1] not in _VOWELS | {"w", "x", "y"} and verb[-2] in _VOWELS:
        return (third, verb + verb[-1] + "ed", verb + verb[-1] + "ing")
    return (third, verb + "ed", verb + "ing")


def inflections(phrase: str) -> tuple[str, ...]:
    """Every form of a verb or phrasal verb, inflecting its first word: "check off" -> "checked off"…"""
    verb, _, rest = phrase.partition(" ")
    forms = (verb, *(_IRREGULAR.get(verb) or _regular_forms(verb)))
    return tuple(dict.fromkeys(f"{form} {rest}".strip() for form in forms))


def alternation(phrases: tuple[str, ...] | list[str]) -> str:
    """A regular-expression group matching any of the phrases, longest first, spaces as any whitespace."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in ordered) + ")"


def verb_forms(*verbs: str) -> str:
    """`alternation` of every inflection of the verbs."""
    return alternation([form for verb in verbs for form in inflections(verb)])


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A crude stem that equates the forms of a word: calls/called/calling -> call, groceries -> grocery."""
    word = word.lower().removesuffix("'s")
    for _ in range(2):  # twice: "meetings" -> "meeting" -> "meet"
        if word in _IRREGULAR_BASE:
            return _IRREGULAR_BASE[word]
        for suffix, replacement in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                word = word[: -len(suffix)] + replacement
                break
        else:
            break
    # "bake"/"baked"/"baking" and "shop"/"shopping" meet in one stem.
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]
    return word.removesuffix("e") if len(word) > 3 else word


def is_past_tense(word: str) -> bool:
    word = word.lower()
    return (word in _IRREGULAR_BASE and word not in _IRREGULAR) or (len(word) > 4 and word.endswith("ed"))


def typo_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions (Damerau), or `limit + 1` as soon as it is known to exceed it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """Typos tolerated in a word: none in short words (too many false friends), more in long ones."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))  # noqa: RUF001 - the apostrophe phones type
