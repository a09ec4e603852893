"""Evaluation sessions in the TUI: the list of sessions, and a session's report (verdict
counts, A's win rate, results by signal length, signal clusters) with terminal plots.

The analysis is `evaluation.analysis.analyse`, the same the CLI's `personaco eval report`
prints; it imports scikit-learn and fits k-means, so it runs in a thread worker and the
screen says "Analysing…" meanwhile.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ...errors import PersonacoError
from ...evaluation import analysis
from ...evaluation import sessions as S
from ...evaluation.configs import describe
from ...evaluation.verdicts import ALL_VERDICTS
from ...store.db import Store, guarded
from .rating import RatingScreen

# One colour per verdict, shared by the tables and the plots (xterm-256 numbers, which both
# plotext and rich understand), so a verdict looks the same everywhere on the screen.
VERDICT_COLOURS = {"A": 39, "B": 208, "SAME": 178, "N/A": 245, "INVALID": 160, "mixed": 141}
JUDGE_FILTERS: tuple[str | None, ...] = (None, *S.JUDGE_KINDS)


def _style(verdict: str) -> str:
    return f"bold color({VERDICT_COLOURS[verdict]})"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


# -- the sessions list ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    id: int
    name: str
    config_a: str
    config_b: str
    items: int
    pairs: int  # (item, signal) pairs
    outputs_a: int
    outputs_b: int
    judgments: dict[str, int] = field(default_factory=dict)  # by judge kind


@guarded
def session_summaries(store: Store) -> list[SessionSummary]:
    """Every session with its progress, newest first. sessions.py has no listing, so the
    screen counts here, with three aggregate queries rather than one per session."""
    db = store.db
    per_items = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT i.session_id, count(*), sum(json_array_length(i.signals_json)), "
            "sum(EXISTS (SELECT 1 FROM eval_outputs o WHERE o.item_id = i.id AND o.side = 'A')), "
            "sum(EXISTS (SELECT 1 FROM eval_outputs o WHERE o.item_id = i.id AND o.side = 'B')) "
            "FROM eval_items i GROUP BY i.session_id"
        ).fetchall()
    }
    judged: dict[int, dict[str, int]] = {}
    for sid, kind, n in db.execute(
        "SELECT i.session_id, j.judge_kind, count(*) FROM judgments j "
        "JOIN eval_items i ON i.id = j.item_id GROUP BY i.session_id, j.judge_kind"
    ).fetchall():
        judged.setdefault(sid, {})[kind] = n
    out = []
    for sid, name, cfg_a, cfg_b in db.execute(
        "SELECT id, name, config_a, config_b FROM eval_sessions ORDER BY id DESC"
    ).fetchall():
        items, pairs, out_a, out_b = per_items.get(sid, (0, 0, 0, 0))
        out.append(
            SessionSummary(
                sid,
                name,
                describe(json.loads(cfg_a)),
                describe(json.loads(cfg_b)),
                items,
                pairs or 0,
                out_a or 0,
                out_b or 0,
                judged.get(sid, {}),
            )
        )
    return out


EMPTY_SESSIONS = (
    "No evaluation sessions yet.\n\n"
    'Create one from a JSONL file of items (one {"id", "query", "signals": [...]} per '
    "line) and two method configurations:\n\n"
    "    personaco eval create NAME --items FILE --a CONFIG --b CONFIG\n"
    "    (for example --a baseline --b personaco:k=8,reflector=auto)\n\n"
    "then generate both methods' answers:\n\n"
    "    personaco eval run NAME\n\n"
    "and come back here to rate the pairs (r) or read the report (v)."
)


class EvalSessionsScreen(Screen[None]):
    """Every evaluation session; r rates the highlighted one, Enter/v opens its report."""

    BINDINGS = [
        Binding("r", "rate", "Rate"),
        Binding("v", "report", "Report", key_display="enter/v"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, store: Store, rater: str = "you") -> None:
        super().__init__()
        self.store = store
        self.rater = rater
        self.summaries: list[SessionSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True, id="sessions-table")
        yield Static(EMPTY_SESSIONS, id="sessions-empty", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Evaluation sessions"
        table = self.query_one(DataTable)
        for label, key in (
            ("Session", "name"),
            ("A", "a"),
            ("B", "b"),
            ("Items", "items"),
            ("Pairs", "pairs"),
            ("Outputs A · B", "outputs"),
            ("Judgments", "judgments"),
        ):
            table.add_column(label, key=key)
        self.refresh_sessions()

    def on_screen_resume(self) -> None:
        # back from rating or a report: the counts have moved on
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        try:
            self.summaries = session_summaries(self.store)
        except PersonacoError as e:
            self.notify(e.message, title="Evaluation sessions", severity="error")
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for s in self.summaries:
            judged = " · ".join(f"{k} {n}" for k, n in sorted(s.judgments.items())) or "none"
            table.add_row(
                s.name,
                s.config_a,
                s.config_b,
                str(s.items),
                str(s.pairs),
                f"{s.outputs_a}/{s.items} · {s.outputs_b}/{s.items}",
                judged,
                key=str(s.id),
            )
        empty = not self.summaries
        table.display = not empty
        self.query_one("#sessions-empty").display = empty
        if not empty:
            table.move_cursor(row=min(row, len(self.summaries) - 1))
            table.focus()
        self.refresh_bindings()

    @property
    def highlighted(self) -> SessionSummary | None:
        if not self.summaries:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.summaries[row] if 0 <= row < len(self.summaries) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "report"):
            return bool(self.summaries)
        return True

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_report()

    def action_rate(self) -> None:
        s = self.highlighted
        if s is not None:
            self.app.push_screen(RatingScreen(self.store, s.id, rater=self.rater))

    def action_report(self) -> None:
        s = self.highlighted
        if s is not None:
            self.app.push_screen(EvalReportScreen(self.store, s.id))

    def action_leave(self) -> None:
        self.dismiss(None)


# -- plots -----------------------------------------------------------------------------------

PlotDrawer = Callable[[int, int], str]


def _figure(width: int, height: int, title: str):  # -> plotext's figure
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


def _count_ticks(fig, top: int) -> None:
    """Whole-number ticks on the y axis: counts of 0.5 verdicts read as a bug."""
    top = max(top, 1)
    steps = sorted({round(top * i / 4) for i in range(5)})
    fig.ruler("y").lim(0, top)
    fig.ruler("y").ticks(steps)


def verdict_bars(counts: dict[str, int]) -> PlotDrawer:
    """Figure 2 left: how many of each verdict (INVALID only when there are some). The
    counts go in the axis labels: plotext's in-bar labels are hard to read on coloured bars."""
    from plotext import marker, pixel

    shown = [v for v in ALL_VERDICTS if v != "INVALID" or counts.get(v)]

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "Verdicts")
        marks = [marker("full", pixel(VERDICT_COLOURS[v])) for v in shown]
        labels = [f"{v} {counts.get(v, 0)}" for v in shown]
        fig.draw(fig.bar(labels, [counts.get(v, 0) for v in shown], marker=marks))
        _count_ticks(fig, max(counts.values(), default=0))
        return fig.build().string()

    return draw


