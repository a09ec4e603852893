"""Consensus among candidate answers: how much each one says what the others say.

Used to break ties in the pick. When several answers satisfy the same signals (common when
rules decide every cell), the one closest to the rest is the typical answer, and a
degenerate one ("The sky blue.") or one that wanders off shares little with the others.
This is minimum-Bayes-risk selection with a word-overlap similarity: cheap, deterministic,
and independent of the model, which at 135M parameters judges its own answers worse than
chance."""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The text's words, case-folded (any script, numbers too)."""
    return _WORD.findall(text.casefold())


def _bag(text: str) -> Counter[str]:
    words_ = words(text)
    bag = Counter(words_)
    bag.update(f"{a} {b}" for a, b in zip(words_, words_[1:], strict=False))
    return bag


def _cosine(a: Counter[str], b: Counter[str], norm_a: float, norm_b: float) -> float:
    if not norm_a or not norm_b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(n * large[w] for w, n in small.items()) / (norm_a * norm_b)


def consensus(texts: list[str]) -> list[float]:
    """For each text, its mean similarity (cosine of word and word-pair counts) to the other
    texts, in [0, 1]; 0 for an empty text, and for every text when there is only one."""
    bags = [_bag(t) for t in texts]
    norms = [math.sqrt(sum(n * n for n in b.values())) for b in bags]
    n = len(texts)
    if n < 2:
        return [0.0] * n
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sims[i][j] = sims[j][i] = _cosine(bags[i], bags[j], norms[i], norms[j])
    return [sum(row) / (n - 1) for row in sims]


def similarity_to(anchor: str, texts: list[str]) -> list[float]:
    """Each text's similarity (the same cosine) to one `anchor` text, in [0, 1]."""
    a = _bag(anchor)
    na = math.sqrt(sum(n * n for n in a.values()))
    out = []
    for t in texts:
        b = _bag(t)
        out.append(_cosine(b, a, math.sqrt(sum(n * n for n in b.values())), na))
    return out


def rank_scores(values: list[float]) -> list[float]:
    """Each value's rank among `values`, scaled to [0, 1] (lowest 0, highest 1; equal values
    share their mean rank; 0.5 for every value when there is one or all are equal)."""
    n = len(values)
    if n < 2 or len(set(values)) == 1:
        return [0.5] * n
    order = sorted(range(n), key=lambda i: values[i])
    ranks = [0.0] * n
    start = 0
    while start < n:
        end = start
        while end + 1 < n and values[order[end + 1]] == values[order[start]]:
            end += 1
        for p in range(start, end + 1):
            ranks[order[p]] = (start + end) / 2 / (n - 1)
        start = end + 1
    return ranks
