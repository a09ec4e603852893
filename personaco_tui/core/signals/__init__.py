"""Signals understood the way people phrase them: the rules parser's reading, widened by a
classifier trained on a generated paraphrase corpus, with parameters extracted per kind.

Public API: `understand(text) -> Understanding` (`check`, `checkable`, `kinds`, `parts`,
`source`, `kind`, `confidence`) and `understood_check(text) -> Check | None`."""

from .understand import Understanding, understand, understood_check

__all__ = ["Understanding", "understand", "understood_check"]
