"""`personaco simulate`: learning curves on simulated users (issue 14, PersonalLLM style).

A population of users is drawn (sim_users.py: Dirichlet-weighted mixes of scorers the
learner never reads). Each user gets their own split of the query set's turns into a
training pool and a test set. After n picks (n in CHECKPOINTS) the user's model is fitted
from their first n favourites exactly as the app fits a profile's model (core/learning.fit on
the same features, used by core.personaco.choose the same way, only once MIN_CHOICES exist),
and on the test turns we count how often the default pick is one of the user's favourites.
Lines: `learned` (that), `no learning` (the pick without a model) and `random` (the chance
that a random candidate is a favourite). Intervals are 95 % bootstrap intervals over users.

Behaviour proposals are measured on a second population: users with one hidden checkable
preference (plus a little of a random mix), who pick their favourite over the app's default
pick on their training turns; precision is the share of proposals made that name the hidden
preference.

Results are stored in the data dir (simulate/NAME/): the cached candidates, one JSONL line
per finished user (a rerun resumes from them), results.json and curve.png.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.learning import BehaviourChoice, Choice, ChoiceSet, behaviour_proposals, featurize
from ..core.learning import fit as fit_model
from ..core.personaco import choose
from ..core.types import Generation
from .sim_users import User, score_matrix

CHECKPOINTS = (0, 5, 10, 20, 50)
MIN_CHOICES = 5  # the app's threshold (personaco_tui/learning.py MIN_CHOICES)
# Hidden checkable preferences for proposal precision: the scorer that realises each, and
# the behaviour a correct proposal names.
HIDDEN: dict[str, tuple[tuple[str, ...], str]] = {
    "short": (("ifeval_under_80_words", "brevity"), "shorter"),
    "long": (("ifeval_at_least_120_words", "verbosity"), "longer"),
    "no_commas": (("ifeval_no_comma",), "no_commas"),
    "lists": (("lists",), "lists"),
    "no_lists": (("prose",), "no_lists"),
    "asks_back": (("asks_back",), "question_back"),
}
HIDDEN_SHARE = 0.75


@dataclass
class Turn:
    """One cached turn, prepared once for every user: features and the scorers' matrix."""

    qid: str
    texts: list[str]
    finished: list[bool]
    features: list[dict[str, float]]
    scores: list[list[float]]

    @classmethod
    def of(cls, qid: str, gen: Generation, named: dict[str, Callable[[str], float]]) -> Turn:
        cs = ChoiceSet.of(gen)
        return cls(qid, cs.texts, cs.finished, featurize(cs), score_matrix(cs.texts, named))

    def pick(self, utilities: list[float] | None) -> int:
        """The app's default pick (no signals) with these learned utilities, or none."""
        best, _ = choose([], len(self.texts), None, self.finished, self.texts, utilities)
        return best

    def favourites(self, utilities: list[float]) -> set[int]:
        top = max(utilities)
        return {i for i, u in enumerate(utilities) if u >= top - 1e-9}


def draw_users(names: list[str], n: int, alpha: float, seed: int) -> list[User]:
    rng = random.Random(seed)
    users = []
    for uid in range(n):
        g = [rng.gammavariate(alpha, 1.0) for _ in names]
        total = sum(g) or 1.0
        users.append(User(uid, {nm: x / total for nm, x in zip(names, g, strict=True)}))
    return users


def usable_hidden(names: list[str], turns: list[Turn], min_share: float = 0.25) -> dict[str, str]:
    """The hidden kinds a user could show on these turns, with the scorer that realises
    each: the first of its scorers that tells candidates apart in at least `min_share` of
    the turns (answers of at most 128 tokens never reach "at least 120 words", say)."""
    out: dict[str, str] = {}
    for kind, (cands, _) in HIDDEN.items():
        for scorer in cands:
            if scorer not in names or not turns:
                continue
            j = names.index(scorer)
            varied = sum(len({round(row[j], 6) for row in t.scores}) > 1 for t in turns)
            if varied >= min_share * len(turns):
                out[kind] = scorer
                break
    return out


def draw_hidden_users(
    names: list[str], n: int, alpha: float, seed: int, kinds: dict[str, str]
) -> list[User]:
    """Users with one hidden checkable preference (HIDDEN_SHARE of the utility) on top of a
    random mix, cycling through `kinds` (kind -> its scorer, see usable_hidden)."""
    rng = random.Random(seed + 1)
    order = sorted(kinds)
    users = []
    for uid in range(n if order else 0):
        kind = order[uid % len(order)]
        g = [rng.gammavariate(alpha, 1.0) for _ in names]
        total = sum(g) or 1.0
        w = {nm: (1 - HIDDEN_SHARE) * x / total for nm, x in zip(names, g, strict=True)}
        w[kinds[kind]] += HIDDEN_SHARE
        users.append(User(uid, w, hidden=kind))
    return users


