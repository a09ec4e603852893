"""The active profile's signals: toggle, add, edit and delete them in place. Every change goes
to the store at once, so the next turn uses it."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Label, ListItem, ListView

from ...core.types import Signal
from ...errors import PersonacoError
from ...store import profiles as P
from ...store.db import Store
from ..screens.dialogs import ConfirmScreen, TextPromptScreen

EMPTY_HINT = (
    'No signals yet. A signal is a note such as "Keep it under 50 words." or'
    ' "I\'m vegetarian.": each answer is checked against it.\n'
    "a adds one here (F7 from anywhere); F8 adds three examples."
)


class SignalItem(ListItem):
    def __init__(self, signal: Signal) -> None:
        super().__init__(Label(self._text(signal), markup=False))
        self.signal = signal
        self.set_class(not signal.enabled, "disabled")

    @staticmethod
    def _text(signal: Signal) -> str:
        return f"{'☑' if signal.enabled else '☐'} {signal.text}"

    def show(self, signal: Signal) -> None:
        self.signal = signal
        self.set_class(not signal.enabled, "disabled")
        self.query_one(Label).update(self._text(signal))


class SignalsPanel(ListView):
    """A list of SignalItem; Enter or Space toggles the highlighted signal."""

    BINDINGS = [
        Binding("space", "toggle_signal", "On/off"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self, store: Store, profile_id: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.profile_id = profile_id

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
        await self.extend(SignalItem(s) for s in signals)
        ids = [s.id for s in signals]
        keep = min(old or 0, len(signals) - 1)
        self.index = ids.index(select_id) if select_id in ids else keep

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

    def action_toggle_signal(self) -> None:
        item = self.current
        if item is None:
            return
        signal = self._run(P.toggle_signal, item.signal.id)
        if signal is not None:
            item.show(signal)

    def action_add(self) -> None:
        async def added(text: str | None) -> None:
            if text:
                signal = self._run(P.add_signal, self.profile_id, text)
                if signal is not None:
                    await self.reload(select_id=signal.id)

        self.app.push_screen(
            TextPromptScreen(
                "New signal", placeholder="e.g. Keep it under 80 words.", what="A signal"
            ),
            added,
        )

    def action_edit(self) -> None:
        item = self.current
        if item is None:
            return
        signal_id = item.signal.id

        async def edited(text: str | None) -> None:
            if text and self._run(P.edit_signal, signal_id, text) is not None:
                await self.reload(select_id=signal_id)

        self.app.push_screen(
            TextPromptScreen("Edit signal", item.signal.text, what="A signal"), edited
        )

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
