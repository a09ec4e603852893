"""Signals proposed from behaviour: "You picked the shorter answer in 5 of your last 6
choices: add 'Keep answers under 60 words.'?"

`behaviour_proposals(choices, existing)` is the whole interface. It never adds anything: the
caller shows each Proposal and the user decides (part B of issue 14 stores and shows them).

For each behaviour below, a choice is *informative* when the chosen answer and the one it
was compared with differ on it: the answer the app showed, when the user picked another;
otherwise the other candidates taken together (their median). Over the last `window`
informative choices, a direction is proposed only when at least `MIN_CONSISTENT` (3) choices
went that way and at least `MIN_SHARE` (80 %) of them did. Every proposed text is one the
rules reader (core.signals.understand) reads as the check it means, so an accepted proposal is
checked by rules from the next turn on (tests/core/test_learning.py holds that). A behaviour
whose check kind a signal of the profile already has is not proposed again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..signals import understood_check
from .features import text_features

MIN_CONSISTENT = 3
MIN_SHARE = 0.8
MIN_LIFT = 0.35  # the share must beat what random picks would give by this much
WINDOW = 10
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class BehaviourChoice:
    """One choice for proposals: the candidates' texts, the one chosen, and the one the app
    showed before the user picked (None: unknown, e.g. a blind rating)."""

    texts: list[str]
    chosen: int
    shown: int | None = None


@dataclass(frozen=True)
class Proposal:
    text: str  # the signal to add, in words the rules read
    evidence: str  # why, in words
    n_consistent: int
    n_total: int
    behaviour: str  # e.g. "shorter", "no_lists": a stable key for the caller
    kind: str  # the check kind the text is read as (e.g. "word_count")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _has_list(text: str) -> float:
    return 1.0 if text_features(text)["list_items"] > 0 else 0.0


def _no_commas(text: str) -> float:
    return 1.0 if "," not in text and text.strip() else 0.0


def _no_headings(text: str) -> float:
    return 0.0 if text_features(text)["headings"] else 1.0


def _asks_back(text: str) -> float:
    return text_features(text)["question_back"]


def _lowercase(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return 1.0 if letters and all(not c.isupper() for c in letters) else 0.0


@dataclass(frozen=True)
class _Behaviour:
    key: str
    measure: Callable[[str], float]
    said: str  # "the shorter answer"
    text: Callable[[list[float]], str]  # the signal, from the chosen answers' measures
    ratio: bool = False  # compare by ratio (lengths) rather than by difference


def _round_up(x: float, step: int) -> int:
    return max(step, int(math.ceil(x / step) * step))


def _quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


BEHAVIOURS: tuple[_Behaviour, ...] = (
    _Behaviour(  # measures are "more of the behaviour is higher": shorter is -words
        "shorter",
        lambda t: -float(_words(t)),
        "the shorter answer",
        lambda v: (
            f"Keep answers under {_round_up(_quantile([-x for x in v], 0.75) + 1, 10)} words."
        ),
        ratio=True,
    ),
    _Behaviour(
        "longer",
        lambda t: float(_words(t)),
        "the longer answer",
        lambda v: f"Write at least {max(10, int(_quantile(v, 0.25)) // 10 * 10)} words.",
        ratio=True,
    ),
    _Behaviour("lists", _has_list, "an answer with a list", lambda v: "Use bullet points."),
    _Behaviour(
        "no_lists",
        lambda t: 1.0 - _has_list(t),
        "an answer without a list",
        lambda v: "Never use bullet points.",
    ),
    _Behaviour("no_commas", _no_commas, "an answer without commas", lambda v: "Never use commas."),
    _Behaviour(
        "no_headings",
        _no_headings,
        "an answer without headings",
        lambda v: "Never use markdown headers.",
    ),
    _Behaviour(
        "question_back",
        _asks_back,
        "an answer that ends with a question",
        lambda v: "End with a question.",
    ),
    _Behaviour(
        "lowercase",
        _lowercase,
        "an all-lowercase answer",
        lambda v: "Write in all lowercase letters.",
    ),
)
# Behaviours that contradict each other: only the one the choices favour may be proposed.
_OPPOSITE = {"shorter": "longer", "longer": "shorter", "lists": "no_lists", "no_lists": "lists"}


def _differs(b: _Behaviour, mine: float, ref: float) -> int:
    """+1 when `mine` has more of `b` than `ref`, -1 when less, 0 when too close to tell."""
    if b.ratio:  # lengths differ when one is at most 80 % of the other (and >= 5 words)
        a, r = abs(mine), abs(ref)
        if max(a, r) < 5 or min(a, r) > 0.8 * max(a, r):
            return 0
    return 0 if mine == ref else (1 if mine > ref else -1)


def _evidence(b: _Behaviour, c: BehaviourChoice) -> tuple[int, float] | None:
    """The choice's direction on `b` (see _differs), and the chance a candidate picked at
    random would have gone that way; None when the choice says nothing.

    The reference is the answer the app showed when the user picked another; a choice that
    kept the shown answer says nothing. Without a shown answer (a rating) it is the median of
    the others."""
    vals = [b.measure(t) for t in c.texts]
    if c.shown is not None and 0 <= c.shown < len(vals):
        if c.shown == c.chosen:
            return None
        ref = vals[c.shown]
        others = [v for i, v in enumerate(vals) if i != c.shown]
    else:
        rest = sorted(v for i, v in enumerate(vals) if i != c.chosen)
        ref = rest[len(rest) // 2]
        others = vals
    dirs = [_differs(b, v, ref) for v in others]
    chance = sum(d > 0 for d in dirs) / len(dirs) if dirs else 0.0
    return _differs(b, vals[c.chosen], ref), chance


def behaviour_proposals(
    choices: list[BehaviourChoice],
    existing: list[str] | None = None,
    *,
    window: int = WINDOW,
    limit: int = 1,
) -> list[Proposal]:
    """Signals the user's choices (oldest first) suggest, strongest evidence first. Never
    from fewer than MIN_CONSISTENT consistent choices; never one whose check kind a signal
    in `existing` already has.

    A behaviour is proposed when, over its last `window` informative choices, at least
    MIN_CONSISTENT and MIN_SHARE of them went its way, and that share beats the share a
    random pick would give by MIN_LIFT. Behaviours are taken strongest first, and a later
    one counts only choices the ones already proposed do not explain (a user who picks
    short answers also picks answers with fewer commas: that is not a second taste). At
    most `limit` are returned: one suggestion at a time by default, since once the user
    accepts it the next is judged on the choices it does not explain."""
    have: set[str] = set()
    for text in existing or []:
        check = understood_check(text)
        if check is not None:
            have.update(p.kind for p in (check.parts if check.kind == "all" else (check,)))
    valid = [c for c in choices if 0 <= c.chosen < len(c.texts) and len(c.texts) >= 2]
    valid = [c for c in valid if c.shown is None or c.shown != c.chosen][-window:]
    ev = {b.key: [_evidence(b, c) or (0, 0.0) for c in valid] for b in BEHAVIOURS}
    found: list[Proposal] = []
    explained = [False] * len(valid)
    left = list(BEHAVIOURS)
    while left and len(found) < limit:
        best: tuple[float, _Behaviour, list[int], int] | None = None
        for b in left:
            seen = [i for i in range(len(valid)) if not explained[i]]
            toward = [i for i in seen if ev[b.key][i][0] > 0]
            against = [i for i in seen if ev[b.key][i][0] < 0]
            n = len(toward)
            if n < MIN_CONSISTENT or n < MIN_SHARE * (n + len(against)):
                continue
            share = n / len(seen)
            chance = sum(ev[b.key][i][1] for i in seen) / len(seen)
            if share - chance < MIN_LIFT:
                continue
            strength = share - chance
            if best is None or strength > best[0]:
                best = (strength, b, toward, len(seen))
        if best is None:
            break
        _, b, toward, total = best
        left = [x for x in left if x.key != b.key and x.key != _OPPOSITE.get(b.key)]
        for i in toward:
            explained[i] = True
        text = b.text([b.measure(valid[i].texts[valid[i].chosen]) for i in toward])
        check = understood_check(text)
        if check is None or check.kind in have:
            continue
        n = len(toward)
        evidence = f"You picked {b.said} in {n} of your last {total} choices."
        found.append(Proposal(text, evidence, n, total, b.key, check.kind))
    return found
