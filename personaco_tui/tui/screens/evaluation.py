"""Evaluation sessions in the TUI: the list of sessions, and a session's report (verdict
counts, A's win rate, results by signal length, signal clusters) with terminal plots.

The analysis is `evaluation.analysis.analyse`, the same the CLI's `personaco eval report`
prints; it imports scikit-learn and fits k-means, so it runs in a thread worker and the
screen says "Analysing…" meanwhile.
"""

from __future__ import annotations

import json
import threading
import time
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
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ...engines.base import CancelToken
from ...errors import Cancelled, PersonacoError
from ...evaluation import actions, analysis, runner
from ...evaluation import sessions as S
from ...evaluation.configs import describe
from ...evaluation.verdicts import ALL_VERDICTS
from ...runtime import Runtime
from ...store.db import Store, guarded
from .eval_forms import CreateSessionScreen
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
    "Press c to create one from a JSONL file of items (one "
    '{"id", "query", "signals": [...]} per line) and two method configurations, '
    "or from the command line:\n\n"
    "    personaco eval create NAME --items FILE --a CONFIG --b CONFIG\n"
    "    (for example --a baseline --b personaco:k=8,reflector=auto)\n\n"
    "then generate both methods' answers (g here, or personaco eval run NAME)\n"
    "and rate the pairs (r), have a judge rate them (j, or J for the IFEval checkers),\n"
    "or read the report (v)."
)

NO_RUNTIME = "{what} needs the app's model and settings, which this screen was not given."
NO_JUDGE_URL = (
    "No judge server is set: set the judge's base URL and model in F3 Settings "
    "(judge.base_url, judge.model), or press J for the verifiable judge."
)


@dataclass
class RunStarted(Message):
    """A generate or judge step has its list of work: `total` outputs or verdicts."""

    step: str  # "generate" | "judge"
    total: int
    label: str  # e.g. "external · judge-x"


@dataclass
class RunProgress(Message):
    step: str
    done: int
    total: int
    what: str  # runner's description of the finished unit, e.g. "volcano A"


@dataclass
class RunFinished(Message):
    step: str
    session: str
    summary: runner.RunSummary
    label: str = ""


@dataclass
class RunFailed(Message):
    step: str
    error: str


