"""F5's new-session form, "from my conversations": the active profile's past questions with
its enabled signals become the items; nothing to build from is said in the form."""

from __future__ import annotations

from support.fake_engine import FakeEngine
from support.pilot import wait_for
from textual.widgets import Checkbox, Input, Static

from personaco_tui.evaluation import sessions as S
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.eval_forms import CreateSessionScreen
from tests.tui.test_eval_run_screen import open_screen


async def test_create_from_my_conversations():
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    store = app.rt.store
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot, runtime=False)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSessionScreen))
        form = app.screen
        form.query_one("#create-name", Input).value = "mine"
        await pilot.click("#create-history")
        await pilot.pause()
        assert form.query_one("#create-history", Checkbox).value
        assert form.query_one("#create-items", Input).disabled
        error = form.query_one("#create-error", Static)
        await pilot.click("#create-ok")
        await wait_for(pilot, lambda: error.display)
        assert "no signals switched on" in str(error.render()) and app.screen is form

        profile = P.ensure_default_profile(store)
        P.add_signal(store, profile.id, "Keep it under 40 words.")
        conv = C.create_conversation(store, profile.id)
        C.add_message(store, conv.id, "user", "What is a p-value?")
        C.add_message(store, conv.id, "assistant", "A probability.")
        form.query_one("#create-b", Input).focus()
        await pilot.press("enter")  # Enter in the last field creates
        await wait_for(pilot, lambda: app.screen is screen or "no past" in str(error.render()))
        assert app.screen is screen, str(error.render())
        items = S.get_session(store, "mine").items
        assert [(i.query, i.signals) for i in items] == [
            ("What is a p-value?", ["Keep it under 40 words."])
        ]
