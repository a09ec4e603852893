"""Terminal plots of Figure 2, drawn with plotext from `evaluation.plot_data`: the same
colours, pair classes and legend as the PNG files `personaco eval report` writes.

A drawer is a function of the widget's size that returns plotext's ANSI text; `PlotView`
calls it again whenever it is resized.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from ...evaluation.plot_data import (
    GUIDE,
    LEGEND_NOTE,
    VERDICT_COLOURS,
    Bars,
    LegendEntry,
    LengthRow,
    ScatterGroup,
)
from ...evaluation.verdicts import INVALID

PlotDrawer = Callable[[int, int], str]


def verdict_style(verdict: str) -> str:
    """The rich style of a verdict's name in tables and legends: its plot colour."""
    return f"bold color({VERDICT_COLOURS[verdict].xterm})"


def _figure(width: int, height: int, title: str) -> Any:  # plotext ships no types
    """plotext's one shared figure, cleared and sized. plotext keeps its figure in module
    state, so plots are only ever built on the UI thread, one at a time."""
    import plotext as plt

    # plotext caps plots at the size of the terminal it sees (80 x 24 when it is not a tty,
    # as under Textual); the widget decides the size here
    plt.terminal.limit(False, False)
    fig = plt.figure
    fig.clear()
    fig.plot_size(width, height)
    fig.theme("simple")  # no colours on the frame: the app's theme shows through
    fig.title(title)
    return fig


def _count_ticks(fig: Any, top: int) -> None:
    """Whole-number ticks on the y axis: counts of 0.5 verdicts read as a bug."""
    top = max(top, 1)
    steps = sorted({round(top * i / 4) for i in range(5)})
    fig.ruler("y").lim(0, top)
    fig.ruler("y").ticks(steps)


def verdict_bars(bars: Bars) -> PlotDrawer:
    """Figure 2 left: how many of each verdict. INVALID only when there are some: a terminal
    has little width to spare. The counts go in the axis labels: plotext's in-bar labels are
    hard to read on coloured bars."""
    from plotext import marker, pixel

    shown = [
        (v, n, c)
        for v, n, c in zip(bars.labels, bars.values, bars.colours, strict=True)
        if v != INVALID or n
    ]

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "Verdicts")
        marks = [marker("full", pixel(c.xterm)) for _, _, c in shown]
        labels = [f"{v} {n}" for v, n, _ in shown]
        fig.draw(fig.bar(labels, [n for _, n, _ in shown], marker=marks))
        _count_ticks(fig, max(bars.values, default=0))
        return str(fig.build().string())

    return draw


def win_rate_by_length(rows: Sequence[LengthRow]) -> PlotDrawer:
    """Figure 2 middle: A's win rate (%) per signal-length bin over its decisive verdicts
    (n), with a dotted line at 50%: no difference between the methods."""
    from plotext import marker, pixel

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "A win rate % by signal words (n = A + B verdicts)")
        x = list(range(1, len(rows) + 1))
        # a segment rather than plotext's line(): that one paints a white background
        guide = marker("·", pixel(GUIDE.xterm))
        fig.draw(fig.segment([0.5, len(rows) + 0.5], [50, 50], marker=guide))
        heights = [100 * r.win_rate if r.win_rate is not None else 0.0 for r in rows]
        fig.draw(fig.bar(x, heights, marker=marker("full", pixel(VERDICT_COLOURS["A"].xterm))))
        fig.ruler("x").ticks(x, [f"{r.label} n={r.decisive}" for r in rows])
        fig.ruler("y").lim(0, 100)
        fig.ruler("y").ticks([0, 25, 50, 75, 100])
        return str(fig.build().string())

    return draw


def projection_scatter(groups: Sequence[ScatterGroup]) -> PlotDrawer:
    """Figure 2 right: each (item, signal) pair at its 2-D PCA position, one colour per
    group, in the groups' order."""
    from plotext import marker, pixel

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "Pairs (TF-IDF, PCA) coloured by verdict")
        for g in groups:
            sig = fig.signal(g.xs, g.ys, marker=marker("●", pixel(g.colour.xterm)))
            fig.draw(sig)  # the legend is a line under the plot: plotext's covers points
        return str(fig.build().string())

    return draw


def verdict_legend(entries: Sequence[LegendEntry]) -> Text:
    """The scatter's legend: each colour shown, with how many pairs it marks."""
    text = Text("  ")
    for e in entries:
        text.append("● ", style=verdict_style(e.verdict))
        text.append(f"{e.label}   ")
    text.append(f"({LEGEND_NOTE})", style="dim")
    return text


class PlotView(Static):
    """A plotext plot drawn to fit the widget, redrawn when the widget is resized."""

    DEFAULT_CSS = """
    PlotView {
        height: 16;
        width: 1fr;
        min-width: 30;
    }
    """

    def __init__(
        self,
        drawer: PlotDrawer | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.drawer = drawer
        self._drawn_at: tuple[int, int] | None = None

    def plot(self, drawer: PlotDrawer | None) -> None:
        self.drawer = drawer
        self._drawn_at = None
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        width, height = self.content_size
        if self.drawer is None or width < 10 or height < 5:
            self.update("")
            return
        if self._drawn_at == (width, height):
            return
        self._drawn_at = (width, height)
        try:
            ansi = self.drawer(width, height)
        except Exception as e:  # plotext is a third-party renderer: show, never crash
            self.update(Text(f"(plot unavailable: {e})", style="dim"))
            return
        self.update(Text.from_ansi(ansi, no_wrap=True, overflow="crop"))
