"""How the TUI shows a signal's reading: a badge on each row of the signals panel (rule,
judged by the model, conflict), and the add / edit dialog that reads the signal live and
stores a correction. With snapshots of both (after a deliberate change:
`pytest tests/tui/test_signal_reading.py --snapshot-update`, then look at the SVGs)."""

from __future__ import annotations

import pytest
from support.pilot import settled, wait_for
from textual.widgets import Input, Label, Select

from personaco_tui.core.reflectors import polarity
from personaco_tui.core.types import Reading
from personaco_tui.runtime import Runtime
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.signal_dialog import SignalDialog
from personaco_tui.tui.widgets.signals_panel import SignalItem, SignalsPanel, badges_read

SIZE = (130, 36)
MISSED = "Please spare me the tiny pause marks between clauses."


@pytest.fixture
def profile_home(monkeypatch):
    monkeypatch.setenv("PERSONACO_CONFIG", "/tmp/personaco-snapshots/config.toml")
    rt = Runtime.open()
    profile = P.ensure_default_profile(rt.store)
    for text in ("Keep it under 40 words.", "I am a geologist.", "Write at least 300 words."):
        P.add_signal(rt.store, profile.id, text)
    P.add_signal(rt.store, profile.id, MISSED, reading=Reading("no_commas"))
    rt.close()


@pytest.fixture(autouse=True)
def same_weights_label(engine, monkeypatch):
    monkeypatch.setattr(engine, "weights", "bf16")


def _badges(app) -> list[tuple[str, str]]:
    return [(i.badge.kind, i.badge.text) for i in app.chat.query(SignalItem)]


async def _ready(app, pilot) -> None:
    await wait_for(pilot, lambda: app.rt.engine is not None)
    await wait_for(pilot, lambda: len(app.chat.query(SignalItem)) == 4 and badges_read(app.chat))


async def test_badges_say_rule_model_or_conflict_and_follow_toggles(engine, profile_home):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert _badges(app) == [
            ("conflict", "conflict with “Write at least 300 words.”"),
            # the loaded model's reading of the fact, which the persona reflector follows
            ("model", "model: fact, shapes answers"),
            ("conflict", "conflict with “Keep it under 40 words.”"),
            ("rule", "rule: no commas (your choice)"),
        ]
        panel = app.query_one(SignalsPanel)
        panel.focus()
        panel.index = 2
        await pilot.press("space")  # switched off: the conflict is gone
        await wait_for(pilot, lambda: _badges(app)[0][0] == "rule")
        assert _badges(app)[0] == ("rule", "rule: fewer than 40 words")
        assert _badges(app)[2] == ("rule", "rule: at least 300 words")
        notified = len(app._notifications)
        await pilot.press("space")  # switched on again: conflict, and a warning says so
        await wait_for(pilot, lambda: _badges(app)[0][0] == "conflict")
        assert len(app._notifications) == notified + 1
    app.rt.close()


def _live(app) -> str:
    return str(app.screen.query_one("#signal-reading", Label).render())


async def test_the_dialog_reads_live_and_stores_a_correction(engine, profile_home):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        app.query_one(SignalsPanel).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press(*"No commas")
        await wait_for(pilot, lambda: _live(app) == "Reads as: rule: no commas")
        await pilot.press("ctrl+u", *"I grew up near the sea.")
        await wait_for(pilot, lambda: "judged by the model" in _live(app))
        # corrected to a count whose parameters are not allowed: the dialog says so, stays open
        app.screen.query_one("#signal-kind", Select).value = "word_count"
        await wait_for(pilot, lambda: bool(app.screen.query("#param-n")))
        app.screen.query_one("#param-n", Input).value = "lots"
        await wait_for(pilot, lambda: "Fix the parameters" in _live(app))
        app.screen.query_one("#signal-text", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignalDialog)
        app.screen.query_one("#param-n", Input).value = "300"
        app.screen.query_one("#param-relation", Input).value = ">="
        await wait_for(pilot, lambda: "at least 300 words (your choice)" in _live(app))
        conflicts = str(app.screen.query_one("#signal-conflicts", Label).render())
        assert "Keep it under 40 words." in conflicts
        app.screen.query_one("#signal-text", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.chat.query(SignalItem)) == 5)
        stored = P.list_signals(app.rt.store, app.chat.profile.id)[-1]
        assert stored.reading == Reading("word_count", (("n", 300), ("relation", ">=")))
        await wait_for(pilot, lambda: badges_read(app.chat))
        assert _badges(app)[-1] == ("conflict", "conflict with “Keep it under 40 words.”")

        # editing shows the stored correction; "Automatic" clears it
        panel = app.query_one(SignalsPanel)
        panel.index = 4
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        assert app.screen.query_one("#signal-kind", Select).value == "word_count"
        assert app.screen.query_one("#param-n", Input).value == "300"
        app.screen.query_one("#signal-kind", Select).value = "auto"
        await wait_for(pilot, lambda: not app.screen.query("#param-n"))
        app.screen.query_one("#signal-text", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SignalDialog))
        await wait_for(
            pilot, lambda: P.list_signals(app.rt.store, app.chat.profile.id)[-1].reading is None
        )
    app.rt.close()


