"""Help: every key, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label


def _keys(binding: Binding) -> str:
    return " / ".join(k.strip() for k in binding.key.split(","))


def binding_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for b in bindings:
        if isinstance(b, Binding) and b.description:
            # the footer's label is short; a tooltip, where given, is the full name
            rows.append((_keys(b), b.tooltip or b.description))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label("Keys", classes="dialog-title")
            table: DataTable = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Where", "Key", "Does")
            for where, rows in self.sections:
                for key, does in rows:
                    table.add_row(where, key, does)
            yield table
            yield Label(
                "ctrl+p opens the command palette: every action by name. Esc closes this.",
                classes="dialog-hint",
            )
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)
