"""What steering will do for a profile's signals: a `SteerPlan`, built once per turn from the
checks the signals are understood as (core.signals.understand), before any token is drawn.

Per signal, one `SignalSteer` says how it is enforced:
- "mask": tokens that would break it are never drawn (a comma, a capital, a list marker);
- "forced text": structure written for the model (an opening quote, `<<`, a closing phrase,
  a `P.S.` block, a JSON frame), placed with the token budget in mind;
- "count": a count or presence (words, bullets, required words) kept by banning the end,
  forcing a boundary or boosting words; these also give SMC its potential;
- "not steerable: <why>", or "dropped: conflicts with <signal>" (told before generation).

The plan is pure data (no model); `Controller` (controller.py) turns it into per-token
directives for one sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..reflectors.rules.checks import COUNTERS, Check
from ..reflectors.rules.measures import (
    count_headings,
    count_numbered,
    count_paragraphs,
    count_sections,
    count_term,
)
from ..signals import Understanding, conflicts, understand
from .gbnf import Grammar, grammar_for

Case = Literal["", "lower", "upper"]

# Body tokens a P.S. written by the model may take, and the words it may hold.
PS_TOKENS = 18
PS_WORDS = 12
TITLE_TOKENS = 12
PLACEHOLDER_TOKENS = 6


@dataclass(frozen=True)
class Span:
    """Text the model writes between a forced `open` and a `close` (forced unless the model
    wrote it): a <<title>>, a P.S. line, a [placeholder]. `max_tokens` caps the model's part;
    `sentence` ends the span at the first sentence end instead of at `close`."""

    open: str
    close: str
    max_tokens: int
    sentence: bool = False
    ban_newline: bool = True
    max_words: int = 0  # 0: no limit


Item = str | Span


@dataclass(frozen=True)
class Limit:
    """A count the answer must keep: `measure` (a COUNTERS kind, "paragraphs", "dividers",
    "sections", "term", "letter") between `lo` and `hi` (None: unbounded)."""

    measure: str
    lo: int | None
    hi: int | None
    arg: str = ""  # the term, letter or section marker

    def count(self, text: str) -> int:
        """How many of what this limit counts `text` holds."""
        m = self.measure
        if m in COUNTERS:
            return COUNTERS[m][0](text)
        if m == "any_term":
            return max(count_term(text, w) for w in self.arg.split("|"))
        if m == "letter":
            return text.lower().count(self.arg.lower())
        if m == "dividers":
            return max(count_paragraphs(text, "***"), 0)
        counters = {
            "numbered": count_numbered,
            "headings": count_headings,
            "paragraphs": count_paragraphs,
        }
        if m in counters:
            return counters[m](text)
        if m in ("sections", "term"):
            return (count_sections if m == "sections" else count_term)(text, self.arg)
        return 0

    @property
    def noun(self) -> str:
        """What is counted, in words ("words", "'river'", "SECTION sections")."""
        if self.measure in ("term", "any_term"):
            return " or ".join(f"'{w}'" for w in self.arg.split("|"))
        if self.measure == "letter":
            return f"letter {self.arg}"
        if self.measure == "sections":
            return f"{self.arg.upper()} sections"
        return _NOUNS.get(self.measure, self.measure)

    def describe(self) -> str:
        """The limit in words: "at least 40 words", "at most 3 bullets", "no 'very'"."""
        lo, hi, noun = self.lo, self.hi, self.noun
        if lo is not None and hi is not None:
            return f"{lo} {noun}" if lo == hi else f"{lo} to {hi} {noun}"
        if hi is not None:
            return f"no {noun}" if hi == 0 else f"at most {hi} {noun}"
        return f"at least {lo} {noun}"


_NOUNS = {
    "word_count": "words",
    "sentence_count": "sentences",
    "char_count": "characters",
    "line_count": "lines",
    "bullet_count": "bullets",
    "numbered": "numbered items",
    "headings": "headings",
    "paragraphs": "paragraphs",
    "dividers": "*** paragraphs",
    "placeholder_count": "[placeholders]",
    "highlight_count": "*highlights*",
}


@dataclass(frozen=True)
class SignalSteer:
    """How one signal is steered, for the stored generation and the why view."""

    signal: str
    kind: str  # the check kind ("" when the signal has no check)
    how: str  # "mask" | "forced text" | "count" | "not steered" | "dropped"
    note: str

    def to_json(self) -> dict[str, str]:
        return {"signal": self.signal, "kind": self.kind, "how": self.how, "note": self.note}


@dataclass
class SteerPlan:
    entries: list[SignalSteer] = field(default_factory=list)
    prefix: list[Item] = field(default_factory=list)
    ending: list[Item] = field(default_factory=list)
    ban_chars: str = ""
    case: Case = ""
    ban_classes: set[str] = field(default_factory=set)  # always banned token classes
    no_lists: bool = False  # no list marker at a line start
    no_headings: bool = False
    json: bool = False  # the body is a JSON string: no quote, backslash or newline
    limits: list[Limit] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # messages for the user
    checks: list[Check] = field(default_factory=list)  # the checks steered (none dropped)
    # A plain answer one particle starts its body from (guide.py); "" for none.
    guide: str = ""
    # A paragraph (2 the second, 0 the last) -> the word forced where it begins.
    openings: dict[int, str] = field(default_factory=dict)

    def grammar(self, max_tokens: int | None = None) -> Grammar:
        """The plan's exact constraints as one GBNF grammar, for a server that masks tokens
        itself (llama-server); counts stay with the local engine (see gbnf.py)."""
        return grammar_for(self.checks, max_tokens)

    @property
    def active(self) -> bool:
        """Whether anything is steered at all (else the engine samples plainly)."""
        return bool(
            self.prefix
            or self.ending
            or self.ban_chars
            or self.case
            or self.ban_classes
            or self.no_lists
            or self.no_headings
            or self.json
            or self.limits
            or self.openings
        )

    def cased(self, text: str) -> str:
        if self.case == "lower":
            return text.lower()
        if self.case == "upper":
            return text.upper()
        return text

    def to_json(self) -> list[dict[str, str]]:
        return [e.to_json() for e in self.entries]


_NOT_STEERABLE = {
    "language": "the language is the model's own; a mask cannot make it write another one",
    "code_block": "a code block needs code the question calls for; forcing fences adds none",
    "emoji_count": "a tiny model writes emoji rarely; boosting them distorts the answer",
    "bold_count": "bold spans are not steered yet",
    "letter_frequency": "a minimum letter count is not steered",
}

_PUNCT = {
    "semicolon": ";",
    "colon": ":",
    "question": "?？",
    "ellipsis": "…",
    "parenthesis": "()",
    "asterisk": "*",
    "hash": "#",
    "ampersand": "&",
    "em_dash": "—",
    "en_dash": "–",
    "dash": "—–",
}


def _bounds(p: Any) -> tuple[int | None, int | None]:
    rel, n = str(p.get("relation", "==")), int(p.get("n", 0))
    m = p.get("m")
    return {
        "<": (None, n - 1),
        "<=": (None, n),
        ">": (n + 1, None),
        ">=": (n, None),
        "between": (n, int(m) if m is not None else n),
    }.get(rel, (n, n))


def _add(plan: SteerPlan, signal: str, c: Check) -> None:
    """Add what steering `c` takes to `plan`, with its entry."""
    k, p = c.kind, c.params

    def entry(how: str, note: str) -> None:
        plan.entries.append(SignalSteer(signal, k, how, note))

    if k == "no_commas":
        plan.ban_chars += ",，、،﹐﹑"
        entry("mask", "tokens with a comma are never drawn")
    elif k == "no_exclamation":
        plan.ban_chars += "!！"
        entry("mask", "tokens with an exclamation mark are never drawn")
    elif k == "no_punct":
        mark = str(p.get("mark", ""))
        plan.ban_chars += _PUNCT.get(mark, "")
        if mark == "dash":
            plan.ban_classes.add("hyphen")
        entry("mask", f"tokens with {mark} marks are never drawn")
    elif k in ("lowercase", "uppercase"):
        plan.case = "lower" if k == "lowercase" else "upper"
        other = "capital" if k == "lowercase" else "lowercase"
        entry("mask", f"tokens with a {other} letter are never drawn; forced text is cased too")
    elif k == "no_emoji":
        plan.ban_classes.add("emoji")
        entry("mask", "emoji tokens are never drawn")
    elif k == "no_lists":
        plan.no_lists = True
        entry("mask", "no list marker may start a line")
    elif k == "no_headings":
        plan.no_headings = True
        entry("mask", "no # may start a line")
    elif k == "no_markdown":
        plan.no_lists = plan.no_headings = True
        plan.ban_chars += "*`#|"
        entry("mask", "markdown characters and line-start markers are never drawn")
    elif k == "quoted":
        plan.prefix.insert(0, '"')
        plan.ending.append('"')
        entry(
            "forced text", "an opening quote first, the closing quote placed before the budget ends"
        )
    elif k == "title":
        plan.prefix.append(Span("<<", ">>", TITLE_TOKENS))
        plan.prefix.append("\n\n")
        entry(
            "forced text",
            f"<< forced first; the model writes the title ({TITLE_TOKENS} tokens"
            " at most), >> closes it",
        )
    elif k == "starts_with":
        phrase = str(p.get("phrase", ""))
        plan.prefix.insert(1 if plan.prefix[:1] == ['"'] else 0, phrase)
        entry("forced text", f"“{phrase}” forced first")
    elif k == "paragraph_starts" and p.get("nth") == 1:  # the answer's opening word
        word = str(p.get("word", ""))
        plan.prefix.insert(1 if plan.prefix[:1] == ['"'] else 0, word)
        entry("forced text", f"“{word}” forced first")
    elif k == "paragraph_starts":
        word, nth = str(p.get("word", "")), int(p.get("nth", 0))
        plan.openings[nth] = word
        where = (
            "the last paragraph (where a paragraph count says which)"
            if nth == 0
            else (f"paragraph {nth}")
        )
        entry("forced text", f"“{word}” forced where {where} begins")
    elif k == "ends_with":
        phrase = str(p.get("phrase", ""))
        at = len(plan.ending) - (1 if plan.ending[-1:] == ['"'] else 0)
        plan.ending.insert(at, " " + phrase)
        entry("forced text", f"“{phrase}” forced last, its tokens reserved from the start")
    elif k == "postscript":
        marker = str(p.get("marker", "P.S."))
        mark = marker if marker.endswith(".") else marker + "."
        span = Span("\n\n" + mark, "", PS_TOKENS, sentence=True, max_words=PS_WORDS)
        plan.ending.insert(0, span)
        entry(
            "forced text",
            f"a {marker} line forced before the end; the model writes it"
            f" ({PS_TOKENS} tokens at most)",
        )
    elif k == "ends_with_question":
        at = len(plan.ending) - (1 if plan.ending[-1:] == ['"'] else 0)
        plan.ending.insert(at, " Does that help?")
        entry("forced text", "a closing question forced last")
    elif k == "json":
        plan.json = True
        plan.prefix.insert(0, '{"answer": "')
        plan.ending.append('"}')
        entry(
            "forced text",
            'a JSON frame {"answer": "..."} forced around a string body'
            " without quotes, backslashes or line breaks",
        )
    elif k == "use_headings":
        plan.limits.append(Limit("headings", 1, None))
        entry("count", "a # heading forced at the first line start if none was written")
    elif k in ("use_bullets", "use_list"):
        plan.limits.append(Limit("bullet_count", 1, None))
        entry("count", "a '* ' item forced at a line start if none was written")
    elif k == "use_numbered":
        plan.limits.append(Limit("numbered", 1, None))
        entry("count", "a '1. ' item forced at a line start if none was written")
    elif k in (
        "word_count",
        "sentence_count",
        "char_count",
        "line_count",
        "bullet_count",
        "placeholder_count",
        "highlight_count",
    ):
        lo, hi = _bounds(p)
        plan.limits.append(Limit(k, lo, hi))
        how = []
        if lo:
            how.append("the end is banned (or the item forced) until there are enough")
        if hi is not None:
            how.append("the answer is closed (or new items banned) when the limit is reached")
        entry("count", "; ".join(how) or "counted")
    elif k == "paragraph_count":
        lo, hi = _bounds(p)
        sep = str(p.get("sep", "blank"))
        plan.limits.append(Limit("dividers" if sep == "***" else "paragraphs", lo, hi))
        entry("count", "paragraph breaks forced until there are enough, banned past the limit")
    elif k == "paragraph_divider":
        plan.limits.append(Limit("dividers", 2, None))
        entry("count", "a *** divider forced at a paragraph break")
    elif k == "section_count":
        lo, hi = _bounds(p)
        plan.limits.append(Limit("sections", lo, hi, str(p.get("marker", "section"))))
        entry("count", "section headers forced at line starts until there are enough")
    elif k == "include_words":
        words = [str(w) for w in p.get("words", ())]
        if p.get("mode") == "any" and words:
            plan.limits.append(Limit("any_term", 1, None, "|".join(words)))
        for w in words if p.get("mode") != "any" else ():
            plan.limits.append(Limit("term", 1, None, w))
        entry(
            "count",
            "the words are boosted, more as the budget runs out, and written before"
            " the end if still missing",
        )
    elif k == "exclude_words":
        for w in p.get("words", ()):
            plan.limits.append(Limit("term", None, 0, str(w)))
        entry("mask", "tokens that start a banned word are never drawn")
    elif k == "word_frequency":
        lo, hi = _bounds(p)
        plan.limits.append(Limit("term", lo, hi, str(p.get("word", ""))))
        entry("count", "the word is boosted until used enough, its tokens banned at the limit")
    elif k == "letter_frequency":
        lo, hi = _bounds(p)
        letter = str(p.get("letter", ""))
        if hi == 0:
            plan.ban_chars += letter.lower() + letter.upper()
            entry("mask", f"tokens with the letter {letter} are never drawn")
        elif not lo:
            plan.limits.append(Limit("letter", None, hi, letter))
            entry("count", f"tokens with the letter {letter} are banned at the limit")
        else:
            entry("not steered", _NOT_STEERABLE[k])
    elif k in _NOT_STEERABLE:
        entry("not steered", _NOT_STEERABLE[k])
    else:  # a kind added to the checks later: said plainly, never silently skipped
        entry("not steered", f"steering has no rule for {k} yet")


def _filler(plan: SteerPlan) -> str:
    return plan.cased("Some text here.")


def skeleton(plan: SteerPlan) -> str:
    """The shortest answer the plan's forced structure gives: prefix, a filler body, ending.
    Two signals that conflicts.py flags are both kept when this satisfies both."""
    out = ""
    for it in [*plan.prefix, None, *plan.ending]:
        if it is None:
            out += _filler(plan)
        elif isinstance(it, str):
            out += plan.cased(it)
        else:
            out += plan.cased(it.open) + _filler(plan) + plan.cased(it.close)
    return out


def build_plan(
    signals: Sequence[str], readings: Sequence[Understanding] | None = None
) -> SteerPlan:
    """The plan for `signals` (a profile's enabled ones, in order). Conflicting pairs are
    detected first (core/signals/conflicts.py): where the forced structure meets both, both
    are kept; otherwise the later signal is dropped and the user is told."""
    us = list(readings) if readings is not None else [understand(s) for s in signals]
    dropped: dict[int, str] = {}
    messages: list[str] = []
    for c in conflicts(us):
        if c.a in dropped or c.b in dropped:
            continue
        trial = SteerPlan()
        for i in (c.a, c.b):
            for part in us[i].parts:
                _add(trial, us[i].signal, part)
        sk = skeleton(trial)
        both = [part.check(sk) for i in (c.a, c.b) for part in us[i].parts]
        if all(both):
            messages.append(c.message() + "; both are steered (the forced layout meets both)")
            continue
        dropped[c.b] = c.signal_a
        messages.append(c.message() + f"; only “{c.signal_a}” is steered")
    plan = SteerPlan(conflicts=messages)
    for i, u in enumerate(us):
        if i in dropped:
            plan.entries.append(
                SignalSteer(u.signal, u.kind, "dropped", f"conflicts with “{dropped[i]}”")
            )
            continue
        if not u.parts:
            plan.entries.append(
                SignalSteer(u.signal, "", "not steered", "no check: judged by the model only")
            )
            continue
        for part in u.parts:
            _add(plan, u.signal, part)
        plan.checks.extend(u.parts)
    if plan.case:  # a case mask must not be broken by forced text either
        plan.prefix = [plan.cased(i) if isinstance(i, str) else i for i in plan.prefix]
    return plan


__all__ = ["COUNTERS", "Limit", "SignalSteer", "Span", "SteerPlan", "build_plan", "skeleton"]
