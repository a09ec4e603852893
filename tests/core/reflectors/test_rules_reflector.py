"""RulesReflector: one cell per (candidate, signal), 1.0/0.0 with the description, None with
"not checkable" for signals the rules cannot check."""

from __future__ import annotations

import pytest

from personaco_tui.core.reflectors.base import ReflectionInput, Reflector
from personaco_tui.core.reflectors.rules import NOT_CHECKABLE, RulesReflector
from personaco_tui.engines.base import CancelToken, Progress
from personaco_tui.errors import Cancelled

SIGNALS = [
    "Keep answers under 10 words; I read on my phone.",
    "I prefer detailed anecdotes.",
    "Please never use commas in your replies.",
]
CANDIDATES = [
    "Short answer, with a comma.",
    "Short answer without commas.",
    "A much longer answer that goes on and on well past the ten word limit.",
]


def inp() -> ReflectionInput:
    return ReflectionInput(
        messages=[{"role": "user", "content": "q"}],
        query="q",
        candidates=CANDIDATES,
        signals=SIGNALS,
    )


def test_is_a_reflector() -> None:
    r: Reflector = RulesReflector()
    assert r.name == "rules"


def test_one_cell_per_candidate_and_signal() -> None:
    cells = RulesReflector().score(inp())
    assert [(c.candidate, c.signal) for c in cells] == [(i, j) for i in range(3) for j in range(3)]
    assert all(c.reflector == "rules" for c in cells)
    grid = {(c.candidate, c.signal): c for c in cells}
    assert [grid[(i, 0)].score for i in range(3)] == [1.0, 1.0, 0.0]
    assert [grid[(i, 2)].score for i in range(3)] == [0.0, 1.0, 1.0]
    assert all(grid[(i, 1)].score is None and grid[(i, 1)].raw == NOT_CHECKABLE for i in range(3))
    assert grid[(0, 0)].raw == "fewer than 10 words: passed"
    assert grid[(0, 2)].raw == "no commas: failed"


def test_progress_and_cancel() -> None:
    events: list[Progress] = []
    cells = RulesReflector().score(inp(), on_progress=events.append)
    assert len(events) == len(cells) == 9
    assert events[-1].kind == "reflect" and events[-1].done == events[-1].total == 9
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):  # a cancelled turn stores nothing half-scored
        RulesReflector().score(inp(), cancel=token)


def test_no_signals_or_candidates() -> None:
    empty = ReflectionInput(messages=[], query="q", candidates=[], signals=SIGNALS)
    assert RulesReflector().score(empty) == []
    none = ReflectionInput(messages=[], query="q", candidates=CANDIDATES, signals=[])
    assert RulesReflector().score(none) == []
