"""The left sidebar: profiles and the active profile's conversations.

Both lists write to the store at once (new, rename, delete with confirmation) and tell the app
what the user chose through typed messages; the app decides what the chat shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Label, ListItem, ListView

from ...core.types import Conversation, Profile
from ...errors import PersonacoError
from ...store import conversations as C
from ...store import profiles as P
from ...store.db import Store
from ...terminal_text import neutralise
from ..screens.dialogs import ConfirmScreen, TextPromptScreen


class _Row(ListItem):
    def __init__(self, key: int, text: str, *, current: bool = False) -> None:
        super().__init__(Label(neutralise(text), markup=False))
        self.key = key
        self.set_class(current, "current")


class _StoreList(ListView):
    """A ListView of store rows whose refusals become notifications."""

    def __init__(self, store: Store, **kwargs) -> None:
        super().__init__(**kwargs)
        self.store = store

    def _run(self, fn, *args):
        try:
            return fn(self.store, *args)
        except PersonacoError as e:
            self.notify(e.message, severity="error")
            return None

    def _ok(self, fn, *args) -> bool:
        """Run a store call that returns nothing; False (and a notification) if refused."""
        try:
            fn(self.store, *args)
        except PersonacoError as e:
            self.notify(e.message, severity="error")
            return False
        return True

    @property
    def current_key(self) -> int | None:
        item = self.highlighted_child
        return item.key if isinstance(item, _Row) else None

    async def _fill(self, rows: list[_Row], select: int | None, empty: str) -> None:
        old = self.index
        await self.clear()
        if not rows:
            await self.append(ListItem(Label(empty), disabled=True))
            return
        await self.extend(rows)
        keys = [r.key for r in rows]
        self.index = keys.index(select) if select in keys else min(old or 0, len(rows) - 1)


class ProfileList(_StoreList):
    """Every profile; Enter makes the highlighted one active."""

    BINDINGS = [
        Binding("n", "new", "New profile"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
    ]

    @dataclass
    class Chosen(Message):
        profile: Profile

    def __init__(self, store: Store, active_id: int, **kwargs) -> None:
        super().__init__(store, **kwargs)
        self.active_id = active_id

    async def on_mount(self) -> None:
        await self.reload()

    async def reload(self) -> None:
        profiles = P.list_profiles(self.store)
        rows = [
            _Row(
                p.id,
                f"{'●' if p.id == self.active_id else ' '} {p.name}",
                current=p.id == self.active_id,
            )
            for p in profiles
        ]
        await self._fill(rows, self.active_id, "No profiles")

    async def set_active(self, profile: Profile) -> None:
        self.active_id = profile.id
        await self.reload()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        key = self.current_key
        if key is None:
            return
        profile = self._run(P.set_active_profile, key)
        if profile is not None:
            self.post_message(self.Chosen(profile))

    def action_new(self) -> None:
        async def named(name: str | None) -> None:
            if not name:
                return
            profile = self._run(P.create_profile, name)
            if profile is not None:
                self._run(P.set_active_profile, profile.id)
                self.post_message(self.Chosen(profile))

        self.app.push_screen(TextPromptScreen("New profile", placeholder="e.g. work"), named)

    def action_rename(self) -> None:
        key = self.current_key
        if key is None:
            return
        old = self._run(P.get_profile, key)
        if old is None:
            return

        async def named(name: str | None) -> None:
            if name and self._run(P.rename_profile, key, name) is not None:
                await self.reload()
                if key == self.active_id:
                    self.post_message(self.Chosen(P.get_profile(self.store, key)))

        self.app.push_screen(TextPromptScreen("Rename profile", old.name), named)

    def action_delete(self) -> None:
        key = self.current_key
        if key is None:
            return
        if key == self.active_id:
            self.notify(
                "The active profile cannot be deleted: switch to another first.", severity="warning"
            )
            return
        profile = self._run(P.get_profile, key)
        if profile is None:
            return

        async def confirmed(yes: bool | None) -> None:
            if yes and self._ok(P.delete_profile, key):
                await self.reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Delete profile {profile.name!r}?",
                "Its signals are deleted too; its conversations stay findable in history "
                "search (ctrl+f).",
            ),
            confirmed,
        )


class ConversationList(_StoreList):
    """The active profile's conversations, newest first; Enter opens one."""

    BINDINGS = [
        Binding("n", "new", "New chat"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
    ]

    @dataclass
    class Opened(Message):
        """`conversation` is None for a new, empty chat."""

        conversation: Conversation | None

    @dataclass
    class Deleted(Message):
        conversation_id: int

    def __init__(self, store: Store, profile_id: int, **kwargs) -> None:
        super().__init__(store, **kwargs)
        self.profile_id = profile_id
        self.open_id: int | None = None

    async def on_mount(self) -> None:
        await self.reload()

    async def reload(self, profile_id: int | None = None) -> None:
        if profile_id is not None:
            self.profile_id = profile_id
        convs = C.list_conversations(self.store, self.profile_id)
        rows = [
            _Row(c.id, c.title or f"Conversation #{c.id}", current=c.id == self.open_id)
            for c in convs
        ]
        await self._fill(rows, self.open_id, "No conversations yet")

    async def mark_open(self, conversation_id: int | None) -> None:
        self.open_id = conversation_id
        await self.reload()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        key = self.current_key
        if key is None:
            return
        conversation = self._run(C.get_conversation, key)
        if conversation is not None:
            self.post_message(self.Opened(conversation))

    def action_new(self) -> None:
        self.post_message(self.Opened(None))

    def action_rename(self) -> None:
        key = self.current_key
        if key is None:
            return
        old = self._run(C.get_conversation, key)
        if old is None:
            return

        async def named(title: str | None) -> None:
            if title and self._run(C.rename_conversation, key, title) is not None:
                await self.reload()

        self.app.push_screen(TextPromptScreen("Rename conversation", old.title), named)

    def action_delete(self) -> None:
        key = self.current_key
        if key is None:
            return
        conversation = self._run(C.get_conversation, key)
        if conversation is None:
            return

        async def confirmed(yes: bool | None) -> None:
            if yes and self._ok(C.delete_conversation, key):
                self.post_message(self.Deleted(key))
                await self.reload()

        self.app.push_screen(
            ConfirmScreen(
                "Delete this conversation?",
                f"{conversation.title or '#' + str(key)}: its messages are deleted for good.",
            ),
            confirmed,
        )
