"""The evaluation sessions list: every session with its progress, and the keys that create
a session, generate its answers, judge them, rate them blind and open its report.

The generate and judge steps themselves are in `session_runs`; this module is the screen.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static
from textual.worker import Worker

from ...engines.base import CancelToken
from ...errors import PersonacoError
from ...evaluation import actions
from ...evaluation.configs import describe
from ...runtime import Runtime
from ...store import evaluations as E
from ...store.db import Store
from ..workers import WorkerErrors
from .eval_forms import CreateSessionScreen
from .rating import RatingScreen
from .report import EvalReportScreen
from .session_runs import (
    RunFailed,
    RunFinished,
    RunProgress,
    RunStarted,
    errors_note,
    finished_note,
    run_line,
)
from .session_runs import run_step as run_step_in_thread


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


def session_summaries(store: Store) -> list[SessionSummary]:
    """Every session with its progress, newest first, its configurations described."""
    return [
        SessionSummary(
            p.id,
            p.name,
            describe(p.config_a),
            describe(p.config_b),
            p.items,
            p.pairs,
            p.outputs_a,
            p.outputs_b,
            p.judgments,
        )
        for p in E.session_progress(store)
    ]


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


class EvalSessionsScreen(WorkerErrors, Screen[None]):
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
        cancel = self._cancel
        note = note or ("cancelling…" if cancel is not None and cancel.cancelled else "x cancels")
        line = run_line(step, label, time.monotonic() - started, self._progress, note)
        self.query_one("#run-line", Static).update(line)

    @work(thread=True, exclusive=True, exit_on_error=False, group="eval-run")
    def run_step(self, step: str, session_id: int, kind: str, cancel: CancelToken) -> None:
        """One step in a thread: every UI change goes through post_message."""
        assert self.rt is not None
        run_step_in_thread(
            self.rt, self.engine_lock, step, session_id, kind, cancel, self.post_message
        )

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
        self.notify(finished_note(event), title="Evaluation sessions")
        errors = errors_note(event.summary)
        if errors is not None:
            self.notify(errors, title="Judge", severity="warning", timeout=15)

    def on_run_failed(self, event: RunFailed) -> None:
        self._stop()
        title = "Judge" if event.step == "judge" else "Generate"
        self.notify(" ".join(event.error.split()), title=title, severity="error", timeout=15)

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        # a bug or an error nobody expected: logged by WorkerErrors, the screen usable again
        if worker.group != "eval-run":
            super().worker_failed(worker, message)
            return
        step = self._run[0] if self._run is not None else "generate"
        self.post_message(RunFailed(step, f"The run failed: {message}"))
