"""Conflicts between a profile's signals: pairs whose checks cannot both hold on one answer
("all lowercase" and "all capital letters"; "under 40 words" and "at least 300 words"; "no
commas" and "end with: Thanks, bye"). Derived from the check kinds and their parameters, the
way the checks in core/reflectors/rules/checks.py behave, never from the signals' wording.
Only checks are compared: a signal judged by the model conflicts with nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..reflectors.rules.checks import COUNTERS, Check
from ..reflectors.rules.parser import _CONTRADICT
from .understand import Understanding

# Kinds of the parser's table that are decided here from their numbers instead ("at most 3
# emoji" goes with "no emoji"; "at least 1 emoji" does not).
_BY_NUMBER = {"emoji_count", "bullet_count"}
_OPPOSED = {frozenset(p) for p in _CONTRADICT if not (set(p) & _BY_NUMBER)}

# Marks a no-punctuation check forbids, by kind and `mark`.
_NO_MARKS: dict[str, tuple[str, ...]] = {
    "no_commas": (",", "，", "、"),
    "no_exclamation": ("!", "！"),
}
_PUNCT = {
    "semicolon": (";",),
    "colon": (":",),
    "question": ("?", "？"),
    "ellipsis": ("…", "..."),
    "parenthesis": ("(", ")"),
    "asterisk": ("*",),
    "hash": ("#",),
    "ampersand": ("&",),
    "em_dash": ("—",),
    "en_dash": ("–",),
    "dash": ("—", "–", " - "),
}


@dataclass(frozen=True)
class Conflict:
    """Signals `a` and `b` (indices into the list given) cannot both be satisfied."""

    a: int
    b: int
    signal_a: str
    signal_b: str
    reason: str

    def message(self) -> str:
        return f"“{self.signal_a}” conflicts with “{self.signal_b}”: {self.reason}."


Interval = tuple[int, float]  # lowest and highest count allowed


def _interval(c: Check) -> Interval:
    rel, n = c.params.get("relation", "=="), int(c.params.get("n", 0))
    m = c.params.get("m")
    return {
        "<": (0, n - 1),
        "<=": (0, n),
        ">": (n + 1, float("inf")),
        ">=": (n, float("inf")),
        "between": (n, float(m if m is not None else n)),
    }.get(rel, (n, float(n)))


def _disjoint(a: Interval, b: Interval) -> bool:
    return a[1] < b[0] or b[1] < a[0]


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def _counted_on(c: Check) -> tuple[str, ...] | None:
    """What a counting check counts, when two checks of the same kind count the same thing."""
    if c.kind in COUNTERS:
        return (c.kind,)
    if c.kind == "paragraph_count":
        return (c.kind, str(c.params.get("sep")))
    if c.kind == "section_count":
        return (c.kind, str(c.params.get("marker", "")).lower())
    if c.kind == "word_frequency":
        return (c.kind, _norm(str(c.params.get("word", ""))))
    if c.kind == "letter_frequency":
        return (c.kind, str(c.params.get("letter", "")).lower())
    return None


def _required_texts(c: Check) -> Iterator[tuple[str, str]]:
    """Text the answer must contain for `c` to pass, with how to name it."""
    if c.kind in ("starts_with", "ends_with"):
        phrase = str(c.params.get("phrase", ""))
        verb = "start" if c.kind == "starts_with" else "end"
        yield phrase, f"it must {verb} with “{phrase}”"
    elif c.kind == "include_words" and c.params.get("mode") != "any":
        for w in c.params.get("words", ()):
            yield str(w), f"it must use “{w}”"
    elif c.kind == "word_frequency" and _interval(c)[0] > 0:
        yield str(c.params.get("word", "")), f"it must use “{c.params.get('word')}”"


def _forbidden_marks(c: Check) -> tuple[str, ...]:
    if c.kind in _NO_MARKS:
        return _NO_MARKS[c.kind]
    if c.kind == "no_punct":
        return _PUNCT.get(str(c.params.get("mark")), ())
    return ()


def _term_in(term: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(_norm(term)) + r"(?!\w)", _norm(text)) is not None


def _one_way(a: Check, b: Check) -> str | None:
    """Why `a` and `b` cannot both hold, checking `a`'s side of each rule."""
    marks = _forbidden_marks(a)
    for text, what in _required_texts(b):
        hit = next((m for m in marks if m in text), None)
        if hit is not None:
            return f"{a.description}, but {what}"
    if a.kind == "exclude_words":
        banned = tuple(str(w) for w in a.params.get("words", ()))
        for text, what in _required_texts(b):
            word = next((w for w in banned if _term_in(w, text)), None)
            if word is not None:
                return f"it must never use “{word}”, but {what}"
        if b.kind == "include_words" and b.params.get("mode") == "any":
            options = [str(w) for w in b.params.get("words", ())]
            if options and all(any(_term_in(x, o) for x in banned) for o in options):
                return f"{a.description}, but it must use one of them"
    if a.kind == "letter_frequency" and _interval(a)[1] == 0:
        letter = str(a.params.get("letter", "")).lower()
        for text, what in _required_texts(b):
            if letter and letter in text.lower():
                return f"it must never use the letter “{letter}”, but {what}"
    if a.kind == "postscript" and b.kind in ("ends_with", "quoted", "json"):
        if b.kind == "ends_with" and _norm(str(b.params.get("phrase", ""))).startswith("p."):
            return None
        return f"a postscript comes last, but {b.description}"
    if a.kind == "ends_with_question" and b.kind == "ends_with" and not b.params.get("word"):
        phrase = str(b.params.get("phrase", "")).rstrip(" \"'”’)]*_")
        if not phrase.endswith(("?", "？")):
            return f"it must end with a question, but with “{b.params.get('phrase')}” too"
    if a.kind == "json" and b.kind in ("starts_with", "ends_with") and not b.params.get("word"):
        phrase = str(b.params.get("phrase", "")).strip()
        edge = phrase[:1] if b.kind == "starts_with" else phrase[-1:]
        if edge not in ("{", "[", '"', "}", "]"):
            return f"the whole reply must be JSON, but {b.description}"
    if a.kind in ("no_emoji", "no_lists") and b.kind in _BY_NUMBER:
        counted = "emoji_count" if a.kind == "no_emoji" else "bullet_count"
        if b.kind == counted and _interval(b)[0] > 0:
            return f"{a.description}, but {b.description}"
    return None


