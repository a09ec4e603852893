"""The checks: pure functions of an answer (built on measures.py), each with a short `kind`,
its parameters and a human description for the "why" view. No check raises on any `str`, and
none keeps state: same answer, same result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .lang import LANGUAGE_NAMES, detect_language
from .measures import (
    COMMAS,
    count_bold,
    count_bullets,
    count_capital_words,
    count_chars,
    count_emojis,
    count_headings,
    count_highlights,
    count_lines,
    count_numbered,
    count_paragraphs,
    count_placeholders,
    count_sections,
    count_sentences,
    count_term,
    count_words,
    ends_with_phrase,
    ends_with_question,
    first_word,
    has_code_block,
    has_markdown,
    has_postscript,
    has_title,
    is_json,
    last_word,
    no_chars,
    no_dashes,
    opening_word,
    paragraphs,
    starts_with_phrase,
)


@dataclass(frozen=True, eq=False)
class Check:
    """One checkable requirement. `check(answer)` says whether the answer satisfies it."""

    kind: str
    description: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    fn: Callable[[str], bool] = field(default=lambda _a: False, repr=False)
    parts: tuple[Check, ...] = ()

    def check(self, answer: str) -> bool:
        return bool(self.fn(answer))

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Identity of the requirement, used to drop duplicates inside a composite."""
        return self.kind, tuple(sorted((k, repr(v)) for k, v in self.params.items()))


def make(kind: str, description: str, fn: Callable[[str], bool], **params: Any) -> Check:
    return Check(kind, description, MappingProxyType(dict(params)), fn)


def all_of(checks: list[Check]) -> Check:
    parts = tuple(checks)
    return Check(
        "all",
        " and ".join(c.description for c in parts),
        MappingProxyType({"kinds": tuple(c.kind for c in parts)}),
        lambda a: all(c.check(a) for c in parts),
        parts,
    )


# ---------------------------------------------------------------------------- relations

REL_WORDS = {
    "<": "fewer than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
    "==": "exactly",
}


def compare(value: int, rel: str, n: int, m: int | None = None) -> bool:
    if rel == "<":
        return value < n
    if rel == "<=":
        return value <= n
    if rel == ">":
        return value > n
    if rel == ">=":
        return value >= n
    if rel == "between":
        return n <= value <= (m if m is not None else n)
    return value == n


def _plural(n: int, unit: str) -> str:
    if n == 1:
        return unit
    if unit.endswith("s"):
        return unit + "es"
    return unit + "s"


def rel_phrase(rel: str, n: int, m: int | None, unit: str) -> str:
    if rel == "between":
        return f"between {n} and {m} {_plural(2, unit)}"
    return f"{REL_WORDS[rel]} {n} {_plural(n, unit)}"


# ----------------------------------------------------------------------- check builders

COUNTERS: dict[str, tuple[Callable[[str], int], str]] = {
    "word_count": (count_words, "word"),
    "sentence_count": (count_sentences, "sentence"),
    "char_count": (count_chars, "character"),
    "line_count": (count_lines, "line"),
    "bullet_count": (count_bullets, "bullet point"),
    "placeholder_count": (count_placeholders, "[placeholder]"),
    "highlight_count": (count_highlights, "*highlighted* section"),
    "bold_count": (count_bold, "**bold** span"),
    "emoji_count": (count_emojis, "emoji"),
    "capital_word_count": (count_capital_words, "all-caps word"),
}


def counted(kind: str, rel: str, n: int, m: int | None = None) -> Check:
    counter, unit = COUNTERS[kind]
    if kind == "emoji_count" and rel == ">=" and n == 1:
        return make("emoji_count", "uses emoji", lambda a: count_emojis(a) >= 1, relation=">=", n=1)
    return make(
        kind,
        rel_phrase(rel, n, m, unit),
        lambda a: compare(counter(a), rel, n, m),
        relation=rel,
        n=n,
        **({"m": m} if m is not None else {}),
    )