def win_rate_by_length(bins: Sequence[analysis.LengthBin]) -> PlotDrawer:
    """Figure 2 middle: A's win rate (%) per signal-length bin over its decisive verdicts
    (n), with a dotted line at 50%: no difference between the methods."""
    from plotext import marker, pixel

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "A win rate % by signal words (n = A + B verdicts)")
        x = list(range(1, len(bins) + 1))
        # a segment rather than plotext's line(): that one paints a white background
        fig.draw(fig.segment([0.5, len(bins) + 0.5], [50, 50], marker=marker("·", pixel(245))))
        heights = [100 * b.win.rate if b.win.rate is not None else 0.0 for b in bins]
        fig.draw(fig.bar(x, heights, marker=marker("full", pixel(VERDICT_COLOURS["A"]))))
        fig.ruler("x").ticks(x, [f"{b.label} n={b.win.n}" for b in bins])
        fig.ruler("y").lim(0, 100)
        fig.ruler("y").ticks([0, 25, 50, 75, 100])
        return fig.build().string()

    return draw


def point_verdict(verdicts: Sequence[str]) -> str:
    """A pair's colour on the projection: its most frequent verdict, "mixed" on a tie."""
    top = Counter(verdicts).most_common(2)
    if not top:
        return "mixed"
    if len(top) == 2 and top[0][1] == top[1][1]:
        return "mixed"
    return top[0][0]


def projection_scatter(points: Sequence[analysis.Point]) -> PlotDrawer:
    """Figure 2 right: each (item, signal) pair at its 2-D PCA position, coloured by verdict."""
    from plotext import marker, pixel

    groups: dict[str, list[analysis.Point]] = {}
    for p in points:
        groups.setdefault(point_verdict(p.verdicts), []).append(p)

    def draw(width: int, height: int) -> str:
        fig = _figure(width, height, "Pairs (TF-IDF, PCA) coloured by verdict")
        for v in VERDICT_COLOURS:  # a fixed order keeps colours and the legend stable
            if v in groups:
                sig = fig.signal(
                    [p.x for p in groups[v]],
                    [p.y for p in groups[v]],
                    marker=marker("●", pixel(VERDICT_COLOURS[v])),
                )
                fig.draw(sig)  # the legend is a line under the plot: plotext's covers points
        return fig.build().string()

    return draw


