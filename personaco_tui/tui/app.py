"""The Textual app: a switchboard over the chat (screens/chat.py) and the other screens.

It holds what every screen shares: the runtime, the one model and the lock its workers take
turns on, the key table (the footer, the help screen and the command palette all read it),
and switching to settings, history, help and the evaluation screens. The model loads in a
thread worker after the first screen appears.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import work
from textual.actions import parse
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import Worker

from .. import config as CFG
from ..core.reflectors import polarity
from ..engines.base import Engine
from ..errors import PersonacoError
from ..runtime import Runtime
from .hangup import watch_terminal
from .messages import EngineFailed, EngineLoaded
from .screens.chat import ChatScreen
from .screens.help import HelpScreen, binding_rows
from .screens.history import HistoryHit, HistoryScreen
from .screens.learned import LearnedScreen
from .screens.rating import RatingScreen
from .screens.report import EvalReportScreen
from .screens.sessions import EvalSessionsScreen
from .screens.settings import SavedSettings, SettingsScreen
from .screens.why import WhyScreen
from .widgets.prompt import PROMPT_KEYS
from .widgets.sidebar import ConversationList, ProfileList
from .widgets.signals_panel import SignalsPanel
from .widgets.suggestion_bar import SuggestionBar
from .workers import WorkerErrors

# settings whose change needs the model loaded again
_RELOAD_KEYS = {"model.default", "model.n_gpu_layers", "model.weights"}
_KEY_NAMES = {"escape": "Esc"}


@dataclass(frozen=True)
class KeyCommand(Binding):
    """A key that is also a command palette entry: `help` is the palette's line about it."""

    help: str = ""


def key_shown(binding: Binding) -> str:
    """The keys as the palette prints them: `F2 / w`, `ctrl+n`, `Esc`."""
    keys = [k.strip() for k in binding.key.split(",")]
    return " / ".join(
        _KEY_NAMES.get(k, k.upper() if k[:1] == "f" and k[1:].isdigit() else k) for k in keys
    )


