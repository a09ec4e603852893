"""A session's report: verdict counts, A's win rate, results by signal length and signal
clusters, each beside its terminal plot.

The analysis is `evaluation.analysis.analyse`, the same the CLI's `personaco eval report`
prints; it imports scikit-learn and fits k-means, so it runs in a thread worker and the
screen says "Analysing…" meanwhile. The plots draw `evaluation.plot_data`, as the CLI's PNG
files do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker

from ...errors import PersonacoError
from ...evaluation import analysis, plot_data
from ...evaluation import sessions as S
from ...evaluation.configs import describe
from ...evaluation.verdicts import ALL_VERDICTS
from ...store.db import Store
from ..widgets.plot import (
    PlotView,
    projection_scatter,
    verdict_bars,
    verdict_legend,
    verdict_style,
    win_rate_by_length,
)
from ..workers import WorkerErrors

JUDGE_FILTERS: tuple[str | None, ...] = (None, *S.JUDGE_KINDS)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


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
        table.add_row(Text(v, style=verdict_style(v)), str(counts[v]), share)
    return table


def win_text(w: analysis.WinRate) -> Text:
    text = Text("A win rate over B: ", style="bold")
    text.append(_pct(w.rate), style=verdict_style("A"))
    text.append(
        f"  (A {w.wins_a} · B {w.wins_b} of {w.n} decisive; 95% CI {_pct(w.low)}–"
        f"{_pct(w.high)}; sign test p = {w.p_value:.3g})"
    )
    return text


def _verdict_columns(table: Table) -> None:
    for v in ("A", "B", "SAME", "N/A"):
        table.add_column(Text(v, style=verdict_style(v)), justify="right")
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


class EvalReportScreen(WorkerErrors, Screen[None]):
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

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        # anything the worker did not expect (a bug, scikit-learn failing) becomes a message
        if worker.group != "eval-report":
            super().worker_failed(worker, message)
            return
        self.post_message(ReportFailed(self.wanted, f"The analysis failed: {message}"))

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
        head.append("A ", style=verdict_style("A"))
        head.append(f"= {describe(s.config_a)}\n")
        head.append("B ", style=verdict_style("B"))
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
        clusters: list[RenderableType] = [clusters_table(rep.clustering)]
        if rep.clustering.note:
            clusters += [Text(), Text(rep.clustering.note, style="italic")]
        self.query_one("#report-clusters-table", Static).update(Group(*clusters))
        self._plot(rep)

    def _plot(self, rep: analysis.Report) -> None:
        self.query_one("#plot-verdicts", PlotView).plot(verdict_bars(plot_data.verdict_bars(rep)))
        length = win_rate_by_length(plot_data.length_rows(rep))
        self.query_one("#plot-length", PlotView).plot(length)
        groups = plot_data.scatter_groups(rep)
        self.query_one("#plot-scatter", PlotView).plot(projection_scatter(groups))
        legend = verdict_legend(plot_data.legend(groups))
        self.query_one("#plot-scatter-legend", Static).update(legend)

    def _no_judgments(self, name: str) -> Text:
        text = Text(f"No judgments yet ({self._filter_label()}).\n\n", style="bold")
        text.append(
            "Rate the pairs yourself (r on the sessions list), or have a model judge them\n"
            "(j on the sessions list, J for the IFEval checkers), or from the command line:\n\n"
        )
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
