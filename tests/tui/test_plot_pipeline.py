"""The PNG scatter (`personaco eval report`) and the TUI's terminal scatter draw the same plot
data: for the same judgments they give each pair the same class, the same colour and the
same legend. The data has the case two classifications used to disagree on: a pair judged A
twice by one judge and B by another is mixed, not A."""

from __future__ import annotations

import re

from matplotlib.colors import to_hex
from rich.color import Color

from personaco_tui.evaluation import analysis, plot_data, plots
from personaco_tui.tui.widgets.plot import projection_scatter, verdict_legend

ROWS = [
    # x: A in both orders from the external judge, B from a person: mixed
    {"item_id": "x", "query": "rivers flow", "signal": "Be brief", "verdict": "A"},
    {"item_id": "x", "query": "rivers flow", "signal": "Be brief", "verdict": "A"},
    {"item_id": "x", "query": "rivers flow", "signal": "Be brief", "verdict": "B"},
    # w: A shown first, B once the order is swapped (--passes 2): mixed
    {"item_id": "w", "query": "owls hoot", "signal": "Use a haiku", "verdict": "A"},
    {"item_id": "w", "query": "owls hoot", "signal": "Use a haiku", "verdict": "B"},
    # y: A twice, z: SAME once
    {"item_id": "y", "query": "cats purr", "signal": "No jargon please", "verdict": "A"},
    {"item_id": "y", "query": "cats purr", "signal": "No jargon please", "verdict": "A"},
    {"item_id": "z", "query": "dogs bark", "signal": "Write a poem", "verdict": "SAME"},
]
# (label, colour) for these rows, written out: xterm 39 blue, 178 gold, 141 purple
EXPECTED = [("A 1", "#00afff"), ("SAME 1", "#d7af00"), ("mixed 2", "#af87ff")]
CLASS_OF = {"x": "mixed", "w": "mixed", "y": "A", "z": "SAME"}


def xterm_hex(n: int) -> str:
    return "#{:02x}{:02x}{:02x}".format(*Color.from_ansi(n).get_truecolor())


def png_legend(rep: analysis.Report) -> list[tuple[str, str]]:
    ax = plots.clusters_figure(rep).axes[0]
    legend = ax.get_legend()
    return [
        (text.get_text(), to_hex(handle.get_facecolor()[0], keep_alpha=False))
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
    ]


def png_classes(rep: analysis.Report) -> dict[str, str]:
    """Each pair's colour on the PNG, found by its position, as the class of that colour."""
    by_hex = {c.hex: v for v, c in plot_data.VERDICT_COLOURS.items()}
    ax = plots.clusters_figure(rep).axes[0]
    at = {}
    for coll in ax.collections:
        colour = by_hex[to_hex(coll.get_facecolor()[0], keep_alpha=False)]
        for x, y in coll.get_offsets():
            at[(round(float(x), 6), round(float(y), 6))] = colour
    return {p.item_id: at[(round(p.x, 6), round(p.y, 6))] for p in rep.clustering.points}


def terminal_legend(rep: analysis.Report) -> list[tuple[str, str]]:
    """The TUI legend's entries: each coloured bullet and the words after it."""
    text = verdict_legend(plot_data.legend(plot_data.scatter_groups(rep)))
    out = []
    for span in text.spans:
        m = re.search(r"color\((\d+)\)", str(span.style))
        if m:
            out.append((text.plain[span.end :].split("   ")[0], xterm_hex(int(m[1]))))
    return out


def test_png_and_terminal_agree_on_classes_colours_and_legend():
    rep = analysis.analyse(ROWS, k=2)
    assert png_legend(rep) == EXPECTED
    assert terminal_legend(rep) == EXPECTED
    assert png_classes(rep) == CLASS_OF
    # the terminal scatter draws exactly the legend's colours
    drawn = projection_scatter(plot_data.scatter_groups(rep))(60, 20)
    used = {int(n) for n in re.findall(r"\x1b\[38;5;(\d+)m", drawn)}
    assert {xterm_hex(n) for n in used} == {colour for _, colour in EXPECTED}


def test_each_colour_is_its_xterm_entry():
    # the PNG draws `hex`, the terminal `xterm`: they must be the same colour
    for colour in (*plot_data.VERDICT_COLOURS.values(), plot_data.GUIDE):
        assert colour.hex == xterm_hex(colour.xterm), colour