def _clash(a: Check, b: Check) -> str | None:
    if frozenset((a.kind, b.kind)) in _OPPOSED:
        return f"{a.description} vs {b.description}"
    on_a, on_b = _counted_on(a), _counted_on(b)
    if on_a is not None and on_a == on_b and _disjoint(_interval(a), _interval(b)):
        return f"{a.description} vs {b.description}"
    if a.kind == b.kind == "language" and a.params.get("lang") != b.params.get("lang"):
        return f"{a.description} vs {b.description}"
    if a.kind == b.kind and a.kind in ("starts_with", "ends_with"):
        pa, pb = _norm(str(a.params.get("phrase"))), _norm(str(b.params.get("phrase")))
        fits = pa.startswith(pb) or pb.startswith(pa)
        if a.kind == "ends_with":
            fits = pa.endswith(pb) or pb.endswith(pa)
        if not fits:
            return f"{a.description} vs {b.description}"
    return _one_way(a, b) or _one_way(b, a)


def conflicts(readings: Sequence[Understanding]) -> list[Conflict]:
    """Every pair of signals among `readings` (a profile's enabled ones, in order) whose
    checks cannot all hold at once; the reason names the first pair of checks that clash."""
    out: list[Conflict] = []
    for i, ui in enumerate(readings):
        for j in range(i + 1, len(readings)):
            uj = readings[j]
            reason = next(
                (r for pa in ui.parts for pb in uj.parts if (r := _clash(pa, pb)) is not None),
                None,
            )
            if reason is not None:
                out.append(Conflict(i, j, ui.signal, uj.signal, reason))
    return out


def conflicts_of(index: int, readings: Sequence[Understanding]) -> list[Conflict]:
    """The conflicts signal `index` has with the others (a signal just added or switched on)."""
    return [c for c in conflicts(readings) if index in (c.a, c.b)]
