"""The active profile's signals: toggle, add, edit and delete them in place. Every change goes
to the store at once, so the next turn uses it. Each row carries a badge saying how the signal
is read (signal_badges.py); the first reading loads the classifier, so until a worker has
loaded it the badges say "reading…"."""

from __future__ import annotations

import threading
from functools import partial
from typing import Protocol

from textual import work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Label, ListItem, ListView

from ... import chat
from ...core.types import Signal
from ...errors import PersonacoError
from ...runtime import Runtime
from ...store import profiles as P
from ...store.db import Store
from ...terminal_text import neutralise
from ..screens.dialogs import ConfirmScreen
from ..screens.signal_dialog import SignalDialog, SignalEdit
from . import signal_badges as B

_PENDING = B.Badge("reading", B.READING)

EMPTY_HINT = (
    'No signals yet. A signal is a note such as "Keep it under 50 words." or'
    ' "I\'m vegetarian.": each answer is checked against it.\n'
    "a adds one here (F7 from anywhere); F8 adds three examples."
)


class SignalItem(ListItem):
    DEFAULT_CSS = """
    SignalItem > .signal-badge {
        color: $text-muted;
        padding-left: 2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SignalItem > .badge-conflict {
        color: $warning;
    }
    """

    def __init__(self, signal: Signal, badge: B.Badge = _PENDING) -> None:
        super().__init__(
            Label(self._text(signal), markup=False, classes="signal-text"),
            Label(badge.text, markup=False, classes=f"signal-badge badge-{badge.kind}"),
        )
        self.signal = signal
        self.badge = badge
        self.set_class(not signal.enabled, "disabled")

    @staticmethod
    def _text(signal: Signal) -> str:
        return f"{'☑' if signal.enabled else '☐'} {neutralise(signal.text)}"

    def show(self, signal: Signal) -> None:
        self.signal = signal
        self.set_class(not signal.enabled, "disabled")
        self.query_one(".signal-text", Label).update(self._text(signal))

    def show_badge(self, badge: B.Badge) -> None:
        self.badge = badge
        label = self.query_one(".signal-badge", Label)
        label.update(badge.text)
        for kind in ("rule", "model", "conflict", "reading"):
            label.set_class(kind == badge.kind, f"badge-{kind}")


class HoldsModel(Protocol):
    rt: Runtime
    engine_lock: threading.Lock  # what the owner's workers take to use the model


def fact_reader(owner: HoldsModel) -> B.FactReader:
    """The reader of the loaded model's reading of facts, for `owner`'s panel: it reads only
    while the owner's lock on the model is free, so never inside a turn."""
    rt = owner.rt
    return B.FactReader(
        partial(chat.facts_known, rt),
        partial(chat.read_facts, rt, lock=owner.engine_lock),
        partial(chat.reads_facts, rt),
    )


def badges_read(screen: Widget) -> bool:
    """Every signal row of `screen` shows its reading (not "reading…"), and the loaded
    model's reading of each fact where it has one to give."""
    rows = all(item.badge.kind != "reading" for item in screen.query(SignalItem))
    return rows and all(panel.facts_settled() for panel in screen.query(SignalsPanel))


