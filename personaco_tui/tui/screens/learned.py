"""What I learned (F9): what the active profile's choices taught, in the words `personaco
profile learned` prints (learned_view.py), with the proposals and open suggestions to say yes
or no to, and a reset behind a confirmation. Dismissed with True when a signal, a suggestion
or the learned model changed, so the chat reloads its panel and suggestion bar."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Label, LoadingIndicator
from textual.worker import Worker

from ... import learning
from ...core.types import Profile
from ...errors import PersonacoError
from ...learned_view import LearnedView, learned_view
from ...store import preferences as PR
from ...store import suggestions as S
from ...store.db import Store
from ...terminal_text import neutralise
from ..workers import WorkerErrors
from .dialogs import ConfirmScreen


def _row(text: str, *buttons: Button) -> Horizontal:
    return Horizontal(Label(neutralise(text), markup=False), *buttons, classes="learned-row")


class LearnedScreen(WorkerErrors, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "close", "Close")]

    class Loaded(Message):
        def __init__(self, view: LearnedView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, store: Store, profile: Profile, setting: str) -> None:
        super().__init__()
        self.store = store
        self.profile = profile
        self.setting = setting
        self.view: LearnedView | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="learned"):
            yield Label(
                f"What PersonaCo learned · {self.profile.name}",
                classes="dialog-title",
                markup=False,
            )
            yield LoadingIndicator(id="learned-loading")
            yield VerticalScroll(id="learned-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reset what was learned", variant="error", id="learned-reset")
                yield Button("Close (esc)", id="learned-close")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    # the view may refit the model from up to 500 stored turns: off the UI thread
    @work(thread=True, exclusive=True, exit_on_error=False, group="learned")
    def load(self) -> None:
        try:
            view = learned_view(self.store, self.profile, self.setting)
        except PersonacoError as e:
            self.app.call_from_thread(self.notify, e.message, severity="error")
            return
        self.post_message(self.Loaded(view))

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        self.query_one(LoadingIndicator).display = False
        super().worker_failed(worker, message)

    async def on_learned_screen_loaded(self, event: Loaded) -> None:
        view = self.view = event.view
        self.query_one(LoadingIndicator).display = False
        body = self.query_one("#learned-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(self._parts(view))
        self.query_one("#learned-reset", Button).disabled = view.model is None

    def _parts(self, view: LearnedView) -> list[Widget]:
        parts: list[Widget] = [
            Label(neutralise(view.summary()), id="learned-summary", markup=False)
        ]
        parts.append(Label(view.usage(), id="learned-usage", classes="dialog-hint", markup=False))
        if view.proposals:
            parts.append(Label("Proposed from your choices", classes="pane-title"))
        for i, p in enumerate(view.proposals):
            add = Button("Add as signal", id=f"learned-add-{i}", variant="primary", compact=True)
            parts.append(_row(f"“{p.text}” {p.evidence}", add))
        if view.suggestions:
            parts.append(Label("Suggestions waiting for you", classes="pane-title"))
        for s in view.suggestions:
            keep = Button("Keep", id=f"learned-keep-{s.id}", variant="primary", compact=True)
            drop = Button("Dismiss", id=f"learned-dismiss-{s.id}", compact=True)
            parts.append(_row(f"“{s.text}” (from {s.source}: {s.evidence})", keep, drop))
        return parts

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        event.stop()
        if name == "learned-close":
            self.action_close()
        elif name == "learned-reset":
            self.action_reset()
        elif name.startswith(("learned-add-", "learned-keep-", "learned-dismiss-")):
            self._decide(name.removeprefix("learned-"))

    def _decide(self, what: str) -> None:
        action, _, number = what.rpartition("-")
        try:
            if action == "add" and self.view is not None:
                signal = learning.add_proposal(
                    self.store, self.profile.id, self.view.proposals[int(number)]
                )
                self.notify(f"Added the signal “{neutralise(signal.text)}”.")
            elif action == "keep":
                done = S.accept_suggestion(self.store, int(number))
                self.notify(f"Added the signal “{neutralise(done.text)}”.")
            elif action == "dismiss":
                S.dismiss_suggestion(self.store, int(number))
        except PersonacoError as e:
            self.notify(e.message, severity="error")
        self.changed = True
        self.load()

    def action_reset(self) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                n = PR.reset(self.store, self.profile.id)
            except PersonacoError as e:
                self.notify(e.message, severity="error")
                return
            self.changed = True
            self.notify(f"Forgot what {self.profile.name} learned from {n} choices.")
            self.load()

        self.app.push_screen(
            ConfirmScreen(
                f"Forget what {self.profile.name} learned?",
                "Your picks and ratings stay stored; learning starts again from your next choice. "
                "Signals and suggestions are kept.",
            ),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss(self.changed)
