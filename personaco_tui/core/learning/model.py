"""What this user prefers among candidates: a conditional-logit model over the interpretable
features of features.py, fitted from their choices.

A choice is one choice set (the k answers of a turn, or the two answers A and B of a blind
rating) and the index the user preferred. The model says P(user picks i | set) =
softmax(w . x_i): features are centred within each set (only differences between the
candidates of one turn carry information), scaled by their spread over all the choices seen,
and w is fitted by Newton's method with an L2 penalty (`l2`), which keeps the model close to
"no preference" until choices agree. With two candidates per set this is Bradley-Terry.

`describe()` says the largest weights in words; `to_json`/`from_json` are the stored form.
Pure: numpy only, no store and no UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .features import FEATURES, SIGNAL_PREFIX

if TYPE_CHECKING:
    import numpy as np

MODEL_VERSION = 1
DEFAULT_L2 = 1.0
# A standardised weight below this is not said in words: too weak to call a preference.
DESCRIBE_MIN = 0.25
SAME_AS = {"words": "log_words"}  # said in words as one preference


@dataclass
class Choice:
    """One observed preference: the candidates' features and the index the user chose."""

    features: list[dict[str, float]]
    chosen: int
    source: str = "pick"  # "pick" (the why view) | "rating" (a blind A/B rating) | "sim"


@dataclass
class PreferenceModel:
    weights: dict[str, float] = field(default_factory=dict)  # per unit of the raw feature
    scale: dict[str, float] = field(default_factory=dict)  # the spread used to standardise
    n_choices: int = 0
    l2: float = DEFAULT_L2
    train_agreement: float | None = None  # how often it ranks the chosen one first

    def utility(self, features: dict[str, float]) -> float:
        return sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def utilities(self, rows: list[dict[str, float]]) -> list[float]:
        return [self.utility(r) for r in rows]

    def standardised(self) -> dict[str, float]:
        """Each weight times its feature's spread: comparable across features."""
        return {n: w * self.scale.get(n, 1.0) for n, w in self.weights.items()}

    def describe(self, top: int = 4) -> list[str]:
        """The strongest learned preferences in words, strongest first. Features that
        measure one thing two ways (the word count and its log) are said once, summed."""
        merged: dict[str, float] = {}
        for n, w in self.standardised().items():
            key = SAME_AS.get(n, n)
            merged[key] = merged.get(key, 0.0) + w
        strong = sorted(
            ((n, w) for n, w in merged.items() if abs(w) >= DESCRIBE_MIN),
            key=lambda nw: -abs(nw[1]),
        )[:top]
        return [_words(n, w) for n, w in strong]

    def summary(self) -> str:
        """One sentence: "You tend to prefer shorter answers and answers with an example." """
        parts = self.describe()
        if not parts:
            return f"No clear preference yet ({self.n_choices} choices)."
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"You tend to prefer {said} (from {self.n_choices} choices)."

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MODEL_VERSION,
            "kind": "conditional-logit",
            "n_choices": self.n_choices,
            "l2": self.l2,
            "train_agreement": self.train_agreement,
            "weights": dict(sorted(self.weights.items())),
            "scale": dict(sorted(self.scale.items())),
        }

    @classmethod
    def from_json(cls, data: Any) -> PreferenceModel:
        """The stored form back; raises ValueError on anything else."""
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            raise ValueError("not a stored preference model (version 1)")
        weights, scale = data.get("weights"), data.get("scale")
        if not isinstance(weights, dict) or not isinstance(scale, dict):
            raise ValueError("a preference model needs weights and scale objects")
        agreement = data.get("train_agreement")
        return cls(
            weights={str(k): float(v) for k, v in weights.items()},
            scale={str(k): float(v) for k, v in scale.items()},
            n_choices=int(data.get("n_choices", 0)),
            l2=float(data.get("l2", DEFAULT_L2)),
            train_agreement=None if agreement is None else float(agreement),
        )


def _words(name: str, w: float) -> str:
    if name.startswith(SIGNAL_PREFIX):
        signal = name[len(SIGNAL_PREFIX) :]
        return (
            f'answers that satisfy "{signal}"'
            if w > 0
            else f'answers that don\'t follow "{signal}" closely'
        )
    pos, neg = FEATURES.get(name, (f"more {name}", f"less {name}"))
    return pos if w > 0 else neg


def _sets(choices: list[Choice], names: list[str]) -> list[tuple[np.ndarray, int]]:
    import numpy as np

    out = []
    for c in choices:
        x = np.array([[row.get(n, 0.0) for n in names] for row in c.features], dtype=float)
        out.append((x - x.mean(axis=0, keepdims=True), c.chosen))
    return out


def fit(choices: list[Choice], l2: float = DEFAULT_L2, iterations: int = 30) -> PreferenceModel:
    """The L2-regularised conditional-logit fit. Choices with fewer than two candidates, or
    whose chosen index is out of range, carry no information and are skipped."""
    import numpy as np

    usable = [c for c in choices if len(c.features) >= 2 and 0 <= c.chosen < len(c.features)]
    names = sorted({n for c in usable for row in c.features for n in row})
    if not usable or not names:
        return PreferenceModel(n_choices=len(usable), l2=l2)
    sets = _sets(usable, names)
    spread = np.sqrt(np.mean(np.concatenate([x**2 for x, _ in sets]), axis=0))
    spread[spread < 1e-9] = 1.0
    zs = [(x / spread, y) for x, y in sets]
    d = len(names)
    w = np.zeros(d)
    for _ in range(iterations):
        grad = l2 * w
        hess = l2 * np.eye(d)
        for z, y in zs:
            u = z @ w
            p = np.exp(u - u.max())
            p /= p.sum()
            grad += z.T @ p - z[y]
            hess += z.T @ (np.diag(p) - np.outer(p, p)) @ z
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    hits = sum(int(np.argmax(z @ w)) == y for z, y in zs)
    return PreferenceModel(
        weights={n: float(wi / s) for n, wi, s in zip(names, w, spread, strict=True)},
        scale={n: float(s) for n, s in zip(names, spread, strict=True)},
        n_choices=len(usable),
        l2=l2,
        train_agreement=hits / len(zs),
    )
