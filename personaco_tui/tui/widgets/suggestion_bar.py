"""The suggestion bar above the prompt: a signal proposed from the user's own words ("Keep
“I'm vegetarian.” as a signal?"), one at a time, oldest first. Nothing is added unless the
user accepts: `k` (or a click on Keep) adds it to the profile, `x` (or Dismiss) drops it for
good, Esc goes back to the prompt. Hidden while there is nothing to suggest."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Label

from ...core.types import Suggestion
from ...errors import PersonacoError
from ...store import suggestions as S
from ...store.db import Store
from ...terminal_text import neutralise


class SuggestionBar(Horizontal, can_focus=True):
    DEFAULT_CSS = """
    SuggestionBar {
        display: none;
        height: auto;
        margin: 0 1;
        padding: 0 1;
        background: $accent 12%;
    }
    SuggestionBar.shown {
        display: block;
    }
    SuggestionBar:focus {
        background: $accent 25%;
    }
    SuggestionBar > #suggestion-text {
        width: 1fr;
        padding: 0 1 0 0;
    }
    SuggestionBar > Button {
        min-width: 9;
        height: 1;
        border: none;
        margin-left: 1;
    }
    """
    BINDINGS = [
        Binding("k", "keep", "Keep signal"),
        Binding("x", "dismiss", "Dismiss"),
        Binding("escape", "leave", "Back", show=False),
    ]

    class Accepted(Message):
        """A suggestion became a signal of the profile: the signals panel reloads."""

        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    def __init__(self, store: Store, profile_id: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store = store
        self.profile_id = profile_id
        self.current: Suggestion | None = None
        self.waiting = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="suggestion-text", markup=False)
        yield Button("Keep", id="suggestion-keep", variant="primary", compact=True)
        yield Button("Dismiss", id="suggestion-dismiss", compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, profile_id: int | None = None) -> None:
        """Show the profile's oldest open suggestion (or hide the bar when there is none)."""
        if profile_id is not None:
            self.profile_id = profile_id
        try:
            open_ = S.list_suggestions(self.store, self.profile_id)
        except PersonacoError as e:
            self.notify(e.message, severity="error")
            open_ = []
        self.current = open_[0] if open_ else None
        self.waiting = max(0, len(open_) - 1)
        self.set_class(self.current is not None, "shown")
        if self.current is not None:
            more = f"  (+{self.waiting} more)" if self.waiting else ""
            self.query_one("#suggestion-text", Label).update(
                f"Keep “{neutralise(self.current.text)}” as a signal?{more}"
            )
        elif self.has_focus:
            self.action_leave()

    def action_keep(self) -> None:
        self._decide(accept=True)

    def action_dismiss(self) -> None:
        self._decide(accept=False)

    def action_leave(self) -> None:
        for prompt in self.screen.query("#prompt"):
            prompt.focus()

    def _decide(self, accept: bool) -> None:
        if self.current is None:
            return
        try:
            if accept:
                done = S.accept_suggestion(self.store, self.current.id)
                self.post_message(self.Accepted(done))
                self.notify(f"Added the signal “{neutralise(done.text)}”.")
            else:
                S.dismiss_suggestion(self.store, self.current.id)
        except PersonacoError as e:
            self.notify(e.message, severity="error")
        self.reload()

    @on(Button.Pressed, "#suggestion-keep")
    def _keep_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_keep()

    @on(Button.Pressed, "#suggestion-dismiss")
    def _dismiss_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_dismiss()
