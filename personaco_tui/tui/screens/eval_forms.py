"""The form that creates an evaluation session: a name, an items file (or "from my
conversations": the active profile's past questions with its signals) and the two method
configurations, as `personaco eval create NAME --items FILE | --from-history --a CONFIG
--b CONFIG` takes them.

The form creates the session itself (through `evaluation.actions`, the CLI's own code), so a
bad file or configuration is shown in the form, on one line, and the form stays open with
what was typed; it is dismissed with the created session only once it exists."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from ...errors import PersonacoError
from ...evaluation import actions
from ...store import profiles as P
from ...store.db import Store

DEFAULT_A = "personaco:k=8,reflector=auto"
DEFAULT_B = "baseline"
ITEMS_LABEL = 'Items file (JSONL, one {"id", "query", "signals"} per line)'
HISTORY_LABEL = "From my conversations: the active profile's questions, with its signals"
CONFIG_HELP = (
    "A method: baseline or personaco, then :key=value,… with keys k, reflector, "
    "temperature, seed, max_tokens, model. Enter moves on · Esc cancels."
)


class CreateSessionScreen(ModalScreen[actions.Created | None]):
    """Name, items file, A and B; Enter in the last field (or Create) creates the session,
    Esc closes the form without creating anything."""

    DEFAULT_CSS = """
    CreateSessionScreen {
        align: center middle;
        background: $background 60%;
    }
    CreateSessionScreen Input {
        background: $boost;
        margin-bottom: 1;
    }
    CreateSessionScreen Input:focus {
        background: $primary 20%;
    }
    #create-error {
        color: $error;
        text-style: bold;
        height: auto;
        margin-top: 1;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New evaluation session", classes="dialog-title")
            yield Label("Name", classes="form-label")
            yield Input(placeholder="e.g. personaco-vs-baseline", id="create-name", compact=True)
            yield Label(ITEMS_LABEL, classes="form-label", markup=False)
            yield Input(placeholder="path/to/items.jsonl", id="create-items", compact=True)
            yield Checkbox(HISTORY_LABEL, id="create-history", compact=True)
            yield Label("Method A", classes="form-label")
            yield Input(DEFAULT_A, id="create-a", compact=True)
            yield Label("Method B", classes="form-label")
            yield Input(DEFAULT_B, id="create-b", compact=True)
            yield Static("", id="create-error", markup=False)
            yield Label(CONFIG_HELP, classes="dialog-hint", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", variant="primary", id="create-ok", compact=True)
                yield Button("Cancel", id="create-cancel", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # the shared `.dialog` rule (app.tcss) outranks DEFAULT_CSS: widen it here, for paths
        self.query_one(".dialog").styles.width = 84
        self.query_one("#create-error").display = False
        self.query_one("#create-name", Input).focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        # Enter moves down the form; on the last field it creates
        event.stop()
        if event.input.id == "create-b":
            self.create()
        else:
            self.focus_next(Input)

    @on(Button.Pressed, "#create-ok")
    def ok_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.create()

    @on(Button.Pressed, "#create-cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def value(self, field: str) -> str:
        return self.query_one(f"#create-{field}", Input).value

    @on(Checkbox.Changed, "#create-history")
    def history_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#create-items", Input).disabled = event.value

    def create(self) -> None:
        try:
            if self.query_one("#create-history", Checkbox).value:
                profile = P.ensure_default_profile(self.store)
                made = actions.create_from_history(
                    self.store, self.value("name"), profile.id, self.value("a"), self.value("b")
                )
            else:
                made = actions.create_from_items_file(
                    self.store, *(self.value(f) for f in ("name", "items", "a", "b"))
                )
        except PersonacoError as e:
            self.show_error(e.message)
            return
        self.dismiss(made)

    def show_error(self, message: str) -> None:
        error = self.query_one("#create-error", Static)
        error.update(" ".join(message.split()))  # one line, whatever the message holds
        error.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)
