"""The per-sequence steering controller: given the text so far and the tokens left, what the
next token may be (a `Directive`). Pure Python, no model: the engine maps a directive onto
its vocabulary (engines/llama_steer.py), feeds forced text token by token and asks again.

The contract with an engine, per step of one sequence:
1. `d = ctrl.next(text, left)` (`text`: everything generated so far, forced text included;
   `left`: tokens still allowed before max_tokens);
2. `d.stop`: the answer is complete, end it. `d.force`: feed exactly this text (all of its
   tokens) before asking again. Otherwise sample one token with `d`'s bans and boosts;
3. when the model draws end-of-generation (allowed unless `d.ban_eog`), call
   `ctrl.eog(text, left)` instead and act on that directive the same way.

Token classes a directive may ban (the engine knows each token's class once per model):
"upper" / "lower" (a cased letter), "newline", "list_start" (after leading spaces, a list
marker: `* `, `- `, `+ `, `• `, `1. `; only banned at a line start), "newline_list" (a line
break followed by a list marker inside the token), "heading_start", "newline_heading",
"json_unsafe" (a double quote, backslash or control character), "emoji", "space_start",
"hyphen" (a token that is a standalone - or --), "partial" (a byte fragment of a character).
A directive's `recase` asks the engine to write a drawn token re-cased rather than ban it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..reflectors.rules.measures import count_paragraphs, count_words
from .guide import conform, fit
from .plan import Item, Limit, Span, SteerPlan

Measure = Callable[[str], int]  # tokens a text takes


def rough_tokens(text: str) -> int:
    """A tokenizer-free estimate (tests, engines that cannot count): ~3 characters a token."""
    return len(text) // 3 + 1


_SENT_END = re.compile(r"[.!?…][\"')\]]*\s*$")
_FORCE_BOOST_MAX = 6.0
_BARE_ITEM = re.compile(r"(?:^|\n)[ \t]*(?:[*+-]|\d{1,2}[.)]|#+)[ \t]*$")


@dataclass(frozen=True)
class Directive:
    force: str = ""
    stop: bool = False
    ban_chars: str = ""
    ban_classes: frozenset[str] = frozenset()
    ban_words: tuple[str, ...] = ()  # tokens that start one of these words are banned
    ban_eog: bool = False
    boost_words: tuple[str, ...] = ()  # tokens that start one of these words get `boost`
    boost: float = 0.0
    # "lower" / "upper": a drawn token with a letter of the other case is written re-cased
    # (the model's word, in the case asked for) instead of being banned, which would push
    # the model off its words; byte fragments of other scripts are banned ("partial").
    recase: str = ""


@dataclass
class Record:
    """What steering did to one sequence, for the stored generation."""

    forced: list[str] = field(default_factory=list)  # forced texts, in order
    eog_banned: int = 0  # steps the end was banned
    boosted: int = 0  # steps with a word boost
    closed_early: str = ""  # why the body was closed before the model ended it
    guided: bool = False  # the body started from the plan's guide (a plain answer)


@dataclass(frozen=True)
class Act:
    """One thing steering did to a sequence, reported as it happens (the live view, see
    core/steer/events.py): text forced in, or the body closed before the model ended it."""

    what: str  # "forced" | "closed"
    text: str  # the forced text ("" when closed)
    why: str
    at: int  # tokens of the answer before it
    routine: bool = False  # the plan's own opening or ending, written as planned


def _already(text: str, ending: str) -> bool:
    """Whether the model already wrote this ending itself (a closing quote, the phrase)."""
    end, body = ending.strip(), text.rstrip()
    return bool(end) and body.endswith(end) and len(body) > len(end) + 1


class Controller:
    """Steers one sequence through the plan: prefix items, the model's body, ending items."""

    def __init__(
        self,
        plan: SteerPlan,
        max_tokens: int,
        measure: Measure | None = None,
        guided: bool = False,
    ) -> None:
        self.plan = plan
        self._guide = conform(plan, plan.guide) if guided else ""
        self.max_tokens = max_tokens
        self.measure = measure or rough_tokens
        self.phase = "prefix"  # "prefix" | "body" | "ending" | "done"
        self.record = Record()
        self._acts: list[Act] = []  # not yet taken by the engine
        self._left = max_tokens  # tokens left at the latest call, for an act's position
        self._item = 0
        self._span: tuple[int, int] | None = None  # (text start, tokens left) of an open span
        self._span_opening = False
        self._inline: Span | None = None  # a span opened inside the body (a placeholder)
        self._closing = False
        self._body_start = 0
        self._end_tokens = self._reserve(plan.ending, 0) + 1
        self._end_words = sum(
            count_words(i) if isinstance(i, str) else count_words(i.open) + i.max_words
            for i in plan.ending
        )
        self._end_chars = sum(
            len(i) if isinstance(i, str) else len(i.open) + i.max_tokens * 4 for i in plan.ending
        )
        self._end_sentences = sum(
            1 for i in plan.ending if not isinstance(i, str) or count_words(i) > 0
        )
        self._base_chars = plan.ban_chars
        base = set(plan.ban_classes)
        if plan.case:
            base.add("partial")
        if plan.json:
            base.add("json_unsafe")
        if plan.no_lists:
            base.add("newline_list")
        if plan.no_headings:
            base.add("newline_heading")
        self._base = frozenset(base)

    def clone(self) -> Controller:
        """An independent copy (a resampled SMC particle takes its source's state)."""
        c = copy.copy(self)
        c.record = copy.deepcopy(self.record)
        c._acts = []  # the source's acts were its own
        return c

    def take_acts(self) -> list[Act]:
        """What steering did since the last call (the engine reports it, then forgets it)."""
        acts, self._acts = self._acts, []
        return acts

    # -- budget ------------------------------------------------------------------------------

    def _reserve(self, items: list[Item], start: int) -> int:
        n = 0
        for it in items[start:]:
            if isinstance(it, str):
                n += self.measure(self.plan.cased(it))
            else:
                n += it.max_tokens + self.measure(it.open) + self.measure(it.close or ".")
        return n

    def _force(self, text: str, why: str, routine: bool = False) -> Directive:
        text = self.plan.cased(text)
        self.record.forced.append(text)
        self._acts.append(Act("forced", text, why, self.max_tokens - self._left, routine))
        return Directive(force=text)

    def _bans(self, text: str, extra: set[str] | None = None, chars: str = "") -> Directive:
        """The bans every drawn token keeps, in the body, a title or a P.S. alike: the plan's
        characters and classes, and the words whose upper limit `text` has reached."""
        words = tuple(
            w
            for lim in self.plan.limits
            if lim.measure in ("term", "any_term") and lim.hi is not None
            and lim.count(text) >= lim.hi
            for w in lim.arg.split("|")
        )  # fmt: skip
        return Directive(
            ban_chars=self._base_chars + chars,
            ban_classes=self._base | (extra or set()),
            ban_words=words,
            recase=self.plan.case,
        )

    # -- the protocol -------------------------------------------------------------------------

    def next(self, text: str, left: int) -> Directive:
        self._left = left
        if self.phase == "prefix":
            d = self._items(self.plan.prefix, text, left, 0)
            if d is not None:
                return d
            self.phase, self._item, self._body_start = "body", 0, len(text)
            if self._guide:
                d = self._take_guide(text, left)
                if d is not None:
                    return d
        if self.phase == "body":
            d = self._body(text, left)
            if d is not None:
                return d
            self.phase, self._item = "ending", 0
        if self.phase == "ending":
            d = self._items(self.plan.ending, text, left, 0)
            if d is not None:
                return d
            self.phase = "done"
        return Directive(stop=True)

    def eog(self, text: str, left: int) -> Directive:
        """The model drew end-of-generation: close what is open, then write the ending."""
        self._left = left
        if self.phase != "body" and (self._span is not None or self._span_opening):
            d = self._close_span(text, "the model ended inside it")
            return d if d is not None else self.next(text, left)
        if self._inline is not None:
            self._span = None
            return self._close_inline(text, "the model ended inside it")
        if self.phase == "body":
            self.phase, self._item = "ending", 0
        elif self.phase == "prefix":
            self.phase, self._item = "body", 0
            self._closing = True
        return self.next(text, left)

    # -- prefix and ending items ---------------------------------------------------------------

    def _current(self) -> list[Item]:
        return self.plan.prefix if self.phase == "prefix" else self.plan.ending

    def _close_span(self, text: str, why: str) -> Directive | None:
        """End the open span: its close forced (None when nothing needs forcing)."""
        items = self._current()
        it = items[self._item]
        assert isinstance(it, Span)
        start = self._span[0] if self._span is not None else len(text)
        inner = text[start:]
        self._item += 1
        self._span, self._span_opening = None, False
        if it.close and it.close not in inner:
            return self._force(it.close, f"closing {it.open.strip()}…: {why}")
        if it.sentence and not _SENT_END.search(inner):
            return self._force(".", f"ending {it.open.strip()}…: {why}")
        return None

    def _items(self, items: list[Item], text: str, left: int, _: int) -> Directive | None:
        part = "the opening" if self.phase == "prefix" else "the ending"
        if self.phase == "ending" and self.record.closed_early:
            part += f", after closing at {self.record.closed_early}"
        while self._item < len(items):
            it = items[self._item]
            if isinstance(it, str):
                self._item += 1
                if it and not (self.phase == "ending" and _already(text, self.plan.cased(it))):
                    return self._force(it, part, routine=True)
                continue
            if self._span is None and not self._span_opening:
                self._span_opening = True
                return self._force(it.open, part, routine=True)
            if self._span_opening:
                self._span, self._span_opening = (len(text), left), False
            assert self._span is not None
            start, left0 = self._span
            inner = text[start:]
            after = self._reserve(items, self._item + 1) + self.measure(it.close or ".")
            if (it.close and it.close in inner) or (
                it.sentence and count_words(inner) >= 2 and _SENT_END.search(inner)
            ):
                self._item += 1
                self._span = None
                continue
            why = ""
            if left <= after:
                why = "the budget ran short"
            elif left0 - left >= it.max_tokens:
                why = f"its {it.max_tokens} tokens were used"
            elif it.max_words and count_words(inner) >= it.max_words:
                why = f"its {it.max_words} words were written"
            if why:
                d = self._close_span(text, why)
                if d is not None:
                    return d
                continue
            extra = {"newline"} if it.ban_newline else set()
            d = self._bans(text, extra, ">" if it.close == ">>" and inner.endswith(">") else "")
            return replace(d, ban_eog=count_words(inner) < 2)
        return None

    # -- the body ------------------------------------------------------------------------------

    def _take_guide(self, text: str, left: int) -> Directive | None:
        """The guide's start that keeps every upper limit (with the ending's share) and the
        token budget, forced as the start of the body."""
        reserve = {"word_count": self._end_words, "char_count": self._end_chars}
        reserve["sentence_count"] = self._end_sentences

        def over(full: str) -> bool:
            return any(
                lim.hi is not None and lim.count(full) + reserve.get(lim.measure, 0) > lim.hi
                for lim in self.plan.limits
            )

        body, self._guide = (
            fit(
                self._guide,
                text,
                left - self._end_tokens - 2,
                over,
                self.measure,
                "" if "." in self.plan.ban_chars else ".",
            ),
            "",
        )
        if not body:
            return None
        self.record.guided = True
        # a whole answer: the model goes on only where a lower limit wants more
        full = text + body
        self._closing = all(lim.lo is None or lim.count(full) >= lim.lo for lim in self.plan.limits)
        return self._force(body, "a plain answer to the question, as the signals allow")

    def _opening(self, body: str) -> str | None:
        """The word a paragraph that begins right here must open with, if the plan says one."""
        if not self.plan.openings or not body.strip() or not body.endswith("\n\n"):
            return None
        k = count_paragraphs(body) + 1
        if k in self.plan.openings:
            return self.plan.openings[k]
        exact = [
            lim.hi for lim in self.plan.limits if lim.measure == "paragraphs" and lim.hi == lim.lo
        ]
        if 0 in self.plan.openings and exact and exact[0] == k:
            return self.plan.openings[0]
        return None

    def _close_inline(self, text: str, why: str) -> Directive:
        it = self._inline
        assert it is not None
        self._inline = None
        return self._force(it.close, f"closing {it.open.strip()}…: {why}")

    def _body(self, text: str, left: int) -> Directive | None:
        if self._closing:
            return None
        if self._inline is not None:
            it = self._inline
            assert self._span is not None
            start, left0 = self._span
            if it.close in text[start:]:
                self._inline, self._span = None, None
            elif left0 - left >= it.max_tokens:
                self._span = None
                return self._close_inline(text, f"its {it.max_tokens} tokens were used")
            else:
                inner = text[start:]
                first = set() if inner else {"space_start"}
                d = self._bans(text, {"newline", "json_unsafe", *first}, it.close)
                return replace(d, ban_eog=not inner.strip())
        body = text[self._body_start :]
        opening = self._opening(body)
        if opening is not None:
            return self._force(opening, "the paragraph that begins here opens with this word")
        if _BARE_ITEM.search(text):  # a list marker just written: the item's words come next
            d = self._bans(text, {"newline", "newline_list", "newline_heading"}, "*")
            return replace(d, ban_eog=True)
        line_start = text.endswith("\n") or (not body.strip() and not self.plan.prefix)
        at_sentence = bool(_SENT_END.search(text)) or text.endswith("\n")
        spare = left - self._end_tokens
        extra: set[str] = set()
        chars = ""
        boosts: list[str] = []
        ban_eog = False
        pending = 0  # tokens the missing structure still needs
        force: tuple[str, str] | None = None  # (text, why)
        for lim in self.plan.limits:
            n = lim.count(text)
            m = lim.measure
            if lim.hi is not None:
                if m in ("word_count", "char_count", "sentence_count"):
                    end = {
                        "word_count": self._end_words,
                        "char_count": self._end_chars,
                        "sentence_count": self._end_sentences,
                    }[m]
                    missing = self._missing_terms(text)
                    room = lim.hi - end - n - (len(missing) if m == "word_count" else 0)
                    margin = {"word_count": 8, "char_count": 40, "sentence_count": 1}[m]
                    if room <= 0 or (room < margin and at_sentence and body.strip()):
                        if missing:  # required words go in before the answer is closed
                            why = f"required, and the limit of {lim.describe()} is near"
                            return self._force(" " + missing[0], why)
                        return self._close_body(text, f"the limit of {lim.describe()}")
                elif m == "line_count" and n >= lim.hi:
                    extra.add("newline")
                elif m in ("bullet_count", "numbered") and n >= lim.hi:
                    extra.add("newline_list")
                    if line_start:
                        extra.add("list_start")
                elif m in ("paragraphs", "dividers") and n >= lim.hi:
                    extra.add("newline")
                    if m == "dividers":
                        chars += "*"
                elif m == "letter" and n >= lim.hi:
                    chars += lim.arg.lower() + lim.arg.upper()
            if lim.lo is None or n >= lim.lo:
                continue
            need = lim.lo - n
            ban_eog = True
            why = f"has {n}, wants {lim.describe()}"
            if m in ("term", "any_term"):
                word = lim.arg.split("|")[0]
                boosts.append(word)
                cost = need * (self.measure(" " + word) + 1)
                pending += cost
                if force is None and spare <= cost + 2:
                    force = " " + word, f"{why}, and the budget is short"
            elif m in ("bullet_count", "numbered", "headings", "sections"):
                marker = self._marker(lim, n)
                cost = need * 10
                pending += cost
                if force is None and line_start:
                    force = marker, why
                elif force is None and spare <= cost + 2:
                    force = "\n" + marker, f"{why}, and the budget is short"
            elif m in ("dividers", "paragraphs"):
                cost = need * 16
                pending += cost
                sep = "***" if m == "dividers" else "\n\n"
                last = text.rsplit(sep, 1)[-1]
                words = count_words(last)
                brk = "\n\n***\n\n" if m == "dividers" else "\n\n"
                if force is None and words >= 3 and n >= 1:
                    if line_start and (m == "dividers" or not text.endswith("\n\n")):
                        force = ("***\n\n" if m == "dividers" else "\n"), why
                    elif (spare <= cost + 2 or words >= 30) and at_sentence:
                        force = brk, why
                    elif spare <= cost + 2 or words >= 60:
                        force = "." + brk, why
            elif m in ("placeholder_count", "highlight_count"):
                cost = need * 8
                pending += cost
                ready = at_sentence and count_words(text.rsplit("]", 1)[-1]) >= 4
                if force is None and (spare <= cost + 2 or ready) and body.strip():
                    span = Span(" [", "]", 6) if m == "placeholder_count" else Span(" *", "*", 6)
                    self._inline = span
                    self._span = (len(text) + len(span.open), left - self.measure(span.open))
                    return self._force(span.open, why)
        if force is not None:
            return self._force(*force)
        if spare - pending <= 0 and not ban_eog:
            return self._close_body(text, "the token budget")
        if spare <= 0:
            return self._close_body(text, "the token budget")
        if line_start:
            if self.plan.no_lists:
                extra.add("list_start")
            if self.plan.no_headings:
                extra.add("heading_start")
        boost = 0.0
        if boosts:
            used = 1.0 - max(left, 0) / max(self.max_tokens, 1)
            boost = 1.0 + (_FORCE_BOOST_MAX - 1.0) * used
            self.record.boosted += 1
        if ban_eog:
            self.record.eog_banned += 1
        d = self._bans(text, extra, chars)
        return replace(d, ban_eog=ban_eog, boost_words=tuple(boosts), boost=boost)

    def _missing_terms(self, text: str) -> list[str]:
        return [
            lim.arg.split("|")[0]
            for lim in self.plan.limits
            if lim.measure in ("term", "any_term") and lim.lo and lim.count(text) < lim.lo
        ]

    def _marker(self, lim: Limit, n: int) -> str:
        if lim.measure == "bullet_count":
            return "* "  # with its space: "*word" is a bullet to some checkers, not to others
        if lim.measure == "numbered":
            return f"{n + 1}. "
        if lim.measure == "headings":
            return "# "
        return f"{lim.arg.upper()} {n + 1}\n"

    def _close_body(self, text: str, why: str) -> Directive | None:
        self._closing = True
        self.record.closed_early = why
        self._acts.append(Act("closed", "", why, self.max_tokens - self._left))
        if text.rstrip() and text.rstrip()[-1].isalnum():
            return self._force(".", "ending the last sentence", routine=True)
        return None

    # -- SMC ---------------------------------------------------------------------------------

    def potential(self, text: str) -> float:
        """How promising `text` is for the counts and presences, in [0, 1]: 1 when every
        limit is met, less for each requirement still missing or exceeded. SMC weighs
        particles by it."""
        p = 1.0
        for lim in self.plan.limits:
            n = lim.count(text)
            if lim.hi is not None and n > lim.hi:
                p *= 0.05
            if lim.lo is not None and n < lim.lo:
                p *= (n + 1) / (lim.lo + 1)
        return p

    def shortfall(self, text: str) -> str:
        """What keeps `potential(text)` under 1, in words ("has 12, wants at least 40
        words"); "" when every limit is met."""
        out = []
        for lim in self.plan.limits:
            n = lim.count(text)
            if (lim.hi is not None and n > lim.hi) or (lim.lo is not None and n < lim.lo):
                out.append(f"has {n}, wants {lim.describe()}")
        return "; ".join(out)
