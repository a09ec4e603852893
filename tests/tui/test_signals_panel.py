"""The sidebar's signals panel: add, toggle, edit and delete signals, straight to the store."""

from __future__ import annotations

from support.pilot import wait_for

from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.dialogs import ConfirmScreen
from personaco_tui.tui.screens.signal_dialog import SignalDialog
from personaco_tui.tui.widgets.signals_panel import SignalItem, SignalsPanel


def _stored(app) -> list[tuple[str, bool]]:
    return [(s.text, s.enabled) for s in P.list_signals(app.rt.store, app.chat.profile.id)]


async def test_add_toggle_edit_delete_a_signal(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(SignalsPanel)
        panel.focus()
        await pilot.pause()
        # an empty signal is refused and the dialog stays open
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignalDialog)
        assert _stored(app) == []
        await pilot.press(*"No commas.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(panel.query(SignalItem)) == 1)
        assert _stored(app) == [("No commas.", True)]
        assert app.focused is panel

        await pilot.press("space")
        await pilot.pause()
        assert _stored(app) == [("No commas.", False)]
        assert panel.query_one(SignalItem).has_class("disabled")
        await pilot.press("enter")  # Enter toggles too
        await pilot.pause()
        assert _stored(app) == [("No commas.", True)]

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press("ctrl+u", *"Keep it under 20 words.", "enter")
        await wait_for(pilot, lambda: _stored(app) == [("Keep it under 20 words.", True)])

        # delete asks first; "n" keeps it, "y" deletes it
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause()
        assert len(_stored(app)) == 1
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not panel.query(SignalItem))
        assert _stored(app) == []
    app.rt.close()


async def test_tab_reaches_the_panel_and_the_prompt_keeps_letters(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        prompt = app.query_one("#prompt")
        assert app.focused is prompt
        await pilot.press(*"add")  # letters go to the prompt, not to the panel's bindings
        assert prompt.value == "add"
        assert _stored(app) == []
        await pilot.press("tab")
        assert isinstance(app.focused, SignalsPanel)
        footer_keys = {b.key for (_, b, enabled, _) in app.active_bindings.values() if enabled}
        assert {"a", "e", "space"} <= footer_keys
    app.rt.close()
