"""The IFEval checkers of the optional `if-verifiable` package, and the mapping from a
personalization signal in free text to the IFEval instruction(s) that check it.

The checkers are the judge; the project's reading of the signal (`core.signals.understand`,
the same reading the rules reflector uses for the pick) only finds *which* checker applies
(e.g. "Keep answers under 80 words" -> `length_constraints:number_words`
with `num_words=80, relation="less than"`). Whether an answer satisfies the signal is then
decided by the IFEval checker alone, never by the rules' own checks.

A signal maps only where an IFEval checker measures exactly what the signal asks: "at most
5 sentences" becomes "fewer than 6", "exactly 100 words" becomes "at least 100" plus "fewer
than 101", but "more than 3 bullet points" has no checker (IFEval counts bullets exactly), nor
does "start with the word Hello"; such signals give None (not checkable). A composite signal
("no commas and under 50 words") maps when every part does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..core.reflectors.rules import Check
from ..core.signals import understand, understood_check
from ..core.types import Reading
from ..errors import PersonacoError

INSTALL_HINT = "Install them with: pip install 'personaco-tui[eval]'"

# IFEval's two comparisons: "less than" is <, "at least" is >=.
_LESS, _AT_LEAST = "less than", "at least"

# The languages IFEval's `language:response_language` knows (its langdetect codes).
_IFEVAL_LANGUAGES = frozenset(
    ("ar", "bg", "bn", "de", "en", "es", "fa", "fi", "fr", "gu", "he", "hi", "it", "ja", "kn")
    + ("ko", "ml", "mr", "ne", "pa", "pl", "pt", "ru", "sw", "ta", "te", "th", "uk", "ur", "vi")
)

IFEvalCheck = dict[str, Any]  # {"instruction_id": str, "kwargs": dict}


def _chk(instruction_id: str, **kwargs: Any) -> IFEvalCheck:
    return {"instruction_id": instruction_id, "kwargs": kwargs}


def _bounds(rel: str, n: int, m: int | None) -> list[tuple[str, int]] | None:
    """A relation on a count as IFEval comparisons [(relation, threshold), ...], all of which
    must hold; None when it cannot be said that way."""
    if rel == "<":
        return [(_LESS, n)]
    if rel == "<=":
        return [(_LESS, n + 1)]
    if rel == ">=":
        return [(_AT_LEAST, n)]
    if rel == ">":
        return [(_AT_LEAST, n + 1)]
    if rel == "==":
        return [(_AT_LEAST, n), (_LESS, n + 1)] if n > 0 else [(_LESS, 1)]
    if rel == "between" and m is not None and m >= n:
        return [(_AT_LEAST, n), (_LESS, m + 1)] if n > 0 else [(_LESS, m + 1)]
    return None


def _at_least(rel: str, n: int) -> int | None:
    """The threshold for IFEval checkers that only count "at least n"."""
    if rel == ">=":
        return n
    if rel == ">":
        return n + 1
    return None


def _one(c: Check) -> list[IFEvalCheck] | None:
    p: Mapping[str, Any] = c.params
    k = c.kind
    if k in ("word_count", "sentence_count"):
        b = _bounds(p["relation"], p["n"], p.get("m"))
        if b is None:
            return None
        iid, key = (
            ("length_constraints:number_words", "num_words")
            if k == "word_count"
            else ("length_constraints:number_sentences", "num_sentences")
        )
        return [_chk(iid, **{key: t, "relation": r}) for r, t in b]
    if k == "word_frequency":
        b = _bounds(p["relation"], p["n"], p.get("m"))
        if b is None:
            return None
        return [
            _chk("keywords:frequency", keyword=p["word"], frequency=t, relation=r) for r, t in b
        ]
    if k == "letter_frequency":
        b = _bounds(p["relation"], p["n"], p.get("m"))
        if b is None:
            return None
        return [
            _chk("keywords:letter_frequency", letter=p["letter"], let_frequency=t, let_relation=r)
            for r, t in b
        ]
    if k == "capital_word_count":
        b = _bounds(p["relation"], p["n"], p.get("m"))
        if b is None:
            return None
        return [
            _chk("change_case:capital_word_frequency", capital_frequency=t, capital_relation=r)
            for r, t in b
        ]
    if k == "bullet_count":
        if p["relation"] != "==":
            return None
        return [_chk("detectable_format:number_bullet_lists", num_bullets=p["n"])]
    if k == "placeholder_count":
        t = _at_least(p["relation"], p["n"])
        if t is None:
            return None
        return [_chk("detectable_content:number_placeholders", num_placeholders=t)]
    if k == "highlight_count":
        t = _at_least(p["relation"], p["n"])
        if t is None:
            return None
        return [_chk("detectable_format:number_highlighted_sections", num_highlights=t)]
    if k == "paragraph_count":
        if p["relation"] != "==" or p.get("sep") != "***":
            return None
        return [_chk("length_constraints:number_paragraphs", num_paragraphs=p["n"])]
    if k == "section_count":
        # IFEval's own "must have N sections" counts at least N: a bare N reads the same way
        t = p["n"] if p["relation"] in ("==", ">=") else _at_least(p["relation"], p["n"])
        if t is None or not p.get("marker"):
            return None
        return [
            _chk(
                "detectable_format:multiple_sections",
                section_spliter=str(p["marker"]).capitalize(),
                num_sections=t,
            )
        ]
    if k == "ends_with":
        if p.get("word"):
            return None
        return [_chk("startend:end_checker", end_phrase=p["phrase"])]
    if k == "postscript":
        return [_chk("detectable_content:postscript", postscript_marker=p["marker"])]
    if k == "include_words":
        if p.get("mode") != "all":
            return None
        return [_chk("keywords:existence", keywords=list(p["words"]))]
    if k == "exclude_words":
        return [_chk("keywords:forbidden_words", forbidden_words=list(p["words"]))]
    if k == "language":
        if p["lang"] not in _IFEVAL_LANGUAGES:
            return None
        return [_chk("language:response_language", language=p["lang"])]
    simple = {
        "lowercase": "change_case:english_lowercase",
        "uppercase": "change_case:english_capital",
        "no_commas": "punctuation:no_comma",
        "title": "detectable_format:title",
        "quoted": "startend:quotation",
        "json": "detectable_format:json_format",
    }
    if k in simple:
        return [_chk(simple[k])]
    return None


def _paragraph_opening(parts: list[Check]) -> IFEvalCheck | None:
    """IFEval checks a paragraph's first word together with the number of paragraphs: an
    exact paragraph count and one paragraph opening ("3 paragraphs, the last starting with
    'Overall'") become one check, and leave `parts`."""
    counts = [
        c for c in parts
        if c.kind == "paragraph_count" and c.params["relation"] == "=="
        and c.params.get("sep") == "blank"
    ]  # fmt: skip
    starts = [c for c in parts if c.kind == "paragraph_starts"]
    if len(counts) != 1 or len(starts) != 1:
        return None
    n, nth = counts[0].params["n"], starts[0].params["nth"]
    if nth > n:
        return None
    parts.remove(counts[0])
    parts.remove(starts[0])
    return _chk(
        "length_constraints:nth_paragraph_first_word",
        num_paragraphs=n,
        nth_paragraph=nth or n,
        first_word=str(starts[0].params["word"]).lower(),
    )


def ifeval_for_check(check: Check) -> list[IFEvalCheck] | None:
    """The IFEval checks for one check (a composite: all its parts'), or None when some part
    has no checker."""
    parts = list(check.parts if check.kind == "all" else (check,))
    out: list[IFEvalCheck] = []
    opening = _paragraph_opening(parts)
    if opening is not None:
        out.append(opening)
    for part in parts:
        got = _one(part)
        if got is None:
            return None
        out.extend(got)
    return out or None


def ifeval_checks(signal: str, reading: Reading | None = None) -> list[IFEvalCheck] | None:
    """The IFEval checks that together decide whether an answer satisfies `signal` (all must
    pass), or None when no checker measures what the signal asks. The user's `reading` (or
    one the signal carries as a SignalText) replaces the automatic one."""
    if not isinstance(signal, str):
        return None
    check = understand(signal, reading).check if reading is not None else understood_check(signal)
    out = None if check is None else ifeval_for_check(check)
    for c in out or []:
        if c["instruction_id"] == "detectable_format:multiple_sections":
            c["kwargs"]["section_spliter"] = _as_written(c["kwargs"]["section_spliter"], signal)
    return out


def _as_written(marker: str, signal: str) -> str:
    """The section marker cased as the signal writes it: IFEval matches "SECTION 1" only
    with the splitter "SECTION" (the parser keeps markers lowercased)."""
    pattern = rf"\b({re.escape(marker)})\s+(?:x|n|\d+|#)\b"
    written = [m.group(1) for m in re.finditer(pattern, signal, re.IGNORECASE)]
    return marker.upper() if any(w.isupper() for w in written) else marker


class Checkers:
    """The IFEval checkers, imported on first use (the package pulls in `datasets`)."""

    def __init__(self, what: str = "The adherence benchmark") -> None:
        try:
            from if_verifiable.ifeval import instructions_registry
        except ImportError:
            raise PersonacoError(f"{what} needs the IFEval checkers.", INSTALL_HINT) from None
        self._registry = instructions_registry.INSTRUCTION_DICT

    def passed(self, answer: str, check: Mapping[str, Any]) -> bool:
        iid = check["instruction_id"]
        checker = self._registry[iid](iid)
        checker.build_description(**(check.get("kwargs") or {}))
        return bool(answer.strip()) and bool(checker.check_following(answer))
