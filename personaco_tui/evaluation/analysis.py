"""Section 4.2 / Figure 2 analysis of judgment rows (as `sessions.judgment_rows` returns).

- verdict counts (Figure 2 left);
- A's win rate over B among decisive verdicts (A or B), with a 95% Wilson interval and an
  exact two-sided sign test (binomial, p = 0.5);
- win rate by signal length in words (Figure 2 middle);
- TF-IDF of "query signal" per (item, signal) pair, k-means clusters with their top terms
  and win rates, and 2-D PCA coordinates (Figure 2 right; the paper's error analysis).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .verdicts import ALL_VERDICTS


def counts(verdicts: Iterable[str]) -> dict[str, int]:
    """How many of each of A, B, SAME, N/A, INVALID (every key present)."""
    c = Counter(verdicts)
    unknown = set(c) - set(ALL_VERDICTS)
    if unknown:
        raise ValueError(f"unknown verdict(s): {sorted(unknown)}")
    return {v: c.get(v, 0) for v in ALL_VERDICTS}


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials ((0, 1) when n = 0)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def sign_test_p(k: int, n: int) -> float:
    """Exact two-sided sign test: P(a split at least as uneven as k of n | p = 0.5)."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1))
    return min(1.0, float(2 * tail / 2**n))


@dataclass(frozen=True)
class WinRate:
    wins_a: int
    wins_b: int
    n: int  # decisive verdicts
    rate: float | None  # wins_a / n; None when n = 0
    low: float
    high: float
    p_value: float


def win_rate(verdicts: Iterable[str]) -> WinRate:
    c = counts(verdicts)
    a, b = c["A"], c["B"]
    n = a + b
    lo, hi = wilson_interval(a, n)
    return WinRate(a, b, n, a / n if n else None, lo, hi, sign_test_p(a, n))


@dataclass(frozen=True)
class LengthBin:
    label: str
    low: int  # words, inclusive
    high: int | None  # words, inclusive; None = no upper bound
    counts: dict[str, int]
    win: WinRate


def signal_words(signal: str) -> int:
    return len(signal.split())


def by_signal_length(
    rows: Sequence[Mapping[str, Any]], edges: Sequence[int] = (5, 10, 20)
) -> list[LengthBin]:
    """Verdicts grouped by the signal's length in words: 0-5, 6-10, 11-20, 21+ by default."""
    bounds: list[tuple[int, int | None]] = []
    lo = 0
    for e in sorted(edges):
        bounds.append((lo, e))
        lo = e + 1
    bounds.append((lo, None))
    out = []
    for low, high in bounds:
        vs = [
            r["verdict"]
            for r in rows
            if low <= signal_words(r["signal"])
            and (high is None or signal_words(r["signal"]) <= high)
        ]
        label = f"{low}-{high}" if high is not None else f"{low}+"
        out.append(LengthBin(label, low, high, counts(vs), win_rate(vs)))
    return out


@dataclass(frozen=True)
class Cluster:
    index: int
    size: int  # (item, signal) pairs
    top_terms: list[str]
    counts: dict[str, int]
    win: WinRate


@dataclass(frozen=True)
class Point:
    item_id: Any
    signal: str
    x: float
    y: float
    cluster: int | None
    verdicts: list[str]


@dataclass
class Clustering:
    clusters: list[Cluster] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    note: str = ""


def cluster_pairs(rows: Sequence[Mapping[str, Any]], k: int = 4, top_n: int = 5) -> Clustering:
    """TF-IDF of "query signal" for each distinct (item, signal) pair, k-means into
    min(k, pairs) clusters, and 2-D PCA coordinates. All of a pair's verdicts (both passes,
    every judge in `rows`) count towards its cluster."""
    pairs: dict[tuple[Any, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["item_id"], r["signal"])
        p = pairs.setdefault(key, {"text": f"{r['query']} {r['signal']}", "verdicts": []})
        p["verdicts"].append(r["verdict"])
    if not pairs:
        return Clustering(note="No judgments to cluster.")
    keys = list(pairs)
    texts = [pairs[k_]["text"] for k_ in keys]

    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english")
    try:
        X = vec.fit_transform(texts)
    except ValueError:
        points = [Point(key[0], key[1], 0.0, 0.0, None, pairs[key]["verdicts"]) for key in keys]
        return Clustering(
            points=points, note="The texts have no usable words (empty vocabulary): no clusters."
        )
    terms = vec.get_feature_names_out()
    n = X.shape[0]
    n_clusters = max(1, min(k, n))
    notes = []
    if n_clusters < k:
        notes.append(f"Only {n} pair(s): {n_clusters} cluster(s) instead of {k}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate points -> fewer distinct clusters
        km = KMeans(n_clusters=n_clusters, random_state=0, n_init=10).fit(X)
    labels = [int(x) for x in km.labels_]

    dense = X.toarray()
    n_comp = min(2, n, dense.shape[1])
    if n >= 2 and n_comp >= 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xy = PCA(n_components=n_comp, random_state=0).fit_transform(dense)
        coords = [(float(row[0]), float(row[1]) if n_comp > 1 else 0.0) for row in xy]
    else:
        coords = [(0.0, 0.0)] * n
        notes.append("Too few pairs for PCA: all points at the origin.")

    clusters = []
    for c in range(n_clusters):
        members = [i for i, lab in enumerate(labels) if lab == c]
        vs = [v for i in members for v in pairs[keys[i]]["verdicts"]]
        centre = km.cluster_centers_[c]
        order = sorted(range(len(terms)), key=lambda t: (-centre[t], terms[t]))
        top = [str(terms[t]) for t in order[:top_n] if centre[t] > 0]
        clusters.append(Cluster(c, len(members), top, counts(vs), win_rate(vs)))
    points = [
        Point(key[0], key[1], coords[i][0], coords[i][1], labels[i], pairs[key]["verdicts"])
        for i, key in enumerate(keys)
    ]
    return Clustering(clusters=clusters, points=points, note=" ".join(notes))


@dataclass(frozen=True)
class Report:
    counts: dict[str, int]
    win: WinRate
    by_length: list[LengthBin]
    clustering: Clustering


def analyse(rows: Sequence[Mapping[str, Any]], k: int = 4) -> Report:
    vs = [r["verdict"] for r in rows]
    return Report(counts(vs), win_rate(vs), by_signal_length(rows), cluster_pairs(rows, k))
