"""The "What I learned" screen (F9): the active profile's learned model in words, proposals and
open suggestions to say yes or no to, and a reset behind the confirm dialog. The
deterministic fake engine answers; the choices are real picks stored on real generations."""

from __future__ import annotations

from support.choices import store_picks as _picks
from support.fake_engine import FakeEngine
from support.pilot import wait_for
from textual.widgets import Button, Label

from personaco_tui.learned_view import NOTHING_YET
from personaco_tui.store import preferences as PR
from personaco_tui.store import profiles as P
from personaco_tui.store import suggestions as S
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.dialogs import ConfirmScreen
from personaco_tui.tui.screens.help import HelpScreen
from personaco_tui.tui.screens.learned import LearnedScreen
from personaco_tui.tui.widgets.signals_panel import SignalItem


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Label).render())


def _laid_out(screen, selector: str) -> bool:
    found = screen.query(selector)
    return bool(found) and found.first().region.width > 0


async def _open(app, pilot) -> LearnedScreen:
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, LearnedScreen))
    screen = app.screen
    await wait_for(pilot, lambda: _laid_out(screen, "#learned-summary"))
    return screen


async def _click(pilot, screen, selector: str) -> None:
    """Click a button once the view has laid it out (it is mounted again on every reload)."""
    await wait_for(pilot, lambda: _laid_out(screen, selector))
    assert await pilot.click(selector)


async def test_the_view_says_what_was_learned_adds_decides_and_resets():
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        store, pid = app.rt.store, app.chat.profile.id
        _picks(store, pid, 6)
        S.add_suggestion(store, pid, "I live in Germany.", "message", "I live in Germany, so")
        screen = await _open(app, pilot)
        summary = _text(screen, "#learned-summary")
        assert "You tend to prefer shorter answers" in summary and "(from 6 choices)" in summary
        assert _text(screen, "#learned-usage") == "Used in the pick, after your signals."
        assert [str(b.label) for b in screen.query(Button)][:3] == [
            "Add as signal",
            "Keep",
            "Dismiss",
        ]
        assert P.list_signals(store, pid) == []  # nothing without a yes
        await pilot.press("f9")  # already open: not opened twice
        assert len(app.screen_stack) == 2 and app.screen is screen

        await _click(pilot, screen, "#learned-add-0")
        await wait_for(pilot, lambda: not screen.query("#learned-add-0"))
        assert [s.text for s in P.list_signals(store, pid)] == ["Keep answers under 10 words."]
        (sug,) = S.list_suggestions(store, pid)  # the proposal is gone, the open one stays
        await _click(pilot, screen, f"#learned-dismiss-{sug.id}")
        await wait_for(pilot, lambda: not screen.query(f"#learned-dismiss-{sug.id}"))
        assert S.get_suggestion(store, sug.id).status == "dismissed"

        await _click(pilot, screen, "#learned-reset")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # declined: nothing forgotten
        await wait_for(pilot, lambda: app.screen is screen)
        assert PR.get_learned(store, pid).model is not None
        await _click(pilot, screen, "#learned-reset")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: _text(screen, "#learned-summary") == NOTHING_YET)
        assert PR.get_learned(store, pid).model is None  # the same reset as the CLI's
        assert screen.query_one("#learned-reset", Button).disabled

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.chat)
        await wait_for(pilot, lambda: len(app.chat.query(SignalItem)) == 1)  # the panel reloaded


async def test_a_profile_with_no_choices_has_nothing_learned_yet():
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        other = P.create_profile(app.rt.store, "other")
        _picks(app.rt.store, app.chat.profile.id, 6)  # another profile's choices
        await app.chat.switch_profile(other)
        screen = await _open(app, pilot)
        assert _text(screen, "#learned-summary") == NOTHING_YET
        assert "from 5 choices on (0 so far)" in _text(screen, "#learned-usage")
        assert not screen.query(".learned-row")
        assert screen.query_one("#learned-reset", Button).disabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.chat)


async def test_f9_is_in_the_palette_and_the_help():
    app = make_app(engine=FakeEngine(["Fine."], name="smollm2-135m"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "(F9)" in commands["What I learned"]
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = [row for _, rows in app.screen.sections for row in rows]
        assert ("f9", "What I learned") in rows
