"""Figure 2 of the paper from an `analysis.Report` as PNG images drawn with matplotlib, and
as a summary CSV (`summary_rows`: one row for the whole session, one per length bin, one per
cluster).

The figures draw `plot_data`, the same plot data (colours, pair classes, legend) the TUI's
terminal plots draw, so a PNG and the screen cannot disagree about a pair.

`write_report_files` writes verdicts.png, win_rate_by_length.png, clusters_pca.png and
summary.csv, each atomically. Drawing uses matplotlib's Agg canvas on a `Figure` it owns
(no pyplot, no global state, no display needed), imported only when images are written.
Nothing here is random: the analysis fixes its seeds, so the same judgments give the same
files. Any report draws, including one with no judgments (a figure saying so).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis import Report, WinRate
from .export import ExportError, write_bytes, write_table
from .plot_data import (
    GUIDE,
    LEGEND_NOTE,
    VERDICT_COLOURS,
    cluster_labels,
    legend,
    length_rows,
    scatter_groups,
    verdict_bars,
)
from .verdicts import ALL_VERDICTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FILES = ("verdicts.png", "win_rate_by_length.png", "clusters_pca.png", "summary.csv")
SUMMARY_HEADER: tuple[str, ...] = (
    "section",  # overall | length | cluster
    "key",  # all | the length bin ("0-5", "21+") | the cluster index
    "judgments",
    *ALL_VERDICTS,
    "decisive",  # A + B
    "a_win_rate",  # A / (A + B); empty when no decisive verdict
    "ci_low",
    "ci_high",
    "sign_test_p",
    "pairs",  # (item, signal) pairs in a cluster; empty for the other sections
    "top_terms",  # a cluster's top TF-IDF terms, space-separated
)


# ---------------------------------------------------------------------------- summary.csv


def _num(x: float | None) -> float | str:
    return "" if x is None else round(x, 4)


def _row(
    section: str,
    key: str,
    counts: dict[str, int],
    win: WinRate,
    pairs: int | str = "",
    terms: str = "",
) -> list[Any]:
    return [
        section,
        key,
        sum(counts.values()),
        *(counts[v] for v in ALL_VERDICTS),
        win.n,
        _num(win.rate),
        _num(win.low),
        _num(win.high),
        _num(win.p_value),
        pairs,
        terms,
    ]


def summary_rows(rep: Report) -> list[list[Any]]:
    """The summary table (columns SUMMARY_HEADER): "overall", then one "length" row per
    bin, then one "cluster" row per cluster."""
    rows = [_row("overall", "all", rep.counts, rep.win)]
    rows += [_row("length", b.label, b.counts, b.win) for b in rep.by_length]
    rows += [
        _row("cluster", str(c.index), c.counts, c.win, c.size, " ".join(c.top_terms))
        for c in rep.clustering.clusters
    ]
    return rows


# ---------------------------------------------------------------------------- matplotlib


def _figure(width: float = 6.4, height: float = 4.2) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _no_data(ax: Any, text: str = "No judgments yet") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def verdicts_figure(rep: Report, title: str = "") -> Figure:
    bars = verdict_bars(rep)
    fig = _figure()
    ax = fig.add_subplot()
    ax.set_title(title or "Verdicts")
    if sum(bars.values) == 0:
        _no_data(ax)
        return fig
    rects = ax.bar(bars.labels, bars.values, color=[c.hex for c in bars.colours])
    ax.bar_label(rects, padding=2)
    ax.set_ylabel("judgments")
    ax.set_xlabel("verdict (A, B: which method satisfies the signal better)")
    ax.margins(y=0.15)
    return fig


def length_figure(rep: Report, title: str = "") -> Figure:
    rows = length_rows(rep)
    fig = _figure(6.4, 5.6)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.set_title(title or "Win rate by signal length")
    labels = [r.label for r in rows]
    xs = list(range(len(rows)))
    if not any(r.judgments for r in rows):
        _no_data(top)
        _no_data(bottom)
        return fig
    decided = [(x, r, r.win_rate) for x, r in zip(xs, rows, strict=True) if r.win_rate is not None]
    if decided:
        top.errorbar(
            [x for x, _, _ in decided],
            [w for _, _, w in decided],
            yerr=[
                [max(0.0, w - r.low) for _, r, w in decided],
                [max(0.0, r.high - w) for _, r, w in decided],
            ],
            fmt="o",
            color=VERDICT_COLOURS["A"].hex,
            capsize=4,
        )
        for x, r, w in decided:
            top.annotate(
                f"n={r.decisive}", (x, w), textcoords="offset points", xytext=(8, -3), fontsize=8
            )
    top.axhline(0.5, color=GUIDE.hex, linewidth=0.8, linestyle="--")
    top.set_ylim(-0.05, 1.1)
    top.set_ylabel("A win rate (95% CI)")
    bottom_acc = [0] * len(rows)
    for v in ALL_VERDICTS:
        vals = [r.counts[v] for r in rows]
        if any(vals):
            bottom.bar(xs, vals, bottom=bottom_acc, color=VERDICT_COLOURS[v].hex, label=v)
            bottom_acc = [a + b for a, b in zip(bottom_acc, vals, strict=True)]
    bottom.set_ylabel("judgments")
    bottom.set_xlabel("signal length (words)")
    bottom.set_xticks(xs, labels)
    bottom.legend(fontsize=8, ncols=5, loc="upper right")
    bottom.margins(y=0.25)
    return fig


def clusters_figure(rep: Report, title: str = "") -> Figure:
    labels = cluster_labels(rep)
    notes = [lab.text for lab in labels] + ([rep.clustering.note] if rep.clustering.note else [])
    fig = _figure(6.4, 5.0 + 0.17 * len(notes))
    ax, key = fig.subplots(2, 1, height_ratios=[5.0, 0.2 + 0.17 * len(notes)])
    key.axis("off")
    ax.set_title(title or "TF-IDF of query + signal, PCA, coloured by verdict")
    groups = scatter_groups(rep)
    if not groups:
        _no_data(ax)
        return fig
    for g, entry in zip(groups, legend(groups), strict=True):
        ax.scatter(g.xs, g.ys, s=22, alpha=0.8, color=entry.colour.hex, label=entry.label, zorder=2)
    for lab in labels:  # the cluster's number at its centre; its terms in the key below
        ax.annotate(
            f"#{lab.index}",
            (lab.x, lab.y),
            fontsize=8,
            ha="center",
            va="center",
            zorder=3,
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8, "lw": 0.4},
        )
    key.text(0.0, 1.0, "\n".join(notes), va="top", ha="left", fontsize=8, transform=key.transAxes)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.legend(fontsize=8, loc="best", title=LEGEND_NOTE, title_fontsize=8)
    ax.margins(0.08)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    # no "Software" version stamp: the same report gives the same bytes on any matplotlib
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def write_summary_csv(rep: Report, path: str | Path) -> Path:
    return write_table(SUMMARY_HEADER, summary_rows(rep), path)


def write_report_files(rep: Report, out_dir: str | Path, title: str = "") -> list[Path]:
    """The three figures and summary.csv in `out_dir` (created if needed), each written
    atomically; returns their paths in FILES order."""
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(
            f"Cannot create the folder {folder} ({e.strerror or e}).", "Pass another --out."
        ) from None
    prefix = f"{title}: " if title else ""
    figs = (
        (verdicts_figure, "verdicts"),
        (length_figure, "win rate of A by signal length"),
        (clusters_figure, "signal clusters (TF-IDF, PCA)"),
    )
    paths = []
    for (draw, what), name in zip(figs, FILES, strict=False):
        paths.append(write_bytes(png_bytes(draw(rep, prefix + what)), folder / name))
    paths.append(write_summary_csv(rep, folder / FILES[3]))
    return paths