class PersonacoApp(WorkerErrors, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "PersonaCo"
    # The chat's prompt; on the other screens it matches nothing, so they start unfocused
    # (their tables show no cursor until the user moves into them).
    AUTO_FOCUS = "#prompt"
    # Footer labels are short so every key fits in 120 columns; the help screen (F1) and the
    # command palette (ctrl+p) give the long names. Keys for the chat call `chat('…')`: they
    # act on the chat screen and are off (and out of the footer) while another screen is on
    # top, where Ctrl+N would otherwise change the hidden chat. They stay in this one table,
    # not on the chat screen, so the footer keeps its order (a screen's keys come first).
    BINDINGS = [
        KeyCommand(
            "escape",
            "chat('cancel')",
            "Cancel",
            tooltip="Cancel the answer being written",
            help="Stop the answer; the question goes back to the prompt",
        ),
        KeyCommand(
            "ctrl+n",
            "chat('new_conversation')",
            "New chat",
            tooltip="Start a new conversation",
            help="A fresh conversation with the active profile",
        ),
        KeyCommand(
            "ctrl+t",
            "chat('toggle_method')",
            "Method",
            tooltip="Switch baseline / PersonaCo",
            help="One answer, or k answers and a pick",
        ),
        # `w` only reaches the app when the prompt is not focused (the Input takes letters,
        # and its Ctrl+W deletes a word); F2 works from anywhere, and so does a click.
        KeyCommand(
            "f2,w",
            "chat('why')",
            "Why",
            tooltip="Why this answer",
            help="Candidates and signal scores of the last answer",
        ),
        # The signals panel is the heart of the product: one key reaches it from anywhere
        # (ctrl+g for terminals that keep F-keys for themselves), and one adds a signal.
        KeyCommand(
            "f6,ctrl+g",
            "chat('focus_signals')",
            "Signals",
            tooltip="Go to the signals panel",
            help="Focus the active profile's signals (then a adds, e edits, space toggles)",
        ),
        KeyCommand(
            "f7",
            "chat('add_signal')",
            "Add signal",
            tooltip="Add signal",
            help="Add a signal to the active profile",
            show=False,
        ),
        # named by the welcome on an empty chat, so not in the footer
        KeyCommand(
            "f8",
            "chat('try_examples')",
            "Examples",
            tooltip="Add the example signals",
            help="Add the welcome's three example signals to the active profile, to try",
            show=False,
        ),
        KeyCommand(
            "ctrl+y",
            "chat('copy_answer')",
            "Copy",
            tooltip="Copy answer",
            help="Copy the last answer to the clipboard",
        ),
        KeyCommand(
            "ctrl+f",
            "history",
            "History",
            tooltip="Search history",
            help="Full-text search over every conversation",
        ),
        KeyCommand("f3", "settings", "Settings", help="Model, k, temperature, reflector, judge"),
        KeyCommand(
            "f4",
            "chat('suggest')",
            "Suggest",
            tooltip="Suggest signals",
            help="Let the model propose signals for a question",
        ),
        KeyCommand(
            "ctrl+b",
            "chat('toggle_sidebar')",
            "Sidebar",
            tooltip="Toggle sidebar",
            help="Show or hide profiles and conversations",
        ),
        KeyCommand(
            "f5",
            "evaluations",
            "Evals",
            tooltip="Evaluation sessions",
            help="Rate A/B pairs blind, see win rates and plots",
        ),
        # not in the footer, which is full at 120 columns: F1 and the palette list it
        KeyCommand(
            "f9",
            "learned",
            "Learned",
            tooltip="What I learned",
            help="What your choices taught, in words; proposals to add; reset it",
            show=False,
        ),
        KeyCommand("f1", "help", "Help", help="Every key"),
        KeyCommand("ctrl+q", "quit", "Quit", priority=True, help="Quit PersonaCo"),
    ]
    # palette entries with no key of their own: (title, help, chat action)
    _CHAT_COMMANDS = [
        ("Copy code blocks", "Copy the code blocks of the last answer", "copy_code"),
        ("New profile", "Create a profile and make it active", "new_profile"),
    ]

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.rt = runtime
        # One model, several workers (a turn, a suggestion, an evaluation, a reload).
        self._engine_lock = threading.Lock()
        self.chat = ChatScreen(runtime, self._engine_lock)

    def get_default_screen(self) -> Screen[None]:
        return self.chat

    async def on_mount(self) -> None:
        # The chat, as the default screen, composes in its own task: wait for it, so the app
        # counts as ready (for Pilot and the snapshots too) with the chat on screen.
        await AwaitMount(self.chat, [self.chat])
        watch_terminal(self)
        self.load_engine()

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
        polarity.warm(engine)  # the persona reflector's reading of facts, fitted once a model
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.call_from_thread(self.model_ready)

    def model_ready(self) -> None:
        """The model is loaded (and has fitted its reading of facts): the facts' badges."""
        for panel in self.chat.query(SignalsPanel):  # none while the chat is not composed
            panel.refresh_badges()

    def on_engine_loaded(self, event: EngineLoaded) -> None:
        self.chat.model_status = event.engine.name
        self.chat.update_status()

    def on_engine_failed(self, event: EngineFailed) -> None:
        self.chat.model_status = "not loaded"
        self.chat.update_status()
        self.notify(
            event.error + " (F3 opens the settings)", title="Model", severity="error", timeout=15
        )

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        if worker.group == "model":
            self.on_engine_failed(EngineFailed(message))
        else:
            super().worker_failed(worker, message)

    def reload_engine(self) -> None:
        if self.chat.busy():
            self.notify("The new model loads after this answer: F3 and save again.")
            return
        self.chat.model_status = "loading…"
        self.rt.drop_engine()
        self.chat.update_status()
        self.load_engine()

    # -- keys and the command palette -----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "chat" or self.screen is self.chat

    def action_chat(self, name: str) -> None:
        getattr(self.chat, f"action_{name}")()

    def _command(self, action: str) -> Callable[[], object]:
        namespace, name, parameters = parse(action)
        target = self if namespace in ("", "app") else self.screen
        return partial(getattr(target, f"action_{name}"), *parameters)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the table, named and explained as the key itself is (one place to
        change a key), then the chat's commands that have no key."""
        chat_shown = screen is self.chat
        commands: list[SystemCommand] = []
        for b in self.BINDINGS:
            if not isinstance(b, Binding) or not b.description:
                continue
            if b.action.startswith("chat(") and not chat_shown:
                continue
            help_text = b.help if isinstance(b, KeyCommand) and b.help else b.description
            title = b.tooltip or b.description
            commands.append(
                SystemCommand(title, f"{help_text} ({key_shown(b)})", self._command(b.action))
            )
        if chat_shown:
            for title, help_text, name in self._CHAT_COMMANDS:
                commands.append(SystemCommand(title, help_text, partial(self.action_chat, name)))
        ours = {c.title for c in commands}
        yield from (c for c in super().get_system_commands(screen) if c.title not in ours)
        yield from commands

    # -- the other screens ----------------------------------------------------------------

    def action_history(self) -> None:
        def opened(hit: HistoryHit | None) -> None:
            if hit is not None:
                self.run_worker(self.chat.open_hit(hit), exit_on_error=False)

        self.push_screen(HistoryScreen(self.rt.store), opened)

    def action_settings(self) -> None:
        def saved(result: SavedSettings | None) -> None:
            if result is None:
                return
            try:
                self.rt.settings = CFG.load(self.rt.loc)
            except PersonacoError as e:
                self.notify(e.message, title="Settings", severity="error")
                return
            self.chat.method = self.rt.settings.generation.method
            if _RELOAD_KEYS & set(result.changed):
                self.reload_engine()
            self.chat.update_status("settings saved" if result.changed else "")

        self.push_screen(SettingsScreen(self.rt.loc, self.rt.store), saved)

    def action_evaluations(self) -> None:
        self.push_screen(EvalSessionsScreen(self.rt.store, self.rt, self._engine_lock))

    def action_learned(self) -> None:
        if isinstance(self.screen, LearnedScreen):
            return  # F9 again on the screen itself

        async def closed(changed: bool | None) -> None:
            if changed:  # a signal added, a suggestion decided: the chat shows it
                await self.chat.query_one(SignalsPanel).reload()
                self.chat.query_one(SuggestionBar).reload()

        setting = self.rt.settings.generation.learning
        self.push_screen(LearnedScreen(self.rt.store, self.chat.profile, setting), closed)

    def action_help(self) -> None:
        sections = [
            ("anywhere", binding_rows(self.BINDINGS)),
            ("anywhere", [("ctrl+p", "Command palette")]),
            ("prompt", PROMPT_KEYS),
            ("signals", binding_rows(SignalsPanel.BINDINGS)),
            ("conversations", binding_rows(ConversationList.BINDINGS)),
            ("profiles", binding_rows(ProfileList.BINDINGS)),
            ("why this answer", binding_rows(WhyScreen.BINDINGS)),
            ("evaluation sessions", binding_rows(EvalSessionsScreen.BINDINGS)),
            ("blind rating", binding_rows(RatingScreen.BINDINGS)),
            ("evaluation report", binding_rows(EvalReportScreen.BINDINGS)),
        ]
        self.push_screen(HelpScreen(sections))


def make_app(home: str | Path | None = None, *, engine: Engine | None = None) -> PersonacoApp:
    """Build the app exactly as the CLI does (tests use this too, handing in the loaded model)."""
    return PersonacoApp(Runtime.open(home, engine=engine))
