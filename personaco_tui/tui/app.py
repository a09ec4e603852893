"""The Textual app: chat with the active profile's signals applied.

Layout: profiles and conversations on the left, the chat in the middle, the profile's signals on
the right, a status line and the footer at the bottom. Slow work (loading the model, generating,
suggesting signals) runs in thread workers that take turns on the one model; results come back
as typed messages (tui/messages.py). The first screen appears before the model has loaded.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, Static

from .. import chat
from .. import config as CFG
from ..core.types import Profile
from ..engines.base import CancelToken, Engine, Progress
from ..errors import Cancelled, PersonacoError
from ..runtime import Runtime
from ..store import conversations as C
from ..store import generations as G
from ..store import profiles as P
from .live import LiveTurn, live_markdown
from .messages import (
    EngineFailed,
    EngineLoaded,
    PhaseChanged,
    TokensArrived,
    TurnFailed,
    TurnFinished,
)
from .screens.dialogs import TextPromptScreen
from .screens.help import HelpScreen, binding_rows
from .screens.history import HistoryHit, HistoryScreen
from .screens.rating import RatingScreen
from .screens.report import EvalReportScreen
from .screens.sessions import EvalSessionsScreen
from .screens.settings import SavedSettings, SettingsScreen
from .screens.suggest import SuggestSignalsScreen
from .screens.why import WhyScreen
from .widgets.chat_view import ChatMessage, ChatView, code_blocks
from .widgets.prompt import PromptInput
from .widgets.sidebar import ConversationList, ProfileList
from .widgets.signals_panel import SignalsPanel

# The worker merges token events into one message per 0.1 s, and only the clock draws the
# live block, every 0.2 s: redraws are costly, and a busy UI thread holds the GIL the
# sampling loop needs between llama.cpp calls (drawing every candidate's every token made a
# turn in the app many times slower than the same turn from the CLI).
_TOKEN_FLUSH_S = 0.1
_LIVE_REDRAW_S = 0.2
_NARROW = 110  # below this width the left sidebar starts hidden (ctrl+b shows it)
# settings whose change needs the model loaded again
_RELOAD_KEYS = {"model.default", "model.n_gpu_layers", "model.weights"}


class PersonacoApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "PersonaCo"
    AUTO_FOCUS = "#prompt"
    # Footer labels are short so every key fits in 120 columns; the help screen (F1) and the
    # command palette (ctrl+p) give the long names.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Cancel the answer being written"),
        Binding("ctrl+n", "new_conversation", "New chat", tooltip="Start a new conversation"),
        Binding("ctrl+t", "toggle_method", "Method", tooltip="Switch baseline / PersonaCo"),
        # `w` only reaches the app when the prompt is not focused (the Input takes letters,
        # and its Ctrl+W deletes a word); F2 works from anywhere, and so does a click.
        Binding("f2,w", "why", "Why", tooltip="Why this answer"),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Copy answer"),
        Binding("ctrl+f", "history", "History", tooltip="Search history"),
        Binding("f3", "settings", "Settings"),
        Binding("f4", "suggest", "Suggest", tooltip="Suggest signals"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", tooltip="Toggle sidebar"),
        Binding("f5", "evaluations", "Evals", tooltip="Evaluation sessions"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.rt = runtime
        self.profile = P.ensure_default_profile(runtime.store)
        self.conversation_id: int | None = None
        self.method = runtime.settings.generation.method
        self._cancel: CancelToken | None = None
        self._model_status = "loading…"
        self._live: LiveTurn | None = None
        self._clock: Timer | None = None  # redraws the elapsed time while a turn runs
        # One model, several workers (a turn, a suggestion, a reload): they take turns.
        self._engine_lock = threading.Lock()

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Label("Profiles", classes="pane-title")
                yield ProfileList(self.rt.store, self.profile.id, id="profiles")
                yield Label("Conversations", classes="pane-title")
                yield ConversationList(self.rt.store, self.profile.id, id="conversations")
                yield Static("n new · r rename · d delete", classes="pane-hint")
            with Vertical(id="main"):
                yield ChatView(id="chat")
                yield PromptInput(placeholder="Ask something…  (Enter to send)", id="prompt")
            with Vertical(id="right"):
                yield Label("", id="signals-title", classes="pane-title")
                yield SignalsPanel(self.rt.store, self.profile.id, id="signals")
                yield Static(
                    "space on/off · a add · e edit · d delete · F4 suggest", classes="pane-hint"
                )
        yield Static("", id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_profile()
        self.query_one(ChatView).show_empty(
            "Ask a question below. Your profile's signals are applied to every answer.\n"
            "F1 lists every key; ctrl+p finds any action by name."
        )
        if self.size.width < _NARROW:
            self.query_one("#left").display = False
        self._update_status()
        # Textual's footer only redraws when the terminal reports focus; tmux and some
        # terminals never do at start, which left the footer blank until a resize.
        footer = self.query_one(Footer)
        self.set_timer(0.3, lambda: footer.call_later(footer.recompose))
        self.load_engine()

    def _show_profile(self) -> None:
        self.sub_title = self.profile.name
        self.query_one("#signals-title", Label).update(f"Signals · {self.profile.name}")

    def _update_status(self, extra: str = "") -> None:
        g = self.rt.settings.generation
        engine = self.rt.engine
        device = ""
        if engine is not None:
            device = "GPU" if engine.capabilities.gpu_offload else "CPU"
            weights = getattr(engine, "weights", "native")
            if weights != "native":  # a derived copy (model.weights)
                device += f" {weights.upper()}"
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
            with self._engine_lock:
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
        self.notify(
            event.error + " (F3 opens the settings)", title="Model", severity="error", timeout=15
        )

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
            self.notify(
                f"The model is {self._model_status}; your text is kept.", severity="warning"
            )
            return
        event.input.value = ""
        chat_view = self.query_one(ChatView)
        chat_view.add("user", query)
        chat_view.start_live("…")
        k = 1 if self.method == "baseline" else self.rt.settings.generation.k
        self._live = LiveTurn(self.method, k, time.monotonic())
        self._cancel = CancelToken()
        self.generate(query, self._cancel)
        self._clock = self.set_interval(_LIVE_REDRAW_S, self._tick)

    def _tick(self) -> None:
        if self._live is not None:
            self._render_live()

    @work(thread=True, exclusive=True, exit_on_error=False, group="generate")
    def generate(self, query: str, cancel: CancelToken) -> None:
        pending: dict[int, list[str]] = {}
        counts: dict[int, int] = {}
        last_flush = [time.monotonic()]

        def flush() -> None:
            if pending:
                self.post_message(
                    TokensArrived({c: (counts.get(c, 0), "".join(ps)) for c, ps in pending.items()})
                )
            pending.clear()
            last_flush[0] = time.monotonic()

        def on_progress(p: Progress) -> None:
            if p.kind == "token":
                pending.setdefault(p.candidate, []).append(p.text)
                counts[p.candidate] = p.n_tokens
                if time.monotonic() - last_flush[0] >= _TOKEN_FLUSH_S:
                    flush()
            elif p.kind == "phase":
                flush()
                self.post_message(PhaseChanged(p.text, 0, p.total))
            elif p.kind == "reflect":
                self.post_message(PhaseChanged("reflecting", p.done, p.total))

        try:
            with self._engine_lock:
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

    def on_tokens_arrived(self, event: TokensArrived) -> None:
        if self._live is not None:
            for cand, (n_tokens, text) in event.pieces.items():
                self._live.add(cand, text, n_tokens)  # the clock draws it

    def on_phase_changed(self, event: PhaseChanged) -> None:
        if self._live is not None:
            self._live.phase, self._live.done, self._live.total = (
                event.phase,
                event.done,
                event.total,
            )
            self._render_live()
        if event.phase == "reflecting":
            self._update_status(f"reflecting {event.done}/{event.total}")
        else:
            self._update_status(event.phase + "…")

    def _render_live(self) -> None:
        if self._live is not None:
            self.query_one(ChatView).update_live(live_markdown(self._live, time.monotonic()))

    def _end_turn(self) -> None:
        self._cancel = None
        self._live = None
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        self.query_one(ChatView).end_live()

    def on_turn_finished(self, event: TurnFinished) -> None:
        self._end_turn()
        r = event.result
        new_conversation = self.conversation_id != r.conversation_id
        self.conversation_id = r.conversation_id
        self.query_one(ChatView).add(
            "assistant",
            r.answer.content or "*(empty answer)*",
            message_id=r.answer.id,
            generation_id=r.answer.generation_id,
        )
        g = r.generation
        note = f"{g.total_s:.1f}s"
        if g.settings.method == "personaco" and g.cells:
            note += f" · picked candidate {g.chosen_index + 1} of {g.settings.k} (F2: why)"
        self._update_status(note)
        conversations = self.query_one(ConversationList)
        if new_conversation:
            self.run_worker(conversations.mark_open(r.conversation_id))
        else:
            self.run_worker(conversations.reload())  # the list is ordered by last activity

    def on_turn_failed(self, event: TurnFailed) -> None:
        self._end_turn()
        view = self.query_one(ChatView)
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

    # -- conversations and profiles -------------------------------------------------------

    def _busy(self) -> bool:
        if self._cancel is not None:
            self.notify("Wait for the answer or press Esc first.", severity="warning")
            return True
        return False

    def load_conversation(self, conversation_id: int) -> None:
        view = self.query_one(ChatView)
        view.clear()
        messages = C.list_messages(self.rt.store, conversation_id)
        for m in messages:
            view.add(m.role, m.content, message_id=m.id, generation_id=m.generation_id)
        if not messages:
            view.show_empty("This conversation has no messages yet.")
        self.conversation_id = conversation_id
        self.run_worker(self.query_one(ConversationList).mark_open(conversation_id))

    def on_conversation_list_opened(self, event: ConversationList.Opened) -> None:
        if self._busy():
            return
        if event.conversation is None:
            self.action_new_conversation()
        else:
            self.load_conversation(event.conversation.id)
            self.query_one("#prompt", Input).focus()

    def on_conversation_list_deleted(self, event: ConversationList.Deleted) -> None:
        if event.conversation_id == self.conversation_id:
            self.conversation_id = None
            self.query_one(ChatView).show_empty("That conversation was deleted.")

    async def on_profile_list_chosen(self, event: ProfileList.Chosen) -> None:
        if self._busy():
            return
        await self.switch_profile(event.profile)

    async def switch_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._show_profile()
        await self.query_one(ProfileList).set_active(profile)
        signals = self.query_one(SignalsPanel)
        signals.profile_id = profile.id
        await signals.reload()
        conversations = self.query_one(ConversationList)
        conversations.open_id = None
        await conversations.reload(profile.id)
        self.conversation_id = None
        self.query_one(ChatView).show_empty(f"Profile {profile.name}: a new conversation.")

    # -- actions --------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()
        else:
            self.query_one("#prompt", Input).focus()

    def action_toggle_method(self) -> None:
        self.method = "baseline" if self.method == "personaco" else "personaco"
        self._update_status()

    def action_new_conversation(self) -> None:
        if self._busy():
            return
        self.conversation_id = None
        self.query_one(ChatView).show_empty("New conversation.")
        self.run_worker(self.query_one(ConversationList).mark_open(None))
        self.query_one("#prompt", Input).focus()

    def action_toggle_sidebar(self) -> None:
        left = self.query_one("#left")
        left.display = not left.display

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
                message = C.pick_candidate(self.rt.store, answer.message_id, index)
            except PersonacoError as e:
                self.notify(e.message, title="Not picked", severity="error")
                return
            answer.replace(message.content or "*(empty answer)*")
            self._update_status(f"you picked candidate {index + 1}")

        self.push_screen(WhyScreen(generation, choice), picked)

    def _last_answer_text(self) -> str | None:
        answer = self.query_one(ChatView).last_answer(stored_only=False)
        if answer is None:
            self.notify("No answer to copy yet.", severity="warning")
            return None
        return answer.content

    def action_copy_answer(self) -> None:
        text = self._last_answer_text()
        if text is not None:
            self.copy_to_clipboard(text)
            self.notify(f"Copied the answer ({len(text)} characters).")

    def action_copy_code(self) -> None:
        text = self._last_answer_text()
        if text is None:
            return
        blocks = code_blocks(text)
        if not blocks:
            self.notify("The last answer has no code blocks.", severity="warning")
            return
        self.copy_to_clipboard("\n\n".join(blocks))
        self.notify(f"Copied {len(blocks)} code block{'s' if len(blocks) > 1 else ''}.")

    def action_history(self) -> None:
        def opened(hit: HistoryHit | None) -> None:
            if hit is not None:
                self.run_worker(self._open_hit(hit))

        self.push_screen(HistoryScreen(self.rt.store), opened)

    async def _open_hit(self, hit: HistoryHit) -> None:
        if self._busy():
            return
        try:
            conversation = C.get_conversation(self.rt.store, hit.conversation_id)
        except PersonacoError as e:
            self.notify(e.message, severity="error")
            return
        if conversation.profile_id is not None and conversation.profile_id != self.profile.id:
            try:
                profile = P.set_active_profile(self.rt.store, conversation.profile_id)
            except PersonacoError as e:
                self.notify(e.message, severity="error")
                return
            await self.switch_profile(profile)
        self.load_conversation(conversation.id)
        self.query_one(ChatView).scroll_to_message(hit.message_id)

    def action_settings(self) -> None:
        def saved(result: SavedSettings | None) -> None:
            if result is None:
                return
            try:
                self.rt.settings = CFG.load(self.rt.loc)
            except PersonacoError as e:
                self.notify(e.message, title="Settings", severity="error")
                return
            self.method = self.rt.settings.generation.method
            if _RELOAD_KEYS & set(result.changed):
                self.reload_engine()
            self._update_status("settings saved" if result.changed else "")

        self.push_screen(SettingsScreen(self.rt.loc, self.rt.store), saved)

    def reload_engine(self) -> None:
        if self._busy():
            self.notify("The new model loads after this answer: F3 and save again.")
            return
        self._model_status = "loading…"
        self.rt.drop_engine()
        self._update_status()
        self.load_engine()

    def action_suggest(self) -> None:
        if self.rt.engine is None:
            self.notify(f"The model is {self._model_status}.", severity="warning")
            return
        prompt = self.query_one("#prompt", Input)
        query = prompt.value.strip() or self._last_question()
        if query:
            self._suggest_for(query)
            return

        def asked(text: str | None) -> None:
            if text:
                self._suggest_for(text)

        self.push_screen(
            TextPromptScreen(
                "Suggest signals for which question?",
                placeholder="e.g. How do vaccines work?",
                what="The question",
            ),
            asked,
        )

    def _last_question(self) -> str:
        users = [m for m in self.query_one(ChatView).query(ChatMessage) if m.role == "user"]
        return users[-1].content if users else ""

    def _suggest_for(self, query: str) -> None:
        from ..evaluation.signals_gen import suggest_signals

        engine = self.rt.engine
        seed = self.rt.settings.generation.seed
        cancel = CancelToken()

        def suggest(q: str) -> list[str]:
            assert engine is not None
            with self._engine_lock:
                return suggest_signals(
                    engine,
                    q,
                    n=5,
                    max_tokens=160,  # five short signals; the user is waiting
                    seed=seed if seed >= 0 else random.randrange(2**31),
                    cancel=cancel,
                )

        async def accepted(chosen: list[str] | None) -> None:
            if not chosen:
                return
            panel = self.query_one(SignalsPanel)
            added = 0
            for text in chosen:
                try:
                    P.add_signal(self.rt.store, self.profile.id, text)
                    added += 1
                except PersonacoError as e:
                    self.notify(e.message, severity="error")
            await panel.reload()
            self.notify(f"Added {added} signal{'s' if added != 1 else ''}.")

        self.push_screen(SuggestSignalsScreen(query, suggest, cancel), accepted)

    def action_help(self) -> None:
        sections = [
            ("anywhere", binding_rows(self.BINDINGS)),
            ("anywhere", [("ctrl+p", "Command palette")]),
            ("signals", binding_rows(SignalsPanel.BINDINGS)),
            ("conversations", binding_rows(ConversationList.BINDINGS)),
            ("profiles", binding_rows(ProfileList.BINDINGS)),
            ("why this answer", binding_rows(WhyScreen.BINDINGS)),
            ("evaluation sessions", binding_rows(EvalSessionsScreen.BINDINGS)),
            ("blind rating", binding_rows(RatingScreen.BINDINGS)),
            ("evaluation report", binding_rows(EvalReportScreen.BINDINGS)),
        ]
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = [
            ("New chat", "Start a new conversation (ctrl+n)", self.action_new_conversation),
            (
                "Why this answer",
                "Candidates and signal scores of the last answer (F2)",
                self.action_why,
            ),
            (
                "Copy answer",
                "Copy the last answer to the clipboard (ctrl+y)",
                self.action_copy_answer,
            ),
            ("Copy code blocks", "Copy the code blocks of the last answer", self.action_copy_code),
            (
                "Search history",
                "Full-text search over every conversation (ctrl+f)",
                self.action_history,
            ),
            ("Settings", "Model, k, temperature, reflector, judge (F3)", self.action_settings),
            (
                "Suggest signals",
                "Let the model propose signals for a question (F4)",
                self.action_suggest,
            ),
            (
                "Switch baseline / PersonaCo",
                "One answer, or k answers and a pick (ctrl+t)",
                self.action_toggle_method,
            ),
            (
                "Toggle sidebar",
                "Show or hide profiles and conversations (ctrl+b)",
                self.action_toggle_sidebar,
            ),
            ("New profile", "Create a profile and make it active", self.action_new_profile),
            ("Add signal", "Add a signal to the active profile", self.action_add_signal),
            (
                "Evaluation sessions",
                "Rate A/B pairs blind, see win rates and plots (F5)",
                self.action_evaluations,
            ),
            ("Help", "Every key (F1)", self.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

    def action_evaluations(self) -> None:
        self.push_screen(EvalSessionsScreen(self.rt.store, self.rt, self._engine_lock))

    # Keys that act on the chat are off (and out of the footer) while another screen is on
    # top: Ctrl+N under the rating screen would otherwise change the hidden chat.
    _CHAT_ACTIONS = frozenset(
        {"new_conversation", "toggle_method", "why", "copy_answer", "suggest", "toggle_sidebar"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self._CHAT_ACTIONS and len(self.screen_stack) > 1)

    def action_new_profile(self) -> None:
        self.query_one(ProfileList).action_new()

    def action_add_signal(self) -> None:
        self.query_one(SignalsPanel).action_add()

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()


def make_app(home: str | Path | None = None, *, engine: Engine | None = None) -> PersonacoApp:
    """Build the app exactly as the CLI does (tests use this too, handing in the loaded model)."""
    return PersonacoApp(Runtime.open(home, engine=engine))
