"""History: full-text search over every conversation; Enter opens the conversation."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from ...errors import PersonacoError
from ...store import conversations as C
from ...store.db import Store
from ..workers import WorkerErrors

_DEBOUNCE_S = 0.15  # search once typing pauses, not on every key


@dataclass(frozen=True)
class HistoryHit:
    conversation_id: int
    message_id: int


def snippet_text(role: str, title: str, snippet: str) -> Text:
    """One result line: the conversation, who spoke, and the snippet with [matches] bold."""
    out = Text()
    out.append(title or "(untitled)", style="bold")
    out.append(f"  {role}: ", style="dim")
    flat = " ".join(snippet.split())
    pos = 0
    while True:
        start = flat.find(C.SNIPPET_OPEN, pos)
        end = flat.find(C.SNIPPET_CLOSE, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(flat[pos:])
            return out
        out.append(flat[pos:start])
        out.append(flat[start + 1 : end], style="bold reverse")
        pos = end + 1


class HistoryScreen(WorkerErrors, ModalScreen[HistoryHit | None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self, store: Store, query: str = "") -> None:
        super().__init__()
        self.store = store
        self._initial = query
        self._hits: list[HistoryHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="history"):
            yield Label("Search history", classes="dialog-title")
            yield Input(
                self._initial, placeholder="words to find in any conversation", id="history-input"
            )
            yield Label("", id="history-count")
            yield OptionList(id="history-results")
            yield Label(
                "Type to search · ↓ to the results · Enter opens · Esc closes",
                classes="dialog-hint",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self._initial:
            self.search(self._initial)

    @on(Input.Changed, "#history-input")
    def changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#history-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0

    @work(exclusive=True, exit_on_error=False, group="history-search")
    async def search(self, text: str) -> None:
        import asyncio

        await asyncio.sleep(_DEBOUNCE_S)  # a newer keystroke cancels this worker first
        results = self.query_one(OptionList)
        count = self.query_one("#history-count", Label)
        results.clear_options()
        self._hits = []
        if not text.strip():
            count.update("")
            return
        try:
            found = C.search_messages(self.store, text, limit=100)
            titles = {c.id: c.title for c in C.list_conversations(self.store)}
        except PersonacoError as e:
            count.update(e.message)
            return
        for message, snip in found:
            self._hits.append(HistoryHit(message.conversation_id, message.id))
            title = titles.get(message.conversation_id, f"#{message.conversation_id}")
            results.add_option(Option(snippet_text(message.role, title, snip)))
        n = len(found)
        count.update(f"{n} message{'s' if n != 1 else ''}" + (" (first 100)" if n == 100 else ""))

    @on(OptionList.OptionSelected, "#history-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._hits):
            self.dismiss(self._hits[event.option_index])

    def action_results(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()

    def action_close(self) -> None:
        self.dismiss(None)
