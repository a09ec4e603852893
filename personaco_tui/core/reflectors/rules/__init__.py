"""Deterministic `rules` reflector: parses personalization signals that state something
checkable ("no bullet lists", "keep it under 80 words", "end with 'Talk soon.'") into checks,
and scores every candidate on them; other signals are left to a model reflector (score None).

Public API: `parse_signal(text) -> Check | None`, `describe(text) -> str | None`, `Check`
(`kind`, `description`, `params`, `check(answer) -> bool`, `parts` for composites) and
`RulesReflector`."""

from .checks import Check
from .parser import describe, parse_signal
from .reflector import NOT_CHECKABLE, RulesReflector

__all__ = ["NOT_CHECKABLE", "Check", "RulesReflector", "describe", "parse_signal"]
