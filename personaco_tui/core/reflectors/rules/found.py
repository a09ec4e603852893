"""What a recognizer yields, and the registry of recognizers (one per family of checkable
signals, in formats.py, counts.py and wording.py). Each scans the prepared signal and yields
`Found` spans: a check, or a veto (a requirement it recognises but cannot check safely, such as
"about 100 words" or "each bullet under 10 words"), which makes the whole signal uncheckable.

The parser (parser.py) resolves overlaps (the longest span wins), refuses negated or
conditional positive requirements, and refuses signals with instructions no span covers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import checks as C
from .patterns import SUBPART
from .text import QCLOSE, QOPEN, Prepared


def qg(name: str) -> str:
    """A quoted-string token captured as group `name` (its index in Prepared.quotes)."""
    return QOPEN + rf"(?P<{name}>\d+)" + QCLOSE


def bare_word(name: str) -> str:
    """An unquoted single word that ends its clause: "use the word synergy"."""
    return (
        rf"(?P<{name}>[a-z][\w'-]*)(?=\s*(?:$|[,;.!?]|\b(?:and|please|always|every|each|in|"
        r"somewhere|at least|at most)\b))"
    )


@dataclass
class Found:
    start: int
    end: int
    check: C.Check | None  # None: veto
    positive: bool = True  # a negation before it turns it around: refuse the signal
    scoped: bool = True  # "each paragraph ..." in its clause: refuse the signal


Recognizer = Callable[[Prepared], Iterator[Found]]
RECOGNIZERS: list[Recognizer] = []


def recognizer(fn: Recognizer) -> Recognizer:
    RECOGNIZERS.append(fn)
    return fn


def veto(m: re.Match[str]) -> Found:
    return Found(m.start(), m.end(), None)


_SUBPART = re.compile(rf"\b{SUBPART}\b")


def clause_has_subpart(p: Prepared, start: int, end: int, allowed: str) -> bool:
    """A part of the answer other than `allowed` is named in the clause, outside the match."""
    a, b = p.span_of(start)
    b = max(b, end)
    text = p.t[a:start] + " " + p.t[end:b]
    return any(not re.fullmatch(allowed, m.group(0)) for m in _SUBPART.finditer(text))


# What may follow a taste ("I love bullet points ...") for it to be about the answers.
_TASTE_TAIL = re.compile(
    r"\s*(?:(?:in|for|on|throughout)\s+(?:your|the|all|my|every|each|all of your)\s+(?:answers?|"
    r"repl(?:y|ies)|responses?|messages?|outputs?|texts?)|please|always|too|a lot|very much|"
    r"so much|the most|everywhere|when you (?:answer|reply|respond|write)|"
    r"(?:when|where|whenever|if) (?:at all )?possible|if you can)?\s*$"
)
_TASTE = re.compile(r"\b(?:like|love|prefer|enjoy|adore|want|need)\b")


def taste_about_something_else(p: Prepared, m: re.Match[str]) -> bool:
    """ "I love emojis in texts from friends": a taste stated about something other than the
    answers (the clause goes on after the match)."""
    if not _TASTE.search(m.group(0)):
        return False
    _, b = p.span_of(m.start())
    tail = p.t[m.end() : max(b, m.end())].rstrip(" ;,.:!?-")
    return not _TASTE_TAIL.match(tail)


_CASE_SCOPE = re.compile(
    r"\s*(?:for|on|with|in|except|when|unless|apart)\b(?!\s+(?:(?:your|all|every|each|the|my)\s+"
    r"(?:answers?|repl(?:y|ies)|responses?|messages?|outputs?|texts?)\b|everything\b|all\b))"
)


def scoped_after(p: Prepared, m: re.Match[str]) -> bool:
    """ "lowercase for proper nouns": the requirement is limited to something after it."""
    return bool(_CASE_SCOPE.match(p.t, m.end()))
