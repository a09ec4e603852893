"""Simulated users, PersonalLLM style: each user's hidden utility is a Dirichlet-weighted mix
of scorers, and the user's favourite candidate is the one with the highest utility.

The scorers are the *answer key* of the simulation, so none of them is a feature the learner
reads (core/learning/features.py): the IFEval checkers of the `eval` extra (if-verifiable)
and scorers written here independently, with their own counting (whitespace words, vowel-group
syllables, line prefixes without regular expressions, word lists for formality). They measure
some of the same tastes the features describe, which is the point, but by other means; a
learner that only echoed its own features would not follow them closely.

Every scorer returns a number in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .ifeval import Checkers

Scorer = Callable[[str], float]

# IFEval instructions used as tastes: (instruction id, its kwargs). Sentence counts are left
# out: IFEval counts sentences with NLTK's punkt data, which is not installed offline.
IFEVAL_SCORERS: dict[str, tuple[str, dict[str, Any]]] = {
    "ifeval_no_comma": ("punctuation:no_comma", {}),
    "ifeval_under_80_words": (
        "length_constraints:number_words",
        {"num_words": 80, "relation": "less than"},
    ),
    "ifeval_at_least_120_words": (
        "length_constraints:number_words",
        {"num_words": 120, "relation": "at least"},
    ),
    "ifeval_highlighted": (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 1},
    ),
}

_VOWELS = set("aeiouy")
_CASUAL = {"hey", "cool", "awesome", "gonna", "wanna", "stuff", "yeah", "okay", "ok", "wow"}
_FORMAL = {"therefore", "however", "furthermore", "moreover", "consequently", "thus"}


def _tokens(text: str) -> list[str]:
    return text.split()


def _syllables(word: str) -> int:
    w = "".join(c for c in word.lower() if c.isalpha())
    if not w:
        return 0
    groups, prev = 0, False
    for c in w:
        vowel = c in _VOWELS
        groups += vowel and not prev
        prev = vowel
    if w.endswith("e") and groups > 1:
        groups -= 1
    return max(1, groups)


def brevity(text: str) -> float:
    return 1.0 / (1.0 + len(_tokens(text)) / 50.0)


def verbosity(text: str) -> float:
    return min(1.0, len(_tokens(text)) / 250.0)


def reading_ease(text: str) -> float:
    """Flesch reading ease (vowel-group syllables), mapped from [0, 100] to [0, 1]."""
    words = [t for t in _tokens(text) if any(c.isalpha() for c in t)]
    if not words:
        return 0.0
    ends = sum(text.count(p) for p in ".!?") or 1
    syl = sum(_syllables(w) for w in words)
    score = 206.835 - 1.015 * (len(words) / ends) - 84.6 * (syl / len(words))
    return min(1.0, max(0.0, score / 100.0))


def _list_share(text: str) -> float:
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return 0.0

    def is_item(ln: str) -> bool:
        if ln[:2] in ("- ", "* ", "+ ") or ln.startswith("• "):
            return True
        head = ln.split(" ", 1)[0]
        return len(head) > 1 and head[:-1].isdigit() and head[-1] in ".)"

    return sum(is_item(ln) for ln in lines) / len(lines)


def listy(text: str) -> float:
    return min(1.0, 2.0 * _list_share(text))


def prose(text: str) -> float:
    return 1.0 if _list_share(text) == 0.0 else 0.0


def code(text: str) -> float:
    return 1.0 if "```" in text or text.count("`") >= 2 else 0.0


def informality(text: str) -> float:
    toks = [t.strip(".,;:!?\"'()").lower() for t in _tokens(text)]
    if not toks:
        return 0.0
    marks = sum("'" in t or "’" in t for t in toks) + text.count("!")
    marks += sum(t in _CASUAL for t in toks) + sum(t in ("you", "your") for t in toks)
    marks -= sum(t in _FORMAL for t in toks)
    return min(1.0, max(0.0, 8.0 * marks / len(toks)))


def formality(text: str) -> float:
    return 1.0 - informality(text)


def asks_back(text: str) -> float:
    tail = text.strip()
    while tail and tail[-1] in "*_\"')]":
        tail = tail[:-1].rstrip()
    return 1.0 if tail.endswith("?") else 0.0


OWN_SCORERS: dict[str, Scorer] = {
    "brevity": brevity,
    "verbosity": verbosity,
    "easy_reading": reading_ease,
    "hard_reading": lambda t: 1.0 - reading_ease(t) if t.strip() else 0.0,
    "lists": listy,
    "prose": prose,
    "code": code,
    "formal": formality,
    "casual": informality,
    "asks_back": asks_back,
}


def _ifeval(checkers: Checkers, check: dict[str, Any]) -> Scorer:
    return lambda text: 1.0 if checkers.passed(text, check) else 0.0


def scorers(checkers: Checkers | None) -> dict[str, Scorer]:
    """Every scorer by name: the IFEval ones when their checkers are installed, then ours."""
    out: dict[str, Scorer] = {}
    if checkers is not None:
        for name, (iid, kwargs) in IFEVAL_SCORERS.items():
            out[name] = _ifeval(checkers, {"instruction_id": iid, "kwargs": kwargs})
    out.update(OWN_SCORERS)
    return out


def score_matrix(texts: list[str], named: Mapping[str, Scorer]) -> list[list[float]]:
    """Each text's score under each scorer (rows: texts; columns: `named` in order)."""
    return [[float(s(t)) for s in named.values()] for t in texts]


@dataclass(frozen=True)
class User:
    """A simulated user: a weight per scorer (summing to 1)."""

    uid: int
    weights: dict[str, float]
    hidden: str | None = None  # the one checkable preference, for proposal precision

    def utilities(self, names: list[str], matrix: list[list[float]]) -> list[float]:
        w = [self.weights.get(n, 0.0) for n in names]
        return [sum(a * b for a, b in zip(w, row, strict=True)) for row in matrix]
