"""The parameters of a check, once the classifier has said which kind a signal asks for:
numbers with their relation ("at least 3", "under a hundred"), quoted phrases, word lists,
markers. Built on the rules parser's own text preparation (number words become digits, quoted
strings become tokens) and its comparator table, so both read numbers and quotes alike.

`extract(kind, text)` gives the Check or None. None is the safe answer: when the parameters
are not there, or the wish is made conditional, occasional, past or negated in a way the kind
does not expect, nothing is checked and the model judges the signal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..reflectors.rules import checks as C
from ..reflectors.rules.lang import LANGUAGE_WORDS
from ..reflectors.rules.patterns import (
    CMP_TAIL,
    CONDITIONAL,
    HARMLESS_CONDITIONALS,
    NO_NEED_TO_COPY,
    NOT_WANTED,
    OPPOSITE,
    SOFTENERS_AFTER,
    SOME_WORDS_AFTER,
    SOME_WORDS_BEFORE,
    cmp_rel,
)
from ..reflectors.rules.text import QCLOSE, QOPEN, Prepared, prepare

_QTOKEN = re.compile(re.escape(QOPEN) + r"(\d+)" + re.escape(QCLOSE))
_PAST = re.compile(r"\b(?:used to|in the past|back then|years ago|when i was)\b")
# Kinds whose wish is positive: a negation in the signal turns it around ("don't end with X").
_NEGATED = re.compile(
    r"\b(?:not|never|no need|without|avoid|stop|hate|dislike|rather than|instead of)\b"
)
_ANCHORS: dict[str, re.Pattern[str]] = {
    "no_commas": re.compile(r"\bcommas?\b"),
    "lowercase": re.compile(r"lower[\s-]?case|small letters|capital|upper[\s-]?case|capitali[sz]"),
    "uppercase": re.compile(r"upper[\s-]?case|capital|\bcaps\b|capitali[sz]"),
    "quoted": re.compile(r"\bquot(?:e|es|ation)\b|\bquotation marks?\b"),
    "json": re.compile(r"\bjson\b"),
    "title": re.compile(r"<<|angle(?:d|r)? brackets"),
    "no_lists": re.compile(r"\blists?\b|\bbullet|\bitemi[sz]ed\b"),
    "postscript": re.compile(r"\bp\s?\.\s?(?:p\s?\.\s?)?s\b\.?|\bpostscript\b|\bps\b"),
}
# "3 ALL-CAPS words", "words in capital letters": some words in capitals, not the whole answer
_SOME_CAPITAL_WORDS = re.compile(
    r"(?:caps|capitals?|capital letters|upper[\s-]?case|capitali[sz]ed)"
    + SOME_WORDS_AFTER
    + "|"
    + SOME_WORDS_BEFORE
    + r"(?:all[\s-]?caps|(?:all\s+|full\s+|block\s+)?capital|(?:all\s+)?upper)"
)
_POSITIVE = {
    "ends_with",
    "quoted",
    "postscript",
    "title",
    "include_words",
    "json",
    "language",
    "bullet_count",
    "paragraph_count",
    "highlight_count",
    "section_count",
    "placeholder_count",
    "uppercase",
}
_NOT_WORDS = {"both", "and", "or", "the", "a", "an", "all", "each", "every", "also", "too"}


def _unsafe(p: Prepared, kind: str) -> bool:
    t = HARMLESS_CONDITIONALS.sub(" ", p.t)
    if CONDITIONAL.search(t) or _PAST.search(t) or SOFTENERS_AFTER.search(t):
        return True
    if NO_NEED_TO_COPY.search(t):
        return True
    return kind in _POSITIVE and bool(_NEGATED.search(_QTOKEN.sub(" ", p.t)))


_NEGATED_BEFORE = re.compile(r"\b(?:do not|don't|never|not|no need to)\s+(?:[\w'-]+\s+){0,3}$")


def _count(p: Prepared, unit: str) -> tuple[str, int] | None:
    """The one "<relation> <n> <unit>" in the signal; the relation is None when none is
    written before the number."""
    found = list(re.finditer(rf"(?<![\w.])(\d{{1,5}})\s+(?:[\w*-]+\s+){{0,2}}?(?:{unit})\b", p.t))
    if len(found) != 1:
        return None
    m = found[0]
    cm = CMP_TAIL.search(p.t[: m.start()])
    rel = cmp_rel(cm.group("c")) if cm else "bare"
    if cm and rel in OPPOSITE:  # "don't write more than 50 words": the limit is the other way
        before = p.t[: m.start()][: cm.start()]
        if NOT_WANTED.search(before) or _NEGATED_BEFORE.search(before):
            rel = OPPOSITE[rel]
    return rel, int(m.group(1))


def _length(kind: str, unit: str) -> Callable[[Prepared], C.Check | None]:
    def fn(p: Prepared) -> C.Check | None:
        got = _count(p, unit)
        if got is None or got[0] in ("bare", "between", "from") or got[1] <= 0:
            return None
        return C.counted(kind, got[0], got[1])

    return fn


def _at_least(kind: str, unit: str) -> Callable[[Prepared], C.Check | None]:
    """Counts IFEval measures as "at least n" (highlights, placeholders): a bare number reads
    as a minimum, an upper bound is not taken."""

    def fn(p: Prepared) -> C.Check | None:
        got = _count(p, unit)
        if got is None or got[0] not in ("bare", ">=", "==") or got[1] <= 0:
            return None
        return C.counted(kind, ">=", got[1])

    return fn


def _bullets(p: Prepared) -> C.Check | None:
    got = _count(p, r"bullets?|bullet points?|bullet items?|bulleted items?|points")
    if got is None or got[0] not in ("bare", "==") or not 0 < got[1] <= 50:
        return None
    if "bullet" not in p.t:
        return None
    return C.counted("bullet_count", "==", got[1])


def _no_lists(p: Prepared) -> C.Check | None:
    if re.search(r"\d", p.t):  # a count of bullets is bullet_count's, not a ban on lists
        return None
    return C.no_lists(numbered_only="numbered" in p.t and "bullet" not in p.t)


def _paragraphs(p: Prepared) -> C.Check | None:
    got = _count(p, r"paragraphs?")
    if got is None or got[0] not in ("bare", "==") or "***" not in p.raw:
        return None
    return C.paragraph_count("==", got[1], None, "***")


def _sections(p: Prepared) -> C.Check | None:
    got = _count(p, r"sections?|parts?|chapters?")
    marker = re.search(r"\b(section|part|chapter)\s+(?:x|n|\d+|#|i)\b", p.t)
    if got is None or marker is None or got[0] not in ("bare", "==", ">="):
        return None
    return C.section_count("==" if got[0] == "bare" else got[0], got[1], None, marker.group(1))


def _quotes(p: Prepared) -> list[str]:
    return [p.quote(i) for i in _QTOKEN.findall(p.t)]


# "end in the exact phrase END OF MESSAGE": the unquoted phrase that a noun names, to the end
_NAMED_PHRASE = re.compile(
    r"\b(?:exact\s+|following\s+|same\s+)?(?:phrase|words|line)\s*:?\s+"
    r"([^\s,;.!?][^,;.!?]*?)\s*[.!]?\s*$",
    re.I,
)


def _ends_with(p: Prepared) -> C.Check | None:
    qs = _quotes(p)
    if len(qs) == 1:
        phrase = qs[0].strip()
    elif not qs and (named := _NAMED_PHRASE.search(p.raw)):
        phrase = named.group(1).strip()
    elif not qs and ":" in p.raw:
        phrase = p.raw.rsplit(":", 1)[1].strip()
        if re.search(r"\b(?:end|finish|close|sign off)\w*\b", phrase):
            return None  # the instruction itself ("...: each reply has to end in ..."), no phrase
    else:
        return None
    if not phrase or len(phrase.split()) > 12:
        return None
    return C.ends_with(phrase)


def _words(p: Prepared) -> tuple[str, ...] | None:
    qs = [q.strip() for q in _quotes(p)]
    if qs:
        return tuple(qs) if all(0 < len(q.split()) <= 3 for q in qs) else None
    m = re.search(
        r"\b(?:words?|terms?|keywords?)\s+([a-z][\w'-]*(?:\s*(?:,|and|&|or)\s*[a-z][\w'-]*)*)",
        p.t,
    )
    if m is None:
        return None
    words = re.split(r"\s*(?:,|\band\b|&|\bor\b)\s*", m.group(1))
    listed = tuple(w for w in words if w and w not in _NOT_WORDS)
    # "the words banana and rocket": every item one word, else the list was misread
    return listed if listed and all(" " not in w for w in listed) else None


def _include(p: Prepared) -> C.Check | None:
    ws = _words(p)
    return C.include_words(ws) if ws else None


def _exclude(p: Prepared) -> C.Check | None:
    ws = _words(p)
    return C.exclude_words(ws) if ws else None


def _language(p: Prepared) -> C.Check | None:
    named = {code for name, code in LANGUAGE_WORDS.items() if re.search(rf"\b{name}\b", p.t)}
    if len(named) != 1 or "english" in p.t and named != {"en"}:
        return None
    return C.language(named.pop())


def _postscript(p: Prepared) -> C.Check | None:
    return C.postscript("P.P.S" if re.search(r"\bp\s?\.\s?p\s?\.\s?s\b", p.t) else "P.S.")


_PLAIN: dict[str, Callable[[], C.Check]] = {
    "no_commas": C.no_commas,
    "lowercase": C.lowercase,
    "uppercase": C.uppercase,
    "quoted": C.quoted,
    "json": C.json_output,
    "title": C.title,
}
_EXTRACTORS: dict[str, Callable[[Prepared], C.Check | None]] = {
    "word_count": _length("word_count", "words?"),
    "sentence_count": _length("sentence_count", "sentences?"),
    "highlight_count": _at_least(
        "highlight_count",
        r"sections?|parts?|passages?|phrases?|"
        r"highlights?|highlighted sections?",
    ),
    "placeholder_count": _at_least("placeholder_count", r"placeholders?"),
    "bullet_count": _bullets,
    "no_lists": _no_lists,
    "paragraph_count": _paragraphs,
    "section_count": _sections,
    "ends_with": _ends_with,
    "include_words": _include,
    "exclude_words": _exclude,
    "language": _language,
    "postscript": _postscript,
}

KINDS = frozenset(_PLAIN) | frozenset(_EXTRACTORS)


def extract(kind: str, text: str) -> C.Check | None:
    """The check of kind `kind` that `text` states, with its parameters, or None."""
    if kind not in KINDS or not isinstance(text, str):
        return None
    p = prepare(text)
    if not p.t or _unsafe(p, kind):
        return None
    anchor = _ANCHORS.get(kind)
    if anchor is not None and not anchor.search(p.t):
        return None
    if kind in ("uppercase", "lowercase", "word_count") and _SOME_CAPITAL_WORDS.search(p.t):
        return None
    if kind in _PLAIN:
        return _PLAIN[kind]()
    return _EXTRACTORS[kind](p)