def paragraph_count(rel: str, n: int, m: int | None, sep: str) -> Check:
    desc = rel_phrase(rel, n, m, "paragraph") + (" separated by ***" if sep == "***" else "")

    def fn(a: str) -> bool:
        c = count_paragraphs(a, sep)
        return c >= 0 and compare(c, rel, n, m)

    extra = {"m": m} if m is not None else {}
    return make("paragraph_count", desc, fn, relation=rel, n=n, sep=sep, **extra)


def paragraph_divider() -> Check:
    def fn(a: str) -> bool:
        return count_paragraphs(a, "***") >= 1 and count_paragraphs(a, "blank") <= count_paragraphs(
            a, "***"
        )

    return make("paragraph_divider", "paragraphs separated by ***", fn)


def section_count(rel: str, n: int, m: int | None, marker: str) -> Check:
    label = f"{marker.upper()} X"
    desc = rel_phrase(rel, n, m, "section") + f" marked {label}"
    extra = {"m": m} if m is not None else {}
    return make(
        "section_count",
        desc,
        lambda a: compare(count_sections(a, marker), rel, n, m),
        relation=rel,
        n=n,
        marker=marker,
        **extra,
    )


def lowercase() -> Check:
    return make("lowercase", "all lowercase (no capital letters)", lambda a: a.islower())


def uppercase() -> Check:
    return make("uppercase", "all capital letters", lambda a: a.isupper())


def no_commas() -> Check:
    return make("no_commas", "no commas", no_chars(COMMAS))


def no_exclamation() -> Check:
    return make("no_exclamation", "no exclamation marks", no_chars(("!", "！")))


PUNCT_MARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "semicolon": ("semicolons", (";",)),
    "colon": ("colons", (":",)),
    "question": ("question marks", ("?", "？")),
    "ellipsis": ("ellipses", ("…", "...")),
    "parenthesis": ("parentheses", ("(", ")")),
    "asterisk": ("asterisks", ("*",)),
    "hash": ("hash signs", ("#",)),
    "ampersand": ("ampersands", ("&",)),
    "em_dash": ("em dashes", ("—",)),
    "en_dash": ("en dashes", ("–",)),
}


def no_punct(mark: str) -> Check:
    if mark == "dash":
        return make("no_punct", "no dashes", no_dashes, mark="dash")
    name, chars = PUNCT_MARKS[mark]
    return make("no_punct", f"no {name}", no_chars(chars), mark=mark)


def use_bullets() -> Check:
    return make("use_bullets", "uses bullet points", lambda a: count_bullets(a, True) >= 1)


def use_numbered() -> Check:
    return make("use_numbered", "uses a numbered list", lambda a: count_numbered(a) >= 1)


def use_list() -> Check:
    return make(
        "use_list", "uses a list", lambda a: count_bullets(a, True) + count_numbered(a) >= 1
    )


def no_lists(numbered_only: bool = False) -> Check:
    if numbered_only:
        return make(
            "no_lists", "no numbered lists", lambda a: count_numbered(a) == 0, which="numbered"
        )
    return make(
        "no_lists",
        "no bullet or numbered lists",
        lambda a: count_bullets(a, True) == 0 and count_numbered(a) == 0,
        which="all",
    )


def title() -> Check:
    return make("title", "a title in double angle brackets, like <<title>>", has_title)


def quoted() -> Check:
    def fn(a: str) -> bool:
        s = a.strip()
        return len(s) >= 2 and s[0] == '"' and s[-1] == '"'

    return make("quoted", "whole reply wrapped in double quotation marks", fn)


