"""Figure 2 of the paper as headless plot data, the one pipeline both renderings draw from:
the PNG files (`plots`, matplotlib) and the TUI's report (`tui.widgets.plot`, plotext).

Everything a reader compares between the two is decided here once: the colour of each
verdict, how an (item, signal) pair is classified on the scatter plot, the groups of points
and the legend's entries. A renderer only places what it is given.

- `verdict_bars`: verdict counts (Figure 2 left);
- `length_rows`: verdicts and A's win rate with its 95% interval per signal-length bin
  (Figure 2 middle);
- `scatter_groups` / `legend` / `cluster_labels`: the 2-D PCA of the TF-IDF embeddings, one
  group of points per pair class, its legend, and where each k-means cluster sits (Figure 2
  right).

A pair is classified by `pair_verdict`: its verdict when all its judgments agree, "mixed"
when they do not. A pair judged A in one order and B in the swapped order (--passes 2) is
the judge contradicting itself, and so is A from one judge and B from another; a majority
over two or three judgments would hide exactly the disagreement the plot is there to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .analysis import Report
from .verdicts import ALL_VERDICTS

MIXED = "mixed"  # a pair whose judgments disagree (e.g. the two passes)
POINT_KINDS: tuple[str, ...] = (*ALL_VERDICTS, MIXED)
LEGEND_NOTE = "mixed: the pair's judgments disagree"


@dataclass(frozen=True)
class Colour:
    """One colour in the two forms the renderers take: a terminal draws xterm-256 numbers
    (plotext and rich both understand them), matplotlib draws "#rrggbb". `hex` is the
    xterm palette's own value for `xterm`, so a PNG and the terminal show the same colour."""

    xterm: int
    hex: str


# Blue against orange for the two methods: a pair that stays apart for red-green
# colour-blind readers. Only xterm-256 entries, so that no terminal has to approximate.
VERDICT_COLOURS: dict[str, Colour] = {
    "A": Colour(39, "#00afff"),
    "B": Colour(208, "#ff8700"),
    "SAME": Colour(178, "#d7af00"),
    "N/A": Colour(245, "#8a8a8a"),
    "INVALID": Colour(160, "#d70000"),
    MIXED: Colour(141, "#af87ff"),
}
GUIDE = Colour(245, "#8a8a8a")  # the 50% line: no difference between the methods


@dataclass(frozen=True)
class Bars:
    labels: list[str]
    values: list[int]

    @property
    def colours(self) -> list[Colour]:
        return [VERDICT_COLOURS[v] for v in self.labels]


def verdict_bars(rep: Report) -> Bars:
    """Figure 2 left: how many judgments got each verdict, in A, B, SAME, N/A, INVALID order."""
    return Bars(list(ALL_VERDICTS), [rep.counts[v] for v in ALL_VERDICTS])


@dataclass(frozen=True)
class LengthRow:
    label: str  # signal length in words, e.g. "6-10"
    judgments: int
    counts: dict[str, int]
    win_rate: float | None  # A's share of the decisive verdicts; None when there are none
    low: float
    high: float
    decisive: int


def length_rows(rep: Report) -> list[LengthRow]:
    """Figure 2 middle: per signal-length bin, the verdict counts and A's win rate."""
    return [
        LengthRow(
            b.label,
            sum(b.counts.values()),
            dict(b.counts),
            b.win.rate,
            b.win.low,
            b.win.high,
            b.win.n,
        )
        for b in rep.by_length
    ]


def pair_verdict(verdicts: Sequence[str]) -> str:
    """A pair's class on the scatter plot: its verdict when all its judgments agree, else
    "mixed" (see the module's docstring for why not the most frequent verdict)."""
    distinct = set(verdicts)
    if len(distinct) == 1:
        return next(iter(distinct))
    return MIXED


@dataclass(frozen=True)
class ScatterGroup:
    verdict: str  # one of POINT_KINDS
    xs: list[float]
    ys: list[float]
    signals: list[str]

    @property
    def colour(self) -> Colour:
        return VERDICT_COLOURS[self.verdict]


def scatter_groups(rep: Report) -> list[ScatterGroup]:
    """Figure 2 right: the pairs' 2-D coordinates grouped by `pair_verdict` (empty groups
    left out), in POINT_KINDS order: a fixed order keeps colours and the legend stable."""
    groups: dict[str, ScatterGroup] = {k: ScatterGroup(k, [], [], []) for k in POINT_KINDS}
    for p in rep.clustering.points:
        g = groups[pair_verdict(p.verdicts)]
        g.xs.append(p.x)
        g.ys.append(p.y)
        g.signals.append(p.signal)
    return [g for g in groups.values() if g.xs]


@dataclass(frozen=True)
class LegendEntry:
    verdict: str
    count: int  # pairs in the group
    colour: Colour

    @property
    def label(self) -> str:
        return f"{self.verdict} {self.count}"


def legend(groups: Sequence[ScatterGroup]) -> list[LegendEntry]:
    """The scatter plot's legend: one entry per group drawn, with how many pairs it marks."""
    return [LegendEntry(g.verdict, len(g.xs), g.colour) for g in groups]


@dataclass(frozen=True)
class ClusterLabel:
    index: int
    x: float  # the mean position of its pairs in the 2-D projection
    y: float
    text: str  # "#0 terms, here (A 50%)"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def cluster_labels(rep: Report) -> list[ClusterLabel]:
    """Where to write each cluster's top terms and win rate on the scatter plot."""
    out = []
    for c in rep.clustering.clusters:
        pts = [p for p in rep.clustering.points if p.cluster == c.index]
        if not pts:
            continue
        x = sum(p.x for p in pts) / len(pts)
        y = sum(p.y for p in pts) / len(pts)
        terms = ", ".join(c.top_terms[:3]) or "-"
        out.append(ClusterLabel(c.index, x, y, f"#{c.index} {terms} (A {_pct(c.win.rate)})"))
    return out
