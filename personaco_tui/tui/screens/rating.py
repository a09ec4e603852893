"""Blind A/B rating: a person judges an evaluation session's pairs one key at a time.

Each pair is the query, one signal and the two methods' responses, shown as "Response 1"
and "Response 2" in the order the session stored for it (`order_shown`); the rater never
sees which method wrote which. A key stores the verdict at once, translated back to the
true methods with `verdicts.unswap`, so leaving (Esc) loses nothing and reopening continues
at the first pair this rater has not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, ProgressBar, Static

from ...errors import PersonacoError
from ...evaluation import analysis
from ...evaluation import sessions as S
from ...evaluation.configs import describe
from ...evaluation.verdicts import shown_pair, unswap
from ...store import evaluations as E
from ...store import preferences as PR
from ...store import profiles as P
from ...store.db import Store
from .report import EvalReportScreen

HUMAN = "human"

# What each shown verdict means to the rater (about Response 1 / Response 2, not A / B).
SHOWN_WORDS = {
    "A": "Response 1 is better",
    "B": "Response 2 is better",
    "SAME": "both the same",
    "N/A": "not applicable",
}


def delete_last_rating(
    store: Store, session_id: int, rater: str, passes: Sequence[int]
) -> dict[str, Any] | None:
    """Delete this rater's most recent human judgment in the session and return it
    (item_id, signal_idx, pass, verdict, order_shown), or None when there is none."""
    j = E.delete_last_judgment(store, session_id, HUMAN, rater, passes)
    if j is None:
        return None
    return {
        "item_id": j.item_id,
        "signal_idx": j.signal_idx,
        "pass": j.pass_no,
        "verdict": j.verdict,
        "order_shown": j.order_shown,
    }


def _cell(p: S.PendingJudgment) -> tuple[int, int, int]:
    return (p.item_id, p.signal_idx, p.pass_no)


class RatingScreen(Screen[None]):
    """Rate `session` (id or name) as `rater`; `passes=2` also asks for every pair again in
    the swapped order, which measures the rater's own position bias."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    # nothing focused at first: a focused (highlighted) Response 1 would nudge the rater;
    # Tab still reaches either response to scroll a long one
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("a,1", "rate('A')", "1 better", key_display="a/1"),
        Binding("b,2", "rate('B')", "2 better", key_display="b/2"),
        Binding("s", "rate('SAME')", "Same"),
        Binding("n", "rate('N/A')", "N/A"),
        Binding("u", "undo", "Undo"),
        Binding("v", "report", "Report"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(
        self, store: Store, session: int | str, rater: str = "you", passes: int = 1
    ) -> None:
        super().__init__()
        self.store = store
        self.session_ref = session
        self.rater = rater
        self.passes = list(range(1, passes + 1))
        self.session: S.Session | None = None
        self.current: S.PendingJudgment | None = None
        self.rated = 0
        self.total = 0
        self.missing_items = 0
        # "loading", "rating", "done" (nothing left), "waiting" (no outputs yet), "error"
        self.state = "loading"

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="rating-body"):
            with Horizontal(id="rating-progress-row"):
                yield Static("", id="rating-progress")
                yield ProgressBar(show_eta=False, id="rating-bar")
            yield Static("", id="rating-query")
            yield Static("", id="rating-signal")
            with Horizontal(id="rating-pair"):
                for n in (1, 2):
                    with Vertical(classes="rating-response", id=f"rating-response-{n}"):
                        yield Label(f"Response {n}", classes="rating-response-title")
                        with VerticalScroll(classes="rating-scroll", id=f"rating-scroll-{n}"):
                            yield Static("", id=f"rating-text-{n}", markup=False)
            yield Static(
                "Which response better satisfies the signal?  a/1 · b/2 · s same · "
                "n not applicable · u undo · Esc leave",
                id="rating-hint",
            )
            yield Static("", id="rating-message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Blind rating"
        self.sub_title = f"rating as {self.rater}"
        self.reload()

    # -- state ----------------------------------------------------------------------------

    def reload(self, prefer: tuple[int, int, int] | None = None) -> None:
        """Read the session's progress from the store and show the next pair to rate:
        `prefer` (a cell just undone) when it is pending, else the first pending one."""
        try:
            if self.session is None:
                self.session = S.get_session(self.store, self.session_ref)
            sid = self.session.id
            pending = S.pending_judgments(self.store, sid, HUMAN, self.rater, self.passes)
            mine = [
                r
                for r in S.judgment_rows(self.store, sid, HUMAN, self.rater)
                if r["pass"] in self.passes
            ]
            lacking = {p.item_id for p in S.pending_outputs(self.store, sid)}
        except PersonacoError as e:
            self.state = "error"
            self.current = None
            self.notify(e.message, title="Rating", severity="error")
            self._show_message(Text(e.message, style="bold red"))
            return
        self.sub_title = f"{self.session.name} · rating as {self.rater}"
        self.rated = len(mine)
        self.total = self.rated + len(pending)
        self.missing_items = len(lacking)
        self.current = next((p for p in pending if _cell(p) == prefer), None)
        if self.current is None and pending:
            self.current = pending[0]
        if self.current is not None:
            self.state = "rating"
            self._show_pair(self.current)
        elif self.rated == 0:  # nothing pending and nothing rated: the outputs are missing
            self.state = "waiting"
            self._show_message(self._waiting_text())
        else:
            self.state = "done"
            self._show_message(self._summary_text([r["verdict"] for r in mine]))
        self._show_progress()
        self.refresh_bindings()

    def _show_progress(self) -> None:
        text = Text(f"{self.rated} / {self.total} rated", style="bold")
        text.append("  · saved as you go", style="dim")
        if self.missing_items and self.session is not None:
            text.append(
                f"   ({self.missing_items} item(s) have no outputs yet: "
                f"personaco eval run {self.session.name})",
                style="dim",
            )
        self.query_one("#rating-progress", Static).update(text)
        self.query_one("#rating-bar", ProgressBar).update(
            total=max(self.total, 1), progress=self.rated
        )

    def _show_pair(self, p: S.PendingJudgment) -> None:
        self.query_one("#rating-message").display = False
        for part in ("#rating-query", "#rating-signal", "#rating-pair", "#rating-hint"):
            self.query_one(part).display = True
        self.query_one("#rating-query", Static).update(Text.assemble(("Query   ", "bold"), p.query))
        self.query_one("#rating-signal", Static).update(
            Text.assemble(("Signal  ", "bold"), (p.signal, "bold"))
        )
        first, second = shown_pair(p.response_a, p.response_b, p.order_shown)
        for n, text in ((1, first), (2, second)):
            self.query_one(f"#rating-text-{n}", Static).update(text.strip() or "(empty answer)")
            self.query_one(f"#rating-scroll-{n}", VerticalScroll).scroll_home(animate=False)

    def _show_message(self, message: Text) -> None:
        for part in ("#rating-query", "#rating-signal", "#rating-pair", "#rating-hint"):
            self.query_one(part).display = False
        box = self.query_one("#rating-message", Static)
        box.display = True
        box.update(message)

    def _waiting_text(self) -> Text:
        assert self.session is not None
        n = len(self.session.items)
        text = Text("No pairs to rate yet.\n\n", style="bold")
        text.append(
            f"{self.missing_items} of {n} item(s) have no responses from the two methods. "
            "Generate them first:\n\n"
        )
        text.append(f"    personaco eval run {self.session.name}\n\n", style="bold")
        text.append("then come back here. Esc goes back.", style="dim")
        return text

    def _summary_text(self, verdicts: list[str]) -> Text:
        assert self.session is not None
        c = analysis.counts(verdicts)
        s = self.session
        text = Text(f"All {self.total} pair(s) rated. Thank you!\n\n", style="bold")
        text.append("Your verdicts, now unblinded:\n")
        text.append(f"  A better ({describe(s.config_a)}): {c['A']}\n")
        text.append(f"  B better ({describe(s.config_b)}): {c['B']}\n")
        text.append(f"  same: {c['SAME']}\n  not applicable: {c['N/A']}\n\n")
        if self.missing_items:
            text.append(
                f"{self.missing_items} item(s) still have no outputs: run "
                f"`personaco eval run {s.name}`, then rate them here.\n\n",
                style="dim",
            )
        text.append("v view the report · u undo the last rating · Esc back", style="dim")
        return text

    # -- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.current is not None
        if action == "undo":
            return self.rated > 0
        if action == "report":
            # the report unblinds the methods: offered once every pair is rated
            return self.state == "done"
        return True

    def action_rate(self, shown: str) -> None:
        p = self.current
        if p is None:
            return
        try:
            stored = S.add_judgment(
                self.store,
                p.item_id,
                p.signal_idx,
                judge_kind=HUMAN,
                judge_model=self.rater,
                verdict=unswap(shown, p.order_shown),
                order_shown=p.order_shown,
                pass_no=p.pass_no,
            )
        except PersonacoError as e:
            self.notify(e.message, title="Not saved", severity="error")
            return
        if not stored:
            self.notify(
                "This pair was already rated (in another window?); that verdict is kept.",
                severity="warning",
            )
        else:
            self._teach_profile(p.item_id, p.signal_idx, p.pass_no)
        self.reload()

    def _teach_profile(self, item_id: int, signal_idx: int, pass_no: int) -> None:
        """Your rating teaches the active profile what you prefer (see `profile learned`)."""
        try:
            active = P.get_active_profile(self.store)
            if active is not None:
                PR.link_rating(self.store, active.id, item_id, signal_idx, self.rater, pass_no)
        except PersonacoError as e:
            self.notify(e.message, title="Rating not learned from", severity="warning")

    def action_undo(self) -> None:
        if self.session is None:
            return
        try:
            undone = delete_last_rating(self.store, self.session.id, self.rater, self.passes)
        except PersonacoError as e:
            self.notify(e.message, title="Not undone", severity="error")
            return
        if undone is None:
            self.notify("Nothing to undo.", severity="warning")
            return
        # unswap is its own inverse: it turns the stored verdict back into what was pressed
        shown = unswap(undone["verdict"], undone["order_shown"])
        self.notify(f"Undone: {SHOWN_WORDS.get(shown, shown)}. Rate this pair again.")
        self.reload(prefer=(undone["item_id"], undone["signal_idx"], undone["pass"]))

    def action_report(self) -> None:
        if self.session is None:
            return
        self.app.switch_screen(
            EvalReportScreen(self.store, self.session.id, judge_kind=HUMAN, judge_model=self.rater)
        )

    def action_leave(self) -> None:
        self.dismiss(None)
