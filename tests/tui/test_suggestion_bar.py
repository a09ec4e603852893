"""The suggestion bar: what the user says about themselves in a question comes back as a
dismissable suggestion above the prompt; k keeps it as a signal, x dismisses it for good.
The deterministic fake engine answers (the real model's turn is covered in test_app_minimal)."""

from __future__ import annotations

from support.fake_engine import FakeEngine
from support.pilot import wait_for
from textual.widgets import Label

from personaco_tui.store import profiles as P
from personaco_tui.store import suggestions as S
from personaco_tui.tui.app import make_app
from personaco_tui.tui.widgets.prompt import PromptInput
from personaco_tui.tui.widgets.signals_panel import SignalItem, SignalsPanel
from personaco_tui.tui.widgets.suggestion_bar import SuggestionBar


def _stored(app) -> list[str]:
    return [s.text for s in P.list_signals(app.rt.store, app.chat.profile.id)]


def _bar_text(app) -> str:
    return str(app.query_one(SuggestionBar).query_one("#suggestion-text", Label).render())


async def test_a_question_proposes_and_k_keeps_x_dismisses():
    app = make_app(engine=FakeEngine(["Try a lentil curry."], name="smollm2-135m"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        bar = app.query_one(SuggestionBar)
        assert not bar.display or not bar.has_class("shown")
        prompt = app.query_one(PromptInput)
        prompt.focus()
        await pilot.press(*"I'm vegetarian and I live in Germany. What should I cook?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bar.has_class("shown"))
        assert "Keep “I'm vegetarian.” as a signal?" in _bar_text(app)
        assert "(+1 more)" in _bar_text(app)
        assert _stored(app) == []  # nothing without consent
        bar.focus()
        await pilot.press("k")
        panel = app.query_one(SignalsPanel)
        await wait_for(pilot, lambda: len(panel.query(SignalItem)) == 1)
        assert _stored(app) == ["I'm vegetarian."]
        assert "I live in Germany." in _bar_text(app) and "more" not in _bar_text(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: not bar.has_class("shown"))
        assert app.focused is prompt  # the bar hands focus back when it empties
        pid = app.chat.profile.id
        states = [(s.text, s.status) for s in S.list_suggestions(app.rt.store, pid, None)]
        assert states == [("I'm vegetarian.", "accepted"), ("I live in Germany.", "dismissed")]
        # said again: not proposed again
        await pilot.press(*"I live in Germany, by the way. Name a river.", "enter")
        await wait_for(pilot, lambda: app.chat._cancel is None and len(app.chat._questions()) == 2)
        await pilot.pause(0.2)
        assert not bar.has_class("shown")


async def test_the_buttons_and_a_profile_switch():
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        store = app.rt.store
        other = P.create_profile(store, "other")
        S.add_suggestion(store, other.id, "I'm on my phone.", "message", "I'm on my phone")
        bar = app.query_one(SuggestionBar)
        assert not bar.has_class("shown")
        await app.chat.switch_profile(other)
        await pilot.pause()
        assert bar.has_class("shown") and "I'm on my phone." in _bar_text(app)
        await pilot.click("#suggestion-keep")
        await wait_for(pilot, lambda: not bar.has_class("shown"))
        assert [s.text for s in P.list_signals(store, other.id)] == ["I'm on my phone."]


async def test_the_signal_dialog_adds_a_writing_sample():
    from textual.widgets import Input, Select

    from personaco_tui.tui.screens.signal_dialog import SignalDialog
    from personaco_tui.tui.widgets.signals_panel import badges_read

    sample = (
        "ok so i finally tried that ramen place lol. it was sooo good but the line was crazy "
        "long, like 40 min?? worth it tho. gonna go back next week prob, u should come"
    )
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.query_one(SignalsPanel).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press(*"Write like my texts")
        app.screen.query_one("#signal-kind", Select).value = "writing_sample"
        await wait_for(pilot, lambda: bool(app.screen.query("#param-text")))
        app.screen.query_one("#param-text", Input).value = "too short"
        app.screen.query_one("#signal-text", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignalDialog)  # refused: under 20 words
        app.screen.query_one("#param-text", Input).value = sample
        app.screen.query_one("#signal-text", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.chat.query(SignalItem)) == 1)
        (stored,) = P.list_signals(app.rt.store, app.chat.profile.id)
        assert stored.text == "Write like my texts" and stored.reading is not None
        assert stored.reading.sample == sample
        await wait_for(pilot, lambda: badges_read(app.chat))
        badge = app.chat.query_one(SignalItem).badge
        assert badge.text == "writing sample: scored by closeness of style (your choice)"