def _split(turns: list[Turn], n_test: int, seed: int) -> tuple[list[Turn], list[Turn]]:
    order = list(turns)
    random.Random(seed).shuffle(order)
    return order[n_test:], order[:n_test]


def _stream(pool: list[Turn], n: int, seed: int) -> list[Turn]:
    """The turns a user picks on, in order: the training pool shuffled, and when more picks
    are asked for than the pool holds, the pool again in a new order (noted in results)."""
    rng = random.Random(seed)
    out: list[Turn] = []
    while len(out) < n and pool:
        more = list(pool)
        rng.shuffle(more)
        out += more
    return out[:n]


def curve_for(
    user: User,
    names: list[str],
    turns: list[Turn],
    n_test: int,
    seed: int,
    l2: float,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
) -> dict[str, Any]:
    """One user's agreement at each checkpoint, with the no-learning and random lines."""
    pool, test = _split(turns, n_test, seed * 7919 + user.uid)
    utils = {t.qid: user.utilities(names, t.scores) for t in turns}
    favs = {t.qid: t.favourites(utils[t.qid]) for t in turns}
    choices = [
        Choice(t.features, min(favs[t.qid]), "sim")
        for t in _stream(pool, max(checkpoints), seed + user.uid)
    ]
    base = [t.pick(None) in favs[t.qid] for t in test]
    rand = [len(favs[t.qid]) / len(t.texts) for t in test]
    learned: dict[str, float] = {}
    for n in checkpoints:
        model = fit_model(choices[:n], l2=l2) if n >= MIN_CHOICES else None
        hits = [
            t.pick(None if model is None else model.utilities(t.features)) in favs[t.qid]
            for t in test
        ]
        learned[str(n)] = sum(hits) / len(hits)
    return {
        "uid": user.uid,
        "weights": {k: round(v, 4) for k, v in user.weights.items()},
        "learned": learned,
        "no_learning": sum(base) / len(base),
        "random": sum(rand) / len(rand),
    }


def proposals_for(
    user: User, names: list[str], turns: list[Turn], n_turns: int, seed: int
) -> dict[str, Any]:
    """The proposals a user with a hidden preference gets after `n_turns` picks, and
    whether each names that preference."""
    pool, _ = _split(turns, 0, seed * 104729 + user.uid)
    seen = []
    for t in pool[:n_turns]:
        u = user.utilities(names, t.scores)
        fav = min(t.favourites(u))
        seen.append(BehaviourChoice(t.texts, fav, t.pick(None)))
    want = HIDDEN[user.hidden or ""][1]
    made = behaviour_proposals(seen)
    return {
        "uid": user.uid,
        "hidden": user.hidden,
        "proposals": [
            {
                "text": p.text,
                "behaviour": p.behaviour,
                "evidence": p.evidence,
                "correct": p.behaviour == want,
            }
            for p in made
        ],
    }


def bootstrap(values: list[float], reps: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """The mean and its 95 % percentile bootstrap interval."""
    if not values:
        return (float("nan"),) * 3
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(rng.choice(values) for _ in range(n)) / n for _ in range(reps))
    return sum(values) / n, means[int(0.025 * reps)], means[int(0.975 * reps) - 1]


@dataclass
class SimResult:
    curve: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # line -> n -> ci
    precision: tuple[float, float, float] | None = None
    n_proposals: int = 0
    n_users: int = 0
    n_hidden_users: int = 0
    recall: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "curve": self.curve,
            "proposal_precision": self.precision,
            "proposals": self.n_proposals,
            "users": self.n_users,
            "hidden_users": self.n_hidden_users,
            "proposal_recall": self.recall,
            "settings": self.settings,
        }


def summarise(
    curves: list[dict[str, Any]], props: list[dict[str, Any]], settings: dict[str, Any]
) -> SimResult:
    res = SimResult(n_users=len(curves), n_hidden_users=len(props), settings=settings)
    ns = sorted({int(n) for c in curves for n in c["learned"]})
    res.curve["learned"] = {
        str(n): list(bootstrap([c["learned"][str(n)] for c in curves if str(n) in c["learned"]]))
        for n in ns
    }
    for line in ("no_learning", "random"):
        ci = list(bootstrap([c[line] for c in curves]))
        res.curve[line] = {str(n): ci for n in ns}
    flags = [float(p["correct"]) for u in props for p in u["proposals"]]
    res.n_proposals = len(flags)
    res.precision = bootstrap(flags) if flags else None
    if props:
        res.recall = sum(any(p["correct"] for p in u["proposals"]) for u in props) / len(props)
    return res


def load_lines(path: Path) -> list[dict[str, Any]]:
    """The finished users of an earlier run (a torn last line is dropped)."""
    if not path.exists():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(raw))
        except json.JSONDecodeError:
            continue
    return out