def verdict_legend(points: Sequence[analysis.Point]) -> Text:
    """The scatter's legend: each colour shown, with how many pairs it marks."""
    shown = Counter(point_verdict(p.verdicts) for p in points)
    text = Text("  ")
    for v in VERDICT_COLOURS:
        if shown[v]:
            text.append("● ", style=_style(v))
            text.append(f"{v} {shown[v]}   ")
    text.append("(a pair's most frequent verdict; mixed = a tie)", style="dim")
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

    def __init__(self, drawer: PlotDrawer | None = None, **kwargs) -> None:
        super().__init__("", **kwargs)
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


# -- the report ------------------------------------------------------------------------------


@dataclass
class ReportReady(Message):
    """The analysis finished in the worker, for the judge filter `wanted`."""

    wanted: tuple[str | None, str | None]
    session: S.Session
    judgments: int
    by_kind: dict[str, int]
    report: analysis.Report


@dataclass
class ReportFailed(Message):
    wanted: tuple[str | None, str | None]
    error: str


def _table(title: str) -> Table:
    # no box and no outer padding: the report sits in half a terminal beside its plot
    return Table(title=title, title_justify="left", box=None, pad_edge=False, expand=False)


def counts_table(counts: dict[str, int]) -> Table:
    total = sum(counts.values())
    table = _table("Verdicts")
    table.add_column("verdict")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    for v in ALL_VERDICTS:
        share = f"{100 * counts[v] / total:.1f}%" if total else "–"
        table.add_row(Text(v, style=_style(v)), str(counts[v]), share)
    return table


def win_text(w: analysis.WinRate) -> Text:
    text = Text("A win rate over B: ", style="bold")
    text.append(_pct(w.rate), style=_style("A"))
    text.append(
        f"  (A {w.wins_a} · B {w.wins_b} of {w.n} decisive; 95% CI {_pct(w.low)}–"
        f"{_pct(w.high)}; sign test p = {w.p_value:.3g})"
    )
    return text