def test_panel_badges_snapshot(snap_compare, engine, profile_home):
    app = make_app(engine=engine)

    async def run_before(pilot) -> None:
        await _ready(app, pilot)
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_live_dialog_snapshot(snap_compare, engine, profile_home):
    app = make_app(engine=engine)

    async def run_before(pilot) -> None:
        await _ready(app, pilot)
        app.query_one(SignalsPanel).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press(*"Write at least 300 words, please.")
        app.screen.query_one("#signal-kind", Select).value = "word_count"
        await wait_for(pilot, lambda: bool(app.screen.query("#param-n")))
        app.screen.query_one("#param-relation", Input).value = ">="
        app.screen.query_one("#param-n", Input).value = "300"
        app.screen.query_one("#signal-text", Input).focus()
        await wait_for(pilot, lambda: "(your choice)" in _live(app))
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


async def test_a_new_fact_gets_the_loaded_models_reading_without_a_turn(engine):
    """The persona reflector scores a fact that rules something out by the user's complaint
    alone: the badge says which kind the loaded model reads, once a worker has read it."""
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None and badges_read(app.chat))
        panel = app.query_one(SignalsPanel)
        panel.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SignalDialog))
        await pilot.press(*"I'm allergic to peanuts.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(panel.query(SignalItem)) == 1 and badges_read(app.chat))
        assert _badges(app) == [("model", "model: fact, rules things out")]
        assert polarity.known(engine, ["I'm allergic to peanuts."]) == {
            "I'm allergic to peanuts.": True
        }
    app.rt.close()


async def test_no_reading_is_shown_or_taken_where_the_reflector_does_not_use_it(engine):
    app = make_app(engine=engine)
    app.rt.settings.generation.reflector = "self"  # the paper's reflector reads no facts
    fact = (
        "I can't stand the smell of lavender soap."  # read by no other test: the engine is shared
    )
    P.add_signal(app.rt.store, P.ensure_default_profile(app.rt.store).id, fact)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await wait_for(
            pilot, lambda: len(app.chat.query(SignalItem)) == 1 and badges_read(app.chat)
        )
        app.model_ready()
        await settled(app, pilot)
        assert _badges(app) == [("model", "judged by the model, as a fact")]
        assert polarity.known(engine, [fact]) == {}
    app.rt.close()


async def test_the_facts_are_not_read_while_a_turn_holds_the_model(engine):
    """A reading between a turn's answers and its replies would cost the turn the answers it
    keeps in the cache: the panel waits, and the badge follows once the model is free."""
    app = make_app(engine=engine)
    fact = "I never eat sugar, not even in my tea."  # read by no other test
    P.add_signal(app.rt.store, P.ensure_default_profile(app.rt.store).id, fact)
    held = app.chat.engine_lock
    held.acquire()  # as a turn holds it, from the start
    mine = True
    try:
        async with app.run_test(size=SIZE) as pilot:
            rows = lambda: [b for b in _badges(app) if b[0] != "reading"]  # noqa: E731
            await wait_for(pilot, lambda: len(rows()) == 1)
            await settled(app, pilot)
            assert not badges_read(app.chat)
            assert _badges(app) == [("model", "judged by the model, as a fact")]
            held.release()  # the model loaded, or the turn ended: the badges are shown again
            mine = False
            app.model_ready()
            await wait_for(pilot, lambda: badges_read(app.chat))
            assert _badges(app) == [("model", "model: fact, rules things out")]
    finally:
        if mine:
            held.release()
    app.rt.close()