class SignalsPanel(ListView):
    """A list of SignalItem; Enter or Space toggles the highlighted signal."""

    BINDINGS = [
        Binding("space", "toggle_signal", "On/off"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(
        self, store: Store, profile_id: int, reader: B.FactReader | None = None, **kwargs
    ) -> None:
        """`reader`: the loaded model's reading of facts, for their badges (none: badges say
        only "as a fact")."""
        super().__init__(**kwargs)
        self.store = store
        self.profile_id = profile_id
        self.reader = reader
        self._tried: set[str] = set()  # facts the reader was asked to read

    async def on_mount(self) -> None:
        await self.reload()

    async def reload(self, select_id: int | None = None) -> None:
        """Rebuild the list from the store, keeping (or moving) the highlight."""
        old = self.index
        signals = P.list_signals(self.store, self.profile_id)
        await self.clear()
        if not signals:
            # a placeholder the cursor skips (disabled), so the panel still says what to do
            await self.append(ListItem(Label(EMPTY_HINT), disabled=True, classes="signals-empty"))
            return
        shown = self._badges(signals) if B.ready() else {}
        await self.extend(SignalItem(s, shown.get(s.id, _PENDING)) for s in signals)
        ids = [s.id for s in signals]
        keep = min(old or 0, len(signals) - 1)
        self.index = ids.index(select_id) if select_id in ids else keep
        if not B.ready():
            self._read_signals()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signal-reading")
    def _read_signals(self) -> None:
        B.warm()
        self.app.call_from_thread(self.refresh_badges)

    def _badges(self, signals: list[Signal], read_more: bool = True) -> dict[int, B.Badge]:
        """The badges, with the model's reading of the facts it has read; with `read_more`
        the facts it has not read yet are read in a worker, and the badges shown again."""
        if self.reader is None:
            return B.badges(signals)
        facts = B.facts(signals)
        read = self.reader.known(facts)
        if read_more and any(f not in read for f in facts) and self.reader.active():
            self._read_facts(facts)
        return B.badges(signals, read)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fact-reading")
    def _read_facts(self, facts: list[str]) -> None:
        assert self.reader is not None
        if self.reader.read(facts):  # not while the model is busy: a turn reads them itself
            self._tried.update(facts)
        self.app.call_from_thread(self.refresh_badges, read_more=False)

    def facts_settled(self) -> bool:
        """No fact waits for the loaded model's reading (read, or tried and left to a turn)."""
        if self.reader is None or not B.ready() or not self.reader.active():
            return True
        facts = B.facts(self.signals())
        read = self.reader.known(facts)
        return all(f in read or f in self._tried for f in facts)

    def refresh_badges(self, read_more: bool = True) -> None:
        """Badges for the rows shown (a toggle changes which signals conflict); `read_more`
        False after the worker read the facts, which reads nothing more."""
        if not B.ready():
            return
        items = list(self.query(SignalItem))
        shown = self._badges([item.signal for item in items], read_more)
        for item in items:
            item.show_badge(shown[item.signal.id])

    @property
    def current(self) -> SignalItem | None:
        item = self.highlighted_child
        return item if isinstance(item, SignalItem) else None

    def signals(self) -> list[Signal]:
        return [item.signal for item in self.query(SignalItem)]

    def _run(self, fn, *args):  # a store call; its refusal becomes a notification
        try:
            return fn(self.store, *args)
        except PersonacoError as e:
            self.notify(e.message, title="Signals", severity="error")
            return None

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        self.action_toggle_signal()

    def _warn_conflicts(self, signal: Signal) -> None:
        if not B.ready():
            return
        for line in B.conflict_messages(signal, P.list_signals(self.store, self.profile_id)):
            self.notify(line, title="Signals in conflict", severity="warning")

    def action_toggle_signal(self) -> None:
        item = self.current
        if item is None:
            return
        signal = self._run(P.toggle_signal, item.signal.id)
        if signal is not None:
            item.show(signal)
            self.refresh_badges()
            self._warn_conflicts(signal)

    def _dialog(self, title: str, signal: Signal | None = None) -> SignalDialog:
        others = [s for s in P.list_signals(self.store, self.profile_id) if s != signal]
        return SignalDialog(title, signal, others)

    def action_add(self) -> None:
        async def added(result: SignalEdit | None) -> None:
            if result is None:
                return
            signal = self._run(P.add_signal, self.profile_id, result.text, None, result.reading)
            if signal is not None:
                await self.reload(select_id=signal.id)
                self._warn_conflicts(signal)

        self.app.push_screen(self._dialog("New signal"), added)

    def action_edit(self) -> None:
        item = self.current
        if item is None:
            return
        signal_id = item.signal.id

        async def edited(result: SignalEdit | None) -> None:
            if result is None or self._run(P.edit_signal, signal_id, result.text) is None:
                return
            signal = self._run(P.set_signal_reading, signal_id, result.reading)
            await self.reload(select_id=signal_id)
            if signal is not None:
                self._warn_conflicts(signal)

        self.app.push_screen(self._dialog("Edit signal", item.signal), edited)

    def action_delete(self) -> None:
        item = self.current
        if item is None:
            return
        signal_id = item.signal.id

        async def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(P.remove_signal, signal_id)
                await self.reload()

        self.app.push_screen(ConfirmScreen("Delete this signal?", item.signal.text), confirmed)