def _verdict_columns(table: Table) -> None:
    for v in ("A", "B", "SAME", "N/A"):
        table.add_column(Text(v, style=_style(v)), justify="right")
    table.add_column("A win", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("p", justify="right")


def _verdict_cells(counts: dict[str, int], w: analysis.WinRate) -> list[str]:
    return [
        *(str(counts[v]) for v in ("A", "B", "SAME", "N/A")),
        _pct(w.rate),
        f"{100 * w.low:.1f}–{100 * w.high:.1f}%" if w.n else "–",
        f"{w.p_value:.3g}" if w.n else "–",
    ]


def length_table(bins: Sequence[analysis.LengthBin]) -> Table:
    table = _table("By signal length (words)")
    table.add_column("words")
    table.add_column("judged", justify="right")
    _verdict_columns(table)
    for b in bins:
        table.add_row(b.label, str(sum(b.counts.values())), *_verdict_cells(b.counts, b.win))
    return table


def clusters_table(clustering: analysis.Clustering) -> Table:
    table = _table("Signal clusters (TF-IDF, k-means)")
    table.add_column("#")
    table.add_column("pairs", justify="right")
    table.add_column("top terms")
    _verdict_columns(table)
    for c in clustering.clusters:
        table.add_row(
            str(c.index + 1),
            str(c.size),
            ", ".join(c.top_terms) or "–",
            *_verdict_cells(c.counts, c.win),
        )
    return table


class EvalReportScreen(Screen[None]):
    """A session's analysis. `judge_kind` (and `judge_model`) restrict it to one judge;
    `j` cycles through all judges, external, human and verifiable."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    BINDINGS = [
        Binding("escape,q", "leave", "Back"),
        Binding("j", "cycle_judge", "Judge filter"),
        Binding("ctrl+r", "refresh", "Refresh"),
    ]

    def __init__(
        self,
        store: Store,
        session: int | str,
        judge_kind: str | None = None,
        judge_model: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.session_ref = session
        self.judge_kind = judge_kind
        self.judge_model = judge_model
        self.result: ReportReady | None = None
        self.loaded = False  # the worker has answered (with a report or an error)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="report-body"):
            yield Static("", id="report-head")
            yield Static("Analysing…", id="report-message")
            with Horizontal(classes="report-section", id="report-verdicts"):
                yield Static("", id="report-summary", classes="report-table")
                yield PlotView(id="plot-verdicts")
            with Horizontal(classes="report-section", id="report-length"):
                yield Static("", id="report-length-table", classes="report-table")
                yield PlotView(id="plot-length")
            # the clusters table is wide and the scatter wants room: one above the other
            with Vertical(classes="report-section", id="report-clusters"):
                yield Static("", id="report-clusters-table")
                yield PlotView(id="plot-scatter")
                yield Static("", id="plot-scatter-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Evaluation report"
        self._show_sections(False)
        self.analyse()

    def _filter_label(self) -> str:
        if self.judge_kind is None:
            return "all judges"
        return self.judge_kind + (f" ({self.judge_model})" if self.judge_model else "")

    def _show_sections(self, show: bool) -> None:
        for section in self.query(".report-section"):
            section.display = show
        self.query_one("#report-message").display = not show

    @work(thread=True, exclusive=True, exit_on_error=False, group="eval-report")
    def analyse(self) -> None:
        wanted = self.wanted
        try:
            session = S.get_session(self.store, self.session_ref)
            every = S.judgment_rows(self.store, session.id)
            rows = S.judgment_rows(self.store, session.id, *wanted)
            report = analysis.analyse(rows)
        except PersonacoError as e:
            self.post_message(ReportFailed(wanted, e.message))
            return
        by_kind = dict(Counter(r["judge_kind"] for r in every))
        self.post_message(ReportReady(wanted, session, len(rows), by_kind, report))

    @property
    def wanted(self) -> tuple[str | None, str | None]:
        return (self.judge_kind, self.judge_model)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # anything the worker did not expect (a bug, scikit-learn failing) becomes a message
        if event.worker.group == "eval-report" and event.state == WorkerState.ERROR:
            error = f"The analysis failed: {event.worker.error}"
            self.post_message(ReportFailed(self.wanted, error))

    def on_report_failed(self, event: ReportFailed) -> None:
        if event.wanted != self.wanted:
            return  # a thread worker cannot be stopped: an older filter's answer is dropped
        self.loaded = True
        self.notify(event.error, title="Report", severity="error")
        self._show_sections(False)
        self.query_one("#report-message", Static).update(Text(event.error, style="bold red"))

    def on_report_ready(self, event: ReportReady) -> None:
        if event.wanted != self.wanted:
            return
        self.result = event
        self.loaded = True
        s, rep = event.session, event.report
        self.sub_title = s.name
        head = Text(f"Session {s.name}\n", style="bold")
        head.append("A ", style=_style("A"))
        head.append(f"= {describe(s.config_a)}\n")
        head.append("B ", style=_style("B"))
        head.append(f"= {describe(s.config_b)}\n")
        kinds = " · ".join(f"{k} {n}" for k, n in sorted(event.by_kind.items())) or "none yet"
        head.append(f"Judgments: {event.judgments} shown ({self._filter_label()}; ")
        head.append(f"all: {kinds})", style="dim")
        self.query_one("#report-head", Static).update(head)
        if event.judgments == 0:
            self._show_sections(False)
            self.query_one("#report-message", Static).update(self._no_judgments(s.name))
            for plot in self.query(PlotView):
                plot.plot(None)
            return
        self._show_sections(True)
        self.query_one("#report-summary", Static).update(
            Group(counts_table(rep.counts), Text(), win_text(rep.win))
        )
        self.query_one("#report-length-table", Static).update(length_table(rep.by_length))
        clusters: list = [clusters_table(rep.clustering)]
        if rep.clustering.note:
            clusters += [Text(), Text(rep.clustering.note, style="italic")]
        self.query_one("#report-clusters-table", Static).update(Group(*clusters))
        self.query_one("#plot-verdicts", PlotView).plot(verdict_bars(rep.counts))
        self.query_one("#plot-length", PlotView).plot(win_rate_by_length(rep.by_length))
        points = rep.clustering.points
        self.query_one("#plot-scatter", PlotView).plot(projection_scatter(points))
        self.query_one("#plot-scatter-legend", Static).update(verdict_legend(points))

    def _no_judgments(self, name: str) -> Text:
        text = Text(f"No judgments yet ({self._filter_label()}).\n\n", style="bold")
        text.append("Rate the pairs yourself (r on the sessions list), or have a model judge:\n\n")
        text.append(
            f"    personaco eval run {name} --judge-base-url URL --judge-model MODEL\n\n",
            style="bold",
        )
        text.append("j changes the judge filter · Esc back", style="dim")
        return text

    def action_cycle_judge(self) -> None:
        i = JUDGE_FILTERS.index(self.judge_kind) if self.judge_kind in JUDGE_FILTERS else 0
        self.judge_kind = JUDGE_FILTERS[(i + 1) % len(JUDGE_FILTERS)]
        self.judge_model = None
        self.action_refresh()

    def action_refresh(self) -> None:
        self.loaded = False
        self.query_one("#report-message", Static).update("Analysing…")
        self._show_sections(False)
        self.analyse()

    def action_leave(self) -> None:
        self.dismiss(None)
