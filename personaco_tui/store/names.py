"""What a name a person types may be: profiles, evaluation sessions and registered models.

Names are compared as a person reads them: "Work", "work" and "WORK" are one name, and so
are the composed and decomposed forms of "café". So a name is stored in NFC, and uniqueness
is checked on its `name_key` (NFC, casefolded). Characters that show nothing or reorder what
is shown (zero-width joiners, bidi overrides, controls) would let two names look alike, or
one look like another, and are refused (a zero-width joiner inside an emoji sequence such
as 👨‍👩‍👧 is part of one symbol and kept), as are names too long to show and names that start
with a combining mark, which shows on nothing.

Databases from before this rule may hold names that clash under it; they are kept and still
found by their exact spelling. Only new clashes are refused, so no migration is needed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .db import InvalidInputError, check_text

MAX_NAME_CHARS = 100
# Cc controls, Cf format (zero-width, bidi), Cs surrogates, Zl/Zp line and paragraph breaks
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def clean_name(name: str, what: str) -> str:
    """`name` as it is stored (NFC, no outer spaces), or a one-line InvalidInputError that
    says what is wrong; `what` is "profile", "evaluation session", ..."""
    if len(name) > 4 * MAX_NAME_CHARS:  # before normalising a 10,000-character paste
        raise _too_long(what, len(name))
    name = unicodedata.normalize("NFC", check_text(name)).strip()
    if not name:
        raise InvalidInputError(f"A {what} name cannot be empty.", "Give it a name.")
    if len(name) > MAX_NAME_CHARS:
        raise _too_long(what, len(name))
    if unicodedata.category(name[0]).startswith("M"):
        raise InvalidInputError(
            f"The {what} name starts with a combining mark (U+{ord(name[0]):04X}), which "
            "shows on nothing.",
            "Start it with a letter, digit or symbol.",
        )
    for i, ch in enumerate(name):
        if unicodedata.category(ch) in _HIDDEN and not _joins_emoji(name, i):
            raise InvalidInputError(
                f"The {what} name has an invisible or control character (U+{ord(ch):04X}) at "
                f"position {i + 1}.",
                "Use visible characters only.",
            )
    return name


def _joins_emoji(name: str, i: int) -> bool:
    """Whether `name[i]` is a zero-width joiner inside an emoji sequence (👨‍👩‍👧), where it is
    part of one visible symbol, not a character hidden between two letters."""
    if name[i] != "\u200d" or i == 0 or i == len(name) - 1:
        return False
    before, after = name[i - 1], name[i + 1]
    # before: a symbol, a skin tone (Sk) or the emoji variation selector U+FE0F
    return (unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f") and (
        unicodedata.category(after) == "So"
    )


def _too_long(what: str, n: int) -> InvalidInputError:
    return InvalidInputError(
        f"A {what} name can have at most {MAX_NAME_CHARS} characters, not {n:,}.",
        "Use a shorter name.",
    )


def name_key(name: str) -> str:
    """What two names must not share: "Café" and "cafe\u0301" give the same key."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def clash(name: str, existing: Iterable[str]) -> str | None:
    """The existing name that `name` would be mistaken for, if any."""
    key = name_key(name)
    return next((e for e in existing if name_key(e) == key), None)


def find_name(name: str, existing: Iterable[str]) -> str | None:
    """The stored name meant by `name` as typed: the exact spelling first, else the one name
    that matches it ignoring case and composition (None if none, or several, do)."""
    names = list(existing)
    if name in names:
        return name
    key = name_key(name)
    matches = [e for e in names if name_key(e) == key]
    return matches[0] if len(matches) == 1 else None
