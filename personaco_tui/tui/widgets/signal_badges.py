"""What the signals panel and the signal dialog say about how a signal is read: a badge per
signal ("rule: <what it checks>", "model", or "conflict"), and the live reading of a signal
being typed. All of it comes from core.signals; the first reading loads the classifiers
(1-10 s), so front ends ask `ready()` and warm it in a worker before calling these."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ...core.signals import Understanding, classifier, mood_model, understand
from ...core.signals.conflicts import Conflict, conflicts
from ...core.signals.mood import is_wish
from ...core.types import SAMPLE_READING, Reading, Signal
from ...terminal_text import neutralise

BadgeKind = Literal["rule", "model", "conflict", "reading"]
READING = "reading…"


@dataclass(frozen=True)
class Badge:
    kind: BadgeKind
    text: str


def ready() -> bool:
    return classifier.loaded() and mood_model.loaded()


def warm() -> None:
    """Load the classifier and the wish model (blocking: call it from a worker thread)."""
    understand("Keep it under 80 words.")
    mood_model.get()


def describe(u: Understanding, rules_out: bool | None = None) -> str:
    """One line: "rule: no commas", "judged by the model", with "(your choice)" for a
    correction. `rules_out`: the loaded model's reading of a fact, where it has read it
    (core/reflectors/polarity.py; the persona reflector scores the two kinds differently)."""
    if u.kind == SAMPLE_READING:
        words = "writing sample: scored by closeness of style"
    elif u.check is None and is_wish(u.signal):
        words = "judged by the model, as a wish"
    elif u.check is None:  # short: the panel is narrow
        words = {
            None: "judged by the model, as a fact",
            True: "model: fact, rules things out",
            False: "model: fact, shapes answers",
        }[rules_out]
    else:
        words = "rule: " + "; ".join(part.description for part in u.parts)
    return words + (" (your choice)" if u.source == "user" else "")


def _others(c: Conflict, index: int, signals: Sequence[Signal]) -> Signal:
    return signals[c.b if c.a == index else c.a]


def facts(signals: Sequence[Signal]) -> list[str]:
    """The texts of the signals the persona reflector reads as facts (no rule, no wish)."""
    out = []
    for s in signals:
        u = understand(s.as_text)  # the reading a user chose travels with the text
        if u.check is None and u.kind != SAMPLE_READING and not is_wish(s.as_text):
            out.append(str(s.as_text))
    return out


def badges(
    signals: Sequence[Signal], facts_read: Mapping[str, bool] | None = None
) -> dict[int, Badge]:
    """Each signal's badge by id; conflicts only among the enabled ones. `facts_read`: the
    loaded model's reading of the facts it has read (whether each rules something out)."""
    facts_read = facts_read or {}
    readings = {s.id: understand(s.as_text) for s in signals}
    enabled = [s for s in signals if s.enabled]
    clashes: dict[int, Signal] = {}
    for c in conflicts([readings[s.id] for s in enabled]):
        for index in (c.a, c.b):
            clashes.setdefault(enabled[index].id, _others(c, index, enabled))
    out: dict[int, Badge] = {}
    for s in signals:
        other = clashes.get(s.id)
        if other is not None:
            out[s.id] = Badge("conflict", f"conflict with “{neutralise(other.text)}”")
        else:
            u = readings[s.id]
            words = describe(u, facts_read.get(str(s.as_text)))
            out[s.id] = Badge("rule" if u.checkable else "model", neutralise(words))
    return out


@dataclass(frozen=True)
class FactReader:
    """How the panel learns the loaded model's reading of the facts: `known` says what has
    been read (never waits), `read` reads the rest (blocking, from a worker) and says whether
    it could (not while the model is busy with a turn), `active` whether a model is loaded
    that reads facts for the reflector in use."""

    known: Callable[[list[str]], Mapping[str, bool]]
    read: Callable[[list[str]], bool]
    active: Callable[[], bool]


def conflict_messages(signal: Signal, signals: Sequence[Signal]) -> list[str]:
    """A line per enabled signal that `signal` (just added or switched on) conflicts with."""
    if not signal.enabled:
        return []
    enabled = [s for s in signals if s.enabled]
    index = next((i for i, s in enumerate(enabled) if s.id == signal.id), None)
    if index is None:
        return []
    found = conflicts([understand(s.as_text) for s in enabled])
    return [
        neutralise(
            f"“{signal.text}” conflicts with “{_others(c, index, enabled).text}”: {c.reason}."
        )
        for c in found
        if index in (c.a, c.b)
    ]


def live(text: str, reading: Reading | None, others: Sequence[Signal]) -> tuple[str, list[str]]:
    """The reading of a signal being typed, and its conflicts with the profile's other
    enabled signals: what the dialog shows on each keystroke."""
    if not text.strip():
        return "", []
    u = understand(text, reading)
    enabled = [s for s in others if s.enabled]
    found = conflicts([u, *(understand(s.as_text) for s in enabled)])
    lines = [f"conflicts with “{enabled[c.b - 1].text}”: {c.reason}" for c in found if c.a == 0]
    return neutralise(describe(u)), [neutralise(line) for line in lines]
