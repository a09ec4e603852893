"""Token classes for steering, as pure functions of a token's text: the engine computes them
once per vocabulary (engines/llama_steer.py), the tests apply them to plain strings. The
class names are those a `Directive` bans (see controller.py)."""

from __future__ import annotations

import re

from ..reflectors.rules.measures import _is_emoji_char

_LIST = re.compile(r"^[ \t]*(?:[*+•‣◦▪●-]|\d{1,2}[.)])(?:[ \t]|$)")
_NL_LIST = re.compile(r"\n[ \t]*(?:[*+•‣◦▪●-]|\d{1,2}[.)])(?:[ \t]|$)")
_HEADING = re.compile(r"^[ \t]*#")
_NL_HEADING = re.compile(r"\n[ \t]*#")

CLASSES = (
    "upper",
    "lower",
    "newline",
    "list_start",
    "newline_list",
    "heading_start",
    "newline_heading",
    "json_unsafe",
    "emoji",
    "space_start",
    "hyphen",
    "partial",
)


def token_classes(piece: str) -> frozenset[str]:
    """The classes of one token's text."""
    out = set()
    if any(c.isupper() for c in piece):
        out.add("upper")
    if any(c.islower() for c in piece):
        out.add("lower")
    if "\n" in piece or "\r" in piece:
        out.add("newline")
    if _LIST.match(piece):
        out.add("list_start")
    if _NL_LIST.search(piece):
        out.add("newline_list")
    if _HEADING.match(piece):
        out.add("heading_start")
    if _NL_HEADING.search(piece):
        out.add("newline_heading")
    if '"' in piece or "\\" in piece or any(ord(c) < 32 for c in piece):
        out.add("json_unsafe")
    if any(_is_emoji_char(ord(c)) for c in piece):
        out.add("emoji")
    if piece[:1].isspace():
        out.add("space_start")
    if piece.strip() in ("-", "--"):
        out.add("hyphen")
    if "\ufffd" in piece:
        out.add("partial")
    return frozenset(out)


def starts_word(piece: str, word: str) -> bool:
    """Whether a token that begins with this text would begin `word` (a banned or boosted
    word): the token is the word, a prefix of it of 3 letters or more, or the word followed
    by a non-letter."""
    p = piece.strip().lower()
    w = word.strip().lower()
    if not p or not w or not (piece[:1].isspace() or piece[:1].isalpha()):
        return False
    if p == w or (len(p) >= 3 and w.startswith(p)):
        return True
    return p.startswith(w) and not p[len(w) : len(w) + 1].isalpha()


def recased(piece: str, case: str) -> str:
    """The token's text in the case a directive's `recase` asks for."""
    return piece.lower() if case == "lower" else piece.upper() if case == "upper" else piece


def banned(piece: str, d: object) -> bool:
    """Whether a directive (controller.Directive) bans this token; the pure reference for
    what the engine's masks do."""
    chars: str = getattr(d, "ban_chars", "")
    classes: frozenset[str] = getattr(d, "ban_classes", frozenset())
    words: tuple[str, ...] = getattr(d, "ban_words", ())
    if chars and any(c in piece for c in chars):
        return True
    if classes & token_classes(piece):
        return True
    return any(starts_word(piece, w) for w in words)
