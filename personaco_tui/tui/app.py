"""The Textual app: chat with the active profile's signals applied.

Slow work (loading the model, generating) runs in thread workers; results come back as typed
messages (tui/messages.py). The first screen appears before the model has loaded.
"""

from __future__ import annotations

import time
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static

from .. import chat
from ..engines.base import CancelToken, Engine, Progress
from ..errors import Cancelled, PersonacoError
from ..runtime import Runtime
from ..store import conversations as C
from ..store import generations as G
from ..store import profiles as P
from ..store import ui_queries as UQ
from .messages import (
    EngineFailed,
    EngineLoaded,
    PhaseChanged,
    TokenArrived,
    TurnFailed,
    TurnFinished,
)
from .screens.why import WhyScreen
from .widgets.chat_view import ChatMessage, ChatView
from .widgets.signals_panel import SignalsPanel

_TOKEN_FLUSH_S = 0.05  # merge token events so the UI redraws at most ~20 times a second


class PersonacoApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "PersonaCo"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=True),
        Binding("ctrl+t", "toggle_method", "Baseline/PersonaCo"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        # `w` only reaches the app when the prompt is not focused (the Input takes letters,
        # and its Ctrl+W deletes a word); F2 works from anywhere, and so does a click.
        Binding("w,f2", "why", "Why this answer"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.rt = runtime
        self.profile = P.ensure_default_profile(runtime.store)
        self.conversation_id: int | None = None
        self.method = runtime.settings.generation.method
        self._cancel: CancelToken | None = None
        self._pending_query = ""
        self._model_status = "loading…"
        self._live: dict[int, str] = {}
        self._started = 0.0

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Static("", id="profile")
                yield Static("[b]Signals[/b]", id="signals-title")
                yield SignalsPanel(self.rt.store, self.profile.id, id="signals")
                yield Static(
                    "Tab here, then: space on/off · a add · e edit · d delete", id="signals-hint"
                )
            with Vertical(id="main"):
                yield ChatView(id="chat")
                yield Input(placeholder="Ask something…  (Enter to send)", id="prompt")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.profile.name
        self._show_profile()
        self.query_one(ChatView).show_empty(
            "Ask a question below. Your profile's signals are applied to every answer."
        )
        self._update_status()
        self.query_one("#prompt", Input).focus()
        self.load_engine()

    def _show_profile(self) -> None:
        self.query_one("#profile", Static).update(f"[b]Profile[/b] {self.profile.name}")

    def _update_status(self, extra: str = "") -> None:
        g = self.rt.settings.generation
        engine = self.rt.engine
        device = ""
        if engine is not None:
            device = "GPU" if engine.capabilities.gpu_offload else "CPU"
        method = "baseline" if self.method == "baseline" else f"PersonaCo k={g.k}"
        parts = [
            f"model: {self._model_status}",
            method,
            f"reflector: {g.reflector}" if self.method != "baseline" else "",
            device,
            extra,
        ]
        self.query_one("#status", Static).update("  ·  ".join(p for p in parts if p))

    # -- model loading --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_engine(self) -> None:
        try:
            engine = self.rt.load_engine()
        except PersonacoError as e:
            self.post_message(EngineFailed(e.message))
            return
        self.post_message(EngineLoaded(engine))

    def on_engine_loaded(self, event: EngineLoaded) -> None:
        self._model_status = event.engine.name
        self._update_status()

    def on_engine_failed(self, event: EngineFailed) -> None:
        self._model_status = "not loaded"
        self._update_status()
        self.notify(event.error, title="Model", severity="error", timeout=15)

    # -- a turn ---------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def send(self, event: Input.Submitted) -> None:
        query = event.value
        if not query.strip():
            return
        if self._cancel is not None:
            self.notify("An answer is still being generated; Esc cancels it.", severity="warning")
            return
        if self.rt.engine is None:
            self.notify("The model is still loading; your text is kept.", severity="warning")
            return
        event.input.value = ""
        chat_view = self.query_one(ChatView)
        chat_view.add("user", query)
        chat_view.start_live("…")
        self._pending_query = query
        self._live = {}
        self._started = time.monotonic()
        self._cancel = CancelToken()
        self.generate(query, self._cancel)

    @work(thread=True, exclusive=True, exit_on_error=False, group="generate")
    def generate(self, query: str, cancel: CancelToken) -> None:
        pending: dict[int, list[str]] = {}
        last_flush = [time.monotonic()]

        def flush() -> None:
            for cand, pieces in pending.items():
                self.post_message(TokenArrived(cand, 0, "".join(pieces)))
            pending.clear()
            last_flush[0] = time.monotonic()

        def on_progress(p: Progress) -> None:
            if p.kind == "token":
                pending.setdefault(p.candidate, []).append(p.text)
                if time.monotonic() - last_flush[0] >= _TOKEN_FLUSH_S:
                    flush()
            elif p.kind == "phase":
                flush()
                self.post_message(PhaseChanged(p.text, 0, p.total))
            elif p.kind == "reflect":
                self.post_message(PhaseChanged("reflecting", p.done, p.total))

        try:
            result = chat.ask(
                self.rt,
                query,
                profile_id=self.profile.id,
                conversation_id=self.conversation_id,
                on_progress=on_progress,
                cancel=cancel,
                method=self.method,
            )
        except Cancelled:
            self.post_message(TurnFailed("", query))
            return
        except PersonacoError as e:
            self.post_message(TurnFailed(e.message, query))
            return
        flush()
        assert isinstance(result, chat.TurnResult)
        self.post_message(TurnFinished(result))

    def on_token_arrived(self, event: TokenArrived) -> None:
        self._live[event.candidate] = self._live.get(event.candidate, "") + event.text
        self._render_live()

    def on_phase_changed(self, event: PhaseChanged) -> None:
        if event.phase == "reflecting":
            self._update_status(f"reflecting {event.done}/{event.total}")
        else:
            self._update_status(event.phase + "…")

    def _render_live(self) -> None:
        elapsed = time.monotonic() - self._started
        if len(self._live) <= 1 and self.method == "baseline":
            text = self._live.get(0, "")
        else:
            rows = [
                f"**candidate {i + 1}** ({len(t.split())} words): {t[-80:].replace(chr(10), ' ')}"
                for i, t in sorted(self._live.items())
            ]
            text = "\n\n".join(rows)
        self.query_one(ChatView).update_live(f"{text}\n\n*{elapsed:.1f}s*")

    def on_turn_finished(self, event: TurnFinished) -> None:
        self._cancel = None
        r = event.result
        self.conversation_id = r.conversation_id
        view = self.query_one(ChatView)
        view.end_live()
        view.add(
            "assistant",
            r.answer.content or "*(empty answer)*",
            message_id=r.answer.id,
            generation_id=r.answer.generation_id,
        )
        g = r.generation
        note = f"{g.total_s:.1f}s"
        if g.settings.method == "personaco" and g.cells:
            note += f" · picked candidate {g.chosen_index + 1} of {g.settings.k}"
        self._update_status(note)

    def on_turn_failed(self, event: TurnFailed) -> None:
        self._cancel = None
        view = self.query_one(ChatView)
        view.end_live()
        # the question was not stored: take it off the screen and give it back to the input
        user_msgs = list(view.query(".user"))
        if user_msgs:
            user_msgs[-1].remove()
        prompt = self.query_one("#prompt", Input)
        if not prompt.value:
            prompt.value = event.query
        if event.error:
            self.notify(event.error, title="Not answered", severity="error", timeout=10)
            self._update_status()
        else:
            self._update_status("cancelled")

    # -- actions --------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def action_toggle_method(self) -> None:
        self.method = "baseline" if self.method == "personaco" else "personaco"
        self._update_status()

    def action_new_conversation(self) -> None:
        if self._cancel is not None:
            return
        self.conversation_id = None
        self.query_one(ChatView).show_empty("New conversation.")

    def action_why(self) -> None:
        answer = self.query_one(ChatView).last_answer()
        if answer is None:
            self.notify("No answer yet: ask something first.", severity="warning")
            return
        self.show_why(answer)

    def on_chat_message_clicked(self, event: ChatMessage.Clicked) -> None:
        self.show_why(event.chat_message)

    def show_why(self, answer: ChatMessage) -> None:
        if answer.generation_id is None or isinstance(self.screen, WhyScreen):
            return
        try:
            generation = G.load_generation(self.rt.store, answer.generation_id)
            choice = G.get_user_choice(self.rt.store, answer.generation_id)
        except PersonacoError as e:
            self.notify(e.message, title="Why this answer", severity="error")
            return

        def picked(index: int | None) -> None:
            if index is None or answer.message_id is None:
                return
            try:
                message = UQ.pick_candidate(self.rt.store, answer.message_id, index)
            except PersonacoError as e:
                self.notify(e.message, title="Not picked", severity="error")
                return
            answer.replace(message.content or "*(empty answer)*")
            self._update_status(f"you picked candidate {index + 1}")

        self.push_screen(WhyScreen(generation, choice), picked)

    def load_conversation(self, conversation_id: int) -> None:
        view = self.query_one(ChatView)
        view.clear()
        for m in C.list_messages(self.rt.store, conversation_id):
            view.add(m.role, m.content, message_id=m.id, generation_id=m.generation_id)
        self.conversation_id = conversation_id

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()


def make_app(home: str | Path | None = None, *, engine: Engine | None = None) -> PersonacoApp:
    """Build the app exactly as the CLI does (tests use this too, handing in the loaded model)."""
    return PersonacoApp(Runtime.open(home, engine=engine))
