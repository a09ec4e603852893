"""Suggest signals: the model proposes personalizations for a question (the paper's
signal-generation prompt) and the user ticks the ones to add to the active profile."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, LoadingIndicator, SelectionList
from textual.worker import Worker

from ...engines.base import CancelToken, Engine
from ...errors import Cancelled, PersonacoError
from ..workers import WorkerErrors

Suggest = Callable[[str], list[str]]  # query -> proposed signals (runs in a worker thread)


def suggester(engine: Engine, lock: threading.Lock, seed: int, cancel: CancelToken) -> Suggest:
    """Five short signals from the model, taking its turn on `lock`; a negative seed draws
    a fresh one each time."""
    from ...evaluation.signals_gen import suggest_signals  # loaded when first wanted

    def suggest(query: str) -> list[str]:
        with lock:
            return suggest_signals(
                engine,
                query,
                n=5,
                max_tokens=160,  # five short signals; the user is waiting
                seed=seed if seed >= 0 else random.randrange(2**31),
                cancel=cancel,
            )

    return suggest


class SuggestSignalsScreen(WorkerErrors, ModalScreen[list[str] | None]):
    """Dismissed with the ticked signals (maybe empty), or None on Esc."""

    BINDINGS = [
        Binding("escape", "close", "Cancel"),
        Binding("ctrl+s", "accept", "Add ticked"),
    ]

    def __init__(self, query: str, suggest: Suggest, cancel: CancelToken | None = None) -> None:
        super().__init__()
        self.query_text = query
        self._suggest = suggest
        self._cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="suggest"):
            yield Label("Suggested signals", classes="dialog-title")
            yield Label(f"for: {self.query_text}", classes="dialog-detail", markup=False)
            yield LoadingIndicator(id="suggest-loading")
            yield SelectionList[str](id="suggest-list")
            yield Label(
                "Space ticks · ctrl+s adds the ticked ones · Esc cancels", classes="dialog-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add ticked (ctrl+s)", variant="primary", id="add", disabled=True)
                yield Button("Cancel (esc)", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(SelectionList).display = False
        self.propose()

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest")
    def propose(self) -> None:
        try:
            found = self._suggest(self.query_text)
        except Cancelled:
            return
        except PersonacoError as e:
            self.app.call_from_thread(self._failed, e.message)
            return
        self.app.call_from_thread(self._show, found)

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        if worker.group == "suggest":
            self._failed(message)  # the model's lock was let go when the worker unwound
        else:
            super().worker_failed(worker, message)

    def _failed(self, error: str) -> None:
        if not self.is_attached:  # dismissed while the model was still writing
            return
        self.query_one(LoadingIndicator).display = False
        self.notify(error, title="No suggestions", severity="error", timeout=10)
        self.dismiss(None)

    def _show(self, found: list[str]) -> None:
        if not self.is_attached:
            return
        self.query_one(LoadingIndicator).display = False
        if not found:
            self.notify(
                "The model proposed nothing usable; try again or rephrase.", severity="warning"
            )
            self.dismiss(None)
            return
        sl = self.query_one(SelectionList)
        sl.add_options([(text, text, False) for text in found])
        sl.display = True
        sl.highlighted = 0
        sl.focus()
        self.query_one("#add", Button).disabled = False

    @on(Button.Pressed, "#add")
    def action_accept(self) -> None:
        sl = self.query_one(SelectionList)
        if not sl.display:
            return
        self.dismiss(list(sl.selected))

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()  # frees the model for the next turn
        self.dismiss(None)
