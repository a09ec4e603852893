"""Signals understood the way people phrase them: the rules parser's reading, widened by a
classifier trained on a generated paraphrase corpus, with parameters extracted per kind; the
user's corrections of that reading; conflicts between a profile's signals.

Public API: `understand(text, reading=None) -> Understanding` (`check`, `checkable`, `kinds`,
`parts`, `source`, `kind`, `confidence`), `understood_check(text) -> Check | None`, the
correction kinds (`KINDS`, `make_reading`, `build_check`, `reading_from_json`,
, `ReadingError`) and `conflicts(...) -> list[Conflict]`."""

from .conflicts import Conflict, conflicts
from .kinds import (
    KINDS,
    ReadingError,
    build_check,
    make_reading,
    reading_from_json,
)
from .understand import Understanding, understand, understood_check

__all__ = [
    "KINDS",
    "Conflict",
    "ReadingError",
    "Understanding",
    "build_check",
    "conflicts",
    "make_reading",
    "reading_from_json",
    "understand",
    "understood_check",
]