def _elapsed(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


class EvalSessionsScreen(Screen[None]):
    """Every evaluation session. c creates one, g generates the highlighted session's missing
    outputs, j/J judge them (external server / IFEval checkers), r rates them blind, Enter/v
    opens the report; x (or Esc) cancels a running step.

    Generating and judging need the runtime (settings, model) and the app's engine lock: the
    one model is shared with the chat's workers. Built with a store alone, the screen still
    lists, creates, rates and reports, and says so when g or j is pressed."""

    DEFAULT_CSS = """
    EvalSessionsScreen #sessions-table {
        height: 1fr;
    }
    EvalSessionsScreen #run-status {
        height: 1;
        padding: 0 1;
    }
    EvalSessionsScreen #run-line {
        width: 1fr;
    }
    EvalSessionsScreen #run-bar {
        width: auto;
    }
    """
    BINDINGS = [
        Binding("c", "create", "New", tooltip="New session from an items file"),
        Binding("g", "generate", "Generate", tooltip="Generate the missing A and B answers"),
        Binding("j", "judge('external')", "Judge", tooltip="Judge with the judge server (F3)"),
        Binding(
            "J,shift+j",
            "judge('verifiable')",
            "Verifiable",
            key_display="J",
            tooltip="Judge with the IFEval checkers",
        ),
        Binding("r", "rate", "Rate"),
        Binding("v", "report", "Report", key_display="enter/v"),
        Binding("x", "cancel_run", "Cancel run", tooltip="Cancel generating or judging"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(
        self,
        store: Store,
        runtime: Runtime | None = None,
        engine_lock: threading.Lock | None = None,
        *,
        rater: str = "you",
    ) -> None:
        super().__init__()
        self.store = store
        self.rt = runtime
        # without the app's lock a private one still keeps this screen's own runs apart
        self.engine_lock = engine_lock or threading.Lock()
        self.rater = rater
        self.summaries: list[SessionSummary] = []
        self._cancel: CancelToken | None = None  # set while a step runs
        self._run: tuple[str, str, float] | None = None  # (step, label, started)
        self._progress: tuple[int, int, str] = (0, 0, "")  # done, total, what
        self._clock: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True, id="sessions-table")
        yield Static(EMPTY_SESSIONS, id="sessions-empty", markup=False)
        with Horizontal(id="run-status"):
            yield Static("", id="run-line", markup=False)
            yield ProgressBar(show_eta=False, id="run-bar")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Evaluation sessions"
        self.query_one("#run-status").display = False
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

    def on_unmount(self) -> None:
        # a thread worker cannot be killed: the token makes it stop after the current unit
        if self._cancel is not None:
            self._cancel.cancel()

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

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "report", "generate", "judge"):
            return bool(self.summaries)
        if action == "cancel_run":
            return self.running
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
        if self.running:  # Esc first stops the step; a second Esc leaves
            self.action_cancel_run()
            return
        self.dismiss(None)

    # -- creating ------------------------------------------------------------------------

    def action_create(self) -> None:
        def created(made: actions.Created | None) -> None:
            if made is None:
                return
            self.refresh_sessions()
            row = next((i for i, s in enumerate(self.summaries) if s.id == made.id), None)
            if row is not None:
                self.query_one(DataTable).move_cursor(row=row)
            self.notify(
                f"Created session with {made.items} item(s): A = {describe(made.config_a)}, "
                f"B = {describe(made.config_b)}. g generates the answers.",
                title="Evaluation sessions",
            )

        self.app.push_screen(CreateSessionScreen(self.store), created)

    # -- generating and judging ------------------------------------------------------------

    def _can_run(self, what: str) -> SessionSummary | None:
        s = self.highlighted
        if s is None:
            return None
        if self.rt is None:
            self.notify(NO_RUNTIME.format(what=what), severity="warning")
            return None
        if self.running:
            self.notify("A step is already running; x cancels it.", severity="warning")
            return None
        return s

    def action_generate(self) -> None:
        s = self._can_run("Generating")
        if s is not None:
            self._start("generate", "")
            self.run_step("generate", s.id, "", self._cancel)

    def action_judge(self, kind: str) -> None:
        s = self._can_run("Judging")
        if s is not None:
            self._start("judge", kind)
            self.run_step("judge", s.id, kind, self._cancel)

    def action_cancel_run(self) -> None:
        if self._cancel is not None and not self._cancel.cancelled:
            self._cancel.cancel()
            self._render_run(note="cancelling…")

    def _start(self, step: str, label: str) -> None:
        self._cancel = CancelToken()
        self._run = (step, label, time.monotonic())
        self._progress = (0, 0, "")
        self.query_one("#run-status").display = True
        self.query_one("#run-bar", ProgressBar).update(total=None, progress=0)
        self._render_run()
        self._clock = self.set_interval(0.5, self._render_run)
        self.refresh_bindings()

    def _stop(self) -> None:
        self._cancel = None
        self._run = None
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        self.query_one("#run-status").display = False
        self.refresh_sessions()  # also refreshes the footer's bindings

    def _render_run(self, note: str = "") -> None:
        if self._run is None:
            return
        step, label, started = self._run
        done, total, what = self._progress
        if step == "generate":
            key, _, side = what.rpartition(" ")
            head = f"Generating {side} {done}/{total}" if what else f"Generating 0/{total}"
            detail = f" · {key}" if key else ""
        else:
            head, detail = f"Judging ({label}) {done}/{total}", ""
        cancel = self._cancel
        note = note or ("cancelling…" if cancel is not None and cancel.cancelled else "x cancels")
        elapsed = _elapsed(time.monotonic() - started)
        self.query_one("#run-line", Static).update(f"{head}{detail} · {elapsed} · {note}")

    @work(thread=True, exclusive=True, exit_on_error=False, group="eval-run")
    def run_step(self, step: str, session_id: int, kind: str, cancel: CancelToken) -> None:
        """One step in a thread: every UI change goes through post_message."""
        assert self.rt is not None
        rt = self.rt

        def progress(done: int, total: int, what: str) -> None:
            self.post_message(RunProgress(step, done, total, what))

        try:
            name = S.get_session(rt.store, session_id).name
            if step == "generate":
                summary = self._generate(rt, session_id, cancel, progress)
                label = ""
            else:
                judge = actions.make_judge(rt.settings.judge, kind)
                if judge is None:
                    self.post_message(RunFailed(step, NO_JUDGE_URL))
                    return
                label = f"{judge.kind} · {judge.model}"
                with judge:
                    # failed requests are stored as INVALID; judging again redoes them, as
                    # `personaco eval run --retry-errors` does
                    total = len(
                        S.pending_judgments(
                            rt.store, session_id, judge.kind, judge.model, retry_errors=True
                        )
                    )
                    self.post_message(RunStarted(step, total, label))
                    summary = runner.judge_session(
                        rt.store,
                        session_id,
                        judge,
                        retry_errors=True,
                        on_progress=progress,
                        cancel=cancel,
                    )
        except PersonacoError as e:
            self.post_message(RunFailed(step, e.message))
            return
        self.post_message(RunFinished(step, name, summary, label))

    def _generate(
        self, rt: Runtime, session_id: int, cancel: CancelToken, progress: runner.SessionProgressFn
    ) -> runner.RunSummary:
        total = len(S.pending_outputs(rt.store, session_id))
        self.post_message(RunStarted("generate", total, ""))
        # the chat may be answering with the same model: wait for it, but stay cancellable
        while not self.engine_lock.acquire(timeout=0.2):
            if cancel.cancelled:
                return runner.RunSummary(0, total, cancelled=True)
        try:
            return runner.generate_outputs(rt, session_id, on_progress=progress, cancel=cancel)
        except Cancelled:
            # stopped inside a generation: that output was not stored, the earlier ones were
            left = len(S.pending_outputs(rt.store, session_id))
            return runner.RunSummary(total - left, total, cancelled=True)
        finally:
            self.engine_lock.release()

    def on_run_started(self, event: RunStarted) -> None:
        if self._run is not None:
            self._run = (event.step, event.label or self._run[1], self._run[2])
            self._progress = (0, event.total, "")
            self.query_one("#run-bar", ProgressBar).update(total=event.total, progress=0)
            self._render_run()

    def on_run_progress(self, event: RunProgress) -> None:
        if self._run is None:
            return
        self._progress = (event.done, event.total, event.what)
        self.query_one("#run-bar", ProgressBar).update(total=event.total, progress=event.done)
        self._render_run()
        self.refresh_sessions()  # the counts in the table follow the run

    def on_run_finished(self, event: RunFinished) -> None:
        self._stop()
        r = event.summary
        if event.step == "generate":
            what = f"{r.done} of {r.total} output(s)"
            if r.cancelled:
                msg = f"Cancelled after {what} for {event.session}; g goes on from there."
            else:
                msg = f"Generated {r.done} output(s) for {event.session}."
                if r.total == 0:
                    msg = f"Every output of {event.session} is already there."
        else:
            if r.cancelled:
                msg = f"Cancelled after judging {r.done} of {r.total} pair(s); j goes on."
            elif r.total == 0:
                msg = (
                    f"Nothing to judge in {event.session} ({event.label}): every pair with both "
                    "outputs is judged (g generates missing outputs)."
                )
            else:
                msg = f"Judged {r.done} pair(s) of {event.session} ({event.label})."
        self.notify(msg, title="Evaluation sessions")
        if r.errors:
            self.notify(
                f"{r.errors} judge request(s) failed and were stored as INVALID (last: "
                f"{r.last_error.rstrip('.')}). j tries them again.",
                title="Judge",
                severity="warning",
                timeout=15,
            )

    def on_run_failed(self, event: RunFailed) -> None:
        self._stop()
        title = "Judge" if event.step == "judge" else "Generate"
        self.notify(" ".join(event.error.split()), title=title, severity="error", timeout=15)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # a bug or an error nobody expected: a notification, and the screen is usable again
        if event.worker.group == "eval-run" and event.state == WorkerState.ERROR:
            step = self._run[0] if self._run is not None else "generate"
            self.post_message(RunFailed(step, f"The run failed: {event.worker.error}"))


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
