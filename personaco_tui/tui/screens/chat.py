"""The chat: profiles and conversations on the left, the conversation in the middle, the active
profile's signals on the right, a status line and the footer at the bottom.

A turn runs in a thread worker that takes its turn on the one model (the app's engine lock);
its progress comes back as typed messages (tui/messages.py) and is drawn by a clock, not per
token. The keys that act on the chat are bound in the app's key table (tui/app.py) as
`chat('…')` actions, so the footer keeps one order and each key is written once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Label, Static
from textual.worker import Worker

from ... import chat
from ...core.types import Profile
from ...engines.base import CancelToken
from ...errors import Cancelled, PersonacoError
from ...runtime import Runtime
from ...store import conversations as C
from ...store import generations as G
from ...store import profiles as P
from ..live import LiveTurn, ProgressBatcher, live_markdown
from ..messages import PhaseChanged, SteerActed, TokensArrived, TurnFailed, TurnFinished
from ..widgets.chat_view import ChatMessage, ChatView, code_blocks
from ..widgets.prompt import PromptInput
from ..widgets.sidebar import ConversationList, ProfileList
from ..widgets.signals_panel import SignalsPanel, fact_reader
from ..widgets.suggestion_bar import SuggestionBar
from ..widgets.welcome import EXAMPLE_SIGNALS, RETURNING, WELCOME, ModelNote
from ..workers import WorkerErrors
from .dialogs import TextPromptScreen
from .history import HistoryHit
from .suggest import SuggestSignalsScreen, suggester
from .why import WhyScreen

# The worker merges token events into one message per 0.1 s, and only the clock draws the
# live block, every 0.2 s: redraws are costly, and a busy UI thread holds the GIL the
# sampling loop needs between llama.cpp calls (drawing every candidate's every token made a
# turn in the app many times slower than the same turn from the CLI).
_TOKEN_FLUSH_S = 0.1
_LIVE_REDRAW_S = 0.2
_NARROW = 110  # below this width the left sidebar starts hidden (ctrl+b shows it)
EMPTY_ANSWER = "*(empty answer)*"


class ChatScreen(WorkerErrors, Screen[None]):
    def __init__(self, runtime: Runtime, engine_lock: threading.Lock) -> None:
        super().__init__()
        self.rt = runtime
        # One model, several workers (a turn, a suggestion, a reload): they take turns.
        self.engine_lock = engine_lock
        self.profile = P.ensure_default_profile(runtime.store)
        self.conversation_id: int | None = None
        self.method = runtime.settings.generation.method
        self.model_status = "loading…"
        self._cancel: CancelToken | None = None  # set while a turn runs
        self._question = ""  # the running turn's question, given back if the turn fails
        self._live: LiveTurn | None = None
        self._clock: Timer | None = None  # redraws the elapsed time while a turn runs

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
                yield ModelNote("", id="model-note")
                yield SuggestionBar(self.rt.store, self.profile.id, id="suggestion-bar")
                yield PromptInput(questions=self._questions, id="prompt")
            with Vertical(id="right"):
                yield Label("", id="signals-title", classes="pane-title")
                yield SignalsPanel(self.rt.store, self.profile.id, fact_reader(self), id="signals")
                yield Static(
                    "space on/off · a add · e edit · d delete · F4 suggest", classes="pane-hint"
                )
        yield Static("", id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_profile()
        self.query_one(ChatView).show_empty(RETURNING if self._signal_texts() else WELCOME)
        if self.app.size.width < _NARROW:
            self.query_one("#left").display = False
        self.update_status()
        # Textual's footer only redraws when the terminal reports focus; tmux and some
        # terminals never do at start, which left the footer blank until a resize.
        footer = self.query_one(Footer)
        self.set_timer(0.3, lambda: footer.call_later(footer.recompose))

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def _show_profile(self) -> None:
        self.app.sub_title = self.profile.name
        self.query_one("#signals-title", Label).update(f"Signals · {self.profile.name}")

    def update_status(self, extra: str = "") -> None:
        g = self.rt.settings.generation
        engine = self.rt.engine
        device = ""
        if engine is not None:
            device = "GPU" if engine.capabilities.gpu_offload else "CPU"
            weights = getattr(engine, "weights", "native")
            if weights != "native":  # a derived copy (model.weights)
                device += f" {weights.upper()}"
        method = "baseline" if self.method == "baseline" else f"PersonaCo k={g.k}"
        demo = False  # the bundled demo model: the status line and the note say so
        for note in self.query("#model-note").results(ModelNote):
            demo = note.show_for(self.rt.loc, engine.name if engine is not None else None)
        parts = [
            f"model: {self.model_status}" + (" (tiny demo model)" if demo else ""),
            method,
            f"reflector: {g.reflector}" if self.method != "baseline" else "",
            device,
            extra,
        ]
        for status in self.query("#status").results(Static):  # none before the first compose
            status.update("  ·  ".join(p for p in parts if p))

    # -- a turn ---------------------------------------------------------------------------

    @property
    def answering(self) -> bool:
        return self._cancel is not None

    @on(PromptInput.Submitted, "#prompt")
    def send(self, event: PromptInput.Submitted) -> None:
        query = event.value
        if not query.strip():
            return
        if self._cancel is not None:
            self.notify("An answer is still being generated; Esc cancels it.", severity="warning")
            return
        if self.rt.engine is None:
            self.notify(f"The model is {self.model_status}; your text is kept.", severity="warning")
            return
        # keys typed after Enter, before this handler ran, stay for the next question
        typed = event.prompt.value
        event.prompt.value = typed[len(query) :] if typed.startswith(query) else typed
        chat_view = self.query_one(ChatView)
        chat_view.add("user", query)
        chat_view.start_live("…")
        k = 1 if self.method == "baseline" else self.rt.settings.generation.k
        self._live = LiveTurn(self.method, k, time.monotonic())
        self._cancel = CancelToken()
        self._question = query
        self.generate(query, self._cancel)
        self._clock = self.set_interval(_LIVE_REDRAW_S, self._tick)

    def _tick(self) -> None:
        if self._live is not None:
            self._render_live()

    @work(thread=True, exclusive=True, exit_on_error=False, group="generate")
    def generate(self, query: str, cancel: CancelToken) -> None:
        progress = ProgressBatcher(
            lambda pieces: self.post_message(TokensArrived(pieces)),
            lambda phase, done, total: self.post_message(PhaseChanged(phase, done, total)),
            _TOKEN_FLUSH_S,
            lambda event: self.post_message(SteerActed(event)),
        )
        try:
            with self.engine_lock:
                result = chat.ask(
                    self.rt,
                    query,
                    profile_id=self.profile.id,
                    conversation_id=self.conversation_id,
                    on_progress=progress,
                    cancel=cancel,
                    method=self.method,
                )
        except Cancelled:
            self.post_message(TurnFailed("", query))
            return
        except chat.TurnNotStored as e:
            progress.flush()
            self.app.call_from_thread(self.show_not_stored, e)
            return
        except PersonacoError as e:
            self.post_message(TurnFailed(e.message, query))
            return
        progress.flush()
        assert isinstance(result, chat.TurnResult)
        self.post_message(TurnFinished(result))

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        if worker.group == "generate" and self._cancel is not None:
            self.on_turn_failed(TurnFailed(message, self._question))
        else:
            super().worker_failed(worker, message)

    def on_tokens_arrived(self, event: TokensArrived) -> None:
        if self._live is not None:
            for cand, (n_tokens, text) in event.pieces.items():
                self._live.add(cand, text, n_tokens)  # the clock draws it

    def on_steer_acted(self, event: SteerActed) -> None:
        if self._live is not None:
            self._live.steered(event.event)  # the clock draws it

    def on_phase_changed(self, event: PhaseChanged) -> None:
        if self._live is not None:
            self._live.at_phase(event.phase, event.done, event.total)
            self._render_live()
        if event.phase == "reflecting":
            self.update_status(f"reflecting {event.done}/{event.total}")
        else:
            self.update_status(event.phase + "…")

    def _render_live(self) -> None:
        if self._live is not None:
            self.query_one(ChatView).update_live(live_markdown(self._live, time.monotonic()))

    async def on_suggestion_bar_accepted(self, event: SuggestionBar.Accepted) -> None:
        await self.query_one(SignalsPanel).reload()

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
            r.answer.content or EMPTY_ANSWER,
            message_id=r.answer.id,
            generation_id=r.answer.generation_id,
        )
        g = r.generation
        note = f"{g.total_s:.1f}s"
        if g.settings.method == "personaco" and g.cells:
            note += f" · picked candidate {g.chosen_index + 1} of {g.settings.k} (F2: why)"
        self.update_status(note)
        self.query_one(SuggestionBar).reload()  # what the question said about the user
        self.query_one(SignalsPanel).refresh_badges()  # the turn read the facts
        conversations = self.query_one(ConversationList)
        if new_conversation:
            self._sidebar(conversations.mark_open(r.conversation_id))
        else:
            self._sidebar(conversations.reload())  # the list is ordered by last activity

    def show_not_stored(self, e: chat.TurnNotStored) -> None:
        """The store refused a finished turn (a lock, a full disk): the answer is shown all
        the same, with a note, and the question stays on screen; neither is in the history."""
        self._end_turn()
        self.query_one(ChatView).add("assistant", e.generation.response or EMPTY_ANSWER)
        self.notify(e.message, title="Not stored", severity="warning", timeout=10)
        self.update_status("answer not stored")

    def on_turn_failed(self, event: TurnFailed) -> None:
        self._end_turn()
        view = self.query_one(ChatView)
        # the question was not stored: take it off the screen and give it back to the input
        user_msgs = list(view.query(".user"))
        if user_msgs:
            user_msgs[-1].remove()
        prompt = self.query_one("#prompt", PromptInput)
        if not prompt.value:
            prompt.value = event.query
        if event.error:
            self.notify(event.error, title="Not answered", severity="error", timeout=10)
            self.update_status()
        else:
            self.update_status("cancelled")

    # -- conversations and profiles -------------------------------------------------------

    def _sidebar(self, refresh: Awaitable[None]) -> None:
        """Refresh the sidebar in a worker; a failure is a notification, not a crash."""
        self.run_worker(refresh, group="sidebar", exit_on_error=False)

    def busy(self) -> bool:
        """True (and says so) while a turn runs: switching chats now would lose it."""
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
        self._sidebar(self.query_one(ConversationList).mark_open(conversation_id))

    def on_conversation_list_opened(self, event: ConversationList.Opened) -> None:
        if self.busy():
            return
        if event.conversation is None:
            self.action_new_conversation()
        else:
            self.load_conversation(event.conversation.id)
            self.query_one("#prompt", PromptInput).focus()

    def on_conversation_list_deleted(self, event: ConversationList.Deleted) -> None:
        if event.conversation_id == self.conversation_id:
            self.conversation_id = None
            self.query_one(ChatView).show_empty("That conversation was deleted.")

    async def on_profile_list_chosen(self, event: ProfileList.Chosen) -> None:
        if self.busy():
            return
        await self.switch_profile(event.profile)

    async def switch_profile(self, profile: Profile) -> None:
        self.profile = profile
        self._show_profile()
        await self.query_one(ProfileList).set_active(profile)
        signals = self.query_one(SignalsPanel)
        signals.profile_id = profile.id
        await signals.reload()
        self.query_one(SuggestionBar).reload(profile.id)
        conversations = self.query_one(ConversationList)
        conversations.open_id = None
        await conversations.reload(profile.id)
        self.conversation_id = None
        self.query_one(ChatView).show_empty(f"Profile {profile.name}: a new conversation.")

    async def open_hit(self, hit: HistoryHit) -> None:
        """Open a history search hit: its profile, its conversation, scrolled to the match."""
        if self.busy():
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

    # -- actions (bound in the app's key table as chat('…')) -----------------------------

    def action_cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()
        else:
            self.query_one("#prompt", PromptInput).focus()

    def action_toggle_method(self) -> None:
        self.method = "baseline" if self.method == "personaco" else "personaco"
        self.update_status()

    def action_new_conversation(self) -> None:
        if self.busy():
            return
        self.conversation_id = None
        self.query_one(ChatView).show_empty("New conversation.")
        self._sidebar(self.query_one(ConversationList).mark_open(None))
        self.query_one("#prompt", PromptInput).focus()

    def action_toggle_sidebar(self) -> None:
        left = self.query_one("#left")
        left.display = not left.display

    def action_new_profile(self) -> None:
        self.query_one(ProfileList).action_new()

    def action_add_signal(self) -> None:
        self.query_one(SignalsPanel).action_add()

    def action_focus_signals(self) -> None:
        self.query_one(SignalsPanel).focus()

    def _signal_texts(self) -> list[str]:
        return [s.text for s in P.list_signals(self.rt.store, self.profile.id)]

    def action_try_examples(self) -> None:
        """The welcome's three example signals, added to the active profile to try."""
        have = set(self._signal_texts())
        new = [t for t in EXAMPLE_SIGNALS if t not in have]
        self.run_worker(self._add_signals(new), group="signals", exit_on_error=False)

    def action_why(self) -> None:
        answer = self.query_one(ChatView).last_answer()
        if answer is None:
            self.notify("No answer yet: ask something first.", severity="warning")
            return
        self.show_why(answer)

    def on_chat_message_clicked(self, event: ChatMessage.Clicked) -> None:
        self.show_why(event.chat_message)

    def show_why(self, answer: ChatMessage) -> None:
        if answer.generation_id is None or isinstance(self.app.screen, WhyScreen):
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
            answer.replace(message.content or EMPTY_ANSWER)
            self.update_status(f"you picked candidate {index + 1}")
            if chat.suggest_from_behaviour(self.rt, self.profile.id):
                self.query_one(SuggestionBar).reload()

        self.app.push_screen(WhyScreen(generation, choice), picked)

    def _last_answer_text(self) -> str | None:
        answer = self.query_one(ChatView).last_answer(stored_only=False)
        if answer is None:
            self.notify("No answer to copy yet.", severity="warning")
            return None
        return answer.content

    def action_copy_answer(self) -> None:
        text = self._last_answer_text()
        if text is not None:
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied the answer ({len(text)} characters).")

    def action_copy_code(self) -> None:
        text = self._last_answer_text()
        if text is None:
            return
        blocks = code_blocks(text)
        if not blocks:
            self.notify("The last answer has no code blocks.", severity="warning")
            return
        self.app.copy_to_clipboard("\n\n".join(blocks))
        self.notify(f"Copied {len(blocks)} code block{'s' if len(blocks) > 1 else ''}.")

    # -- suggested signals ----------------------------------------------------------------

    def action_suggest(self) -> None:
        if self.rt.engine is None:
            self.notify(f"The model is {self.model_status}.", severity="warning")
            return
        prompt = self.query_one("#prompt", PromptInput)
        query = prompt.value.strip() or (self._questions() or [""])[-1]
        if query:
            self._suggest_for(query)
            return

        def asked(text: str | None) -> None:
            if text:
                self._suggest_for(text)

        self.app.push_screen(
            TextPromptScreen(
                "Suggest signals for which question?",
                placeholder="e.g. How do vaccines work?",
                what="The question",
            ),
            asked,
        )

    def _questions(self) -> list[str]:
        """The open conversation's questions, oldest first (the prompt's Up recalls them)."""
        return [m.content for m in self.query_one(ChatView).query(ChatMessage) if m.role == "user"]

    async def _add_signals(self, texts: list[str]) -> None:
        added = 0
        for text in texts:
            try:
                P.add_signal(self.rt.store, self.profile.id, text)
                added += 1
            except PersonacoError as e:
                self.notify(e.message, severity="error")
        await self.query_one(SignalsPanel).reload()
        self.notify(f"Added {added} signal{'s' if added != 1 else ''}.")

    def _suggest_for(self, query: str) -> None:
        assert self.rt.engine is not None
        cancel = CancelToken()
        suggest = suggester(
            self.rt.engine, self.engine_lock, self.rt.settings.generation.seed, cancel
        )

        async def accepted(chosen: list[str] | None) -> None:
            if chosen:
                await self._add_signals(chosen)

        self.app.push_screen(SuggestSignalsScreen(query, suggest, cancel), accepted)