_ORDINALS = ("last", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(n: int) -> str:
    """0 is the last; 1 the first, and so on."""
    return _ORDINALS[n] if 0 <= n < len(_ORDINALS) else f"{n}th"


def paragraph_starts(nth: int, word: str) -> Check:
    """The `nth` paragraph (1 the first, 0 the last) begins with `word`."""
    w = word.strip().lower()

    def fn(a: str) -> bool:
        paras = paragraphs(a)
        if not paras or nth > len(paras):
            return False
        return opening_word(paras[nth - 1 if nth else -1]) == w

    return make(
        "paragraph_starts",
        f"the {ordinal(nth)} paragraph starts with the word “{word}”",
        fn,
        nth=nth,
        word=word,
    )


def starts_with(phrase: str, word: bool = False) -> Check:
    if word:
        w = phrase.strip().lower()
        return make(
            "starts_with",
            f"starts with the word “{phrase}”",
            lambda a: first_word(a) == w,
            phrase=phrase,
            word=True,
        )
    return make(
        "starts_with",
        f"starts with “{phrase}”",
        lambda a: starts_with_phrase(a, phrase),
        phrase=phrase,
        word=False,
    )


def ends_with(phrase: str, word: bool = False) -> Check:
    if word:
        w = phrase.strip().lower()
        return make(
            "ends_with",
            f"ends with the word “{phrase}”",
            lambda a: last_word(a) == w,
            phrase=phrase,
            word=True,
        )
    return make(
        "ends_with",
        f"ends with “{phrase}” and nothing after it",
        lambda a: ends_with_phrase(a, phrase),
        phrase=phrase,
        word=False,
    )


def postscript(marker: str = "P.S.") -> Check:
    return make(
        "postscript",
        f"a postscript starting with {marker}",
        lambda a: has_postscript(a, marker),
        marker=marker,
    )


def _quote_list(words: tuple[str, ...], joiner: str) -> str:
    q = [f"“{w}”" for w in words]
    if len(q) <= 2:
        return f" {joiner} ".join(q)
    return ", ".join(q[:-1]) + f" {joiner} " + q[-1]


def include_words(words: tuple[str, ...], any_of: bool = False) -> Check:
    ws = tuple(words)
    if any_of and len(ws) > 1:
        return make(
            "include_words",
            f"uses at least one of {_quote_list(ws, 'or')}",
            lambda a: any(count_term(a, w) for w in ws),
            words=ws,
            mode="any",
        )
    return make(
        "include_words",
        f"uses {_quote_list(ws, 'and')}",
        lambda a: all(count_term(a, w) for w in ws),
        words=ws,
        mode="all",
    )


def exclude_words(words: tuple[str, ...]) -> Check:
    ws = tuple(words)
    return make(
        "exclude_words",
        f"never uses {_quote_list(ws, 'or')}",
        lambda a: not any(count_term(a, w) for w in ws),
        words=ws,
    )


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def word_frequency(word: str, rel: str, n: int, m: int | None = None) -> Check:
    if rel == "between":
        desc = f"uses “{word}” between {n} and {m} times"
    else:
        desc = f"uses “{word}” {REL_WORDS[rel]} {_times(n)}"
    extra = {"m": m} if m is not None else {}
    return make(
        "word_frequency",
        desc,
        lambda a: compare(count_term(a, word), rel, n, m),
        word=word,
        relation=rel,
        n=n,
        **extra,
    )


def letter_frequency(letter: str, rel: str, n: int, m: int | None = None) -> Check:
    ch = letter.lower()
    if rel == "==" and n == 0:
        desc = f"never uses the letter “{ch}”"
    elif rel == "between":
        desc = f"the letter “{ch}” between {n} and {m} times"
    else:
        desc = f"the letter “{ch}” {REL_WORDS[rel]} {_times(n)}"
    extra = {"m": m} if m is not None else {}
    return make(
        "letter_frequency",
        desc,
        lambda a: compare(a.lower().count(ch), rel, n, m),
        letter=ch,
        relation=rel,
        n=n,
        **extra,
    )


def json_output() -> Check:
    return make("json", "the whole reply is valid JSON", is_json)


def ends_question() -> Check:
    return make("ends_with_question", "ends with a question", ends_with_question)


def no_emoji() -> Check:
    return make("no_emoji", "no emoji", lambda a: count_emojis(a) == 0)


def language(code: str) -> Check:
    return make(
        "language",
        f"written in {LANGUAGE_NAMES[code]}",
        lambda a: detect_language(a) == code,
        lang=code,
    )


def no_headings() -> Check:
    return make("no_headings", "no markdown headings", lambda a: count_headings(a) == 0)


def use_headings() -> Check:
    return make("use_headings", "uses markdown headings", lambda a: count_headings(a) >= 1)


def code_block() -> Check:
    return make("code_block", "includes a fenced code block", has_code_block)


def no_markdown() -> Check:
    return make("no_markdown", "plain text, no markdown formatting", lambda a: not has_markdown(a))
