"""Snapshots of the main screens (pytest-textual-snapshot), built exactly as the CLI builds the
app, over a store filled with fixed data so every run draws the same thing.

After a deliberate UI change: `pytest tests/tui/test_snapshots.py --snapshot-update`, then look
at the SVGs in tests/tui/__snapshots__/ (a browser shows them) before committing them."""

from __future__ import annotations

import pytest
from support.pilot import settled, wait_for

from personaco_tui.core.types import (
    Candidate,
    Generation,
    GenerationSettingsUsed,
    ReflectionCell,
)
from personaco_tui.runtime import Runtime
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.store import suggestions as S
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.help import HelpScreen
from personaco_tui.tui.screens.history import HistoryScreen
from personaco_tui.tui.screens.settings import SettingsScreen
from personaco_tui.tui.screens.why import WhyScreen
from personaco_tui.tui.widgets.signals_panel import badges_read
from personaco_tui.tui.widgets.suggestion_bar import SuggestionBar

SIZE = (130, 36)
SIGNALS = ["Keep it under 30 words.", "Do not use any commas.", "I am a geologist."]
CANDIDATES = [
    "A volcano is an opening in the crust where magma erupts.",
    "A volcano is a mountain, and it erupts lava, ash and gas.",
    "Volcanoes form where magma rises through weak crust at plate boundaries.",
]
SCORES = [  # candidate x signal, the third signal scored by the model itself
    [(1.0, "rules"), (1.0, "rules"), (0.62, "self")],
    [(1.0, "rules"), (0.0, "rules"), (0.71, "self")],
    [(1.0, "rules"), (1.0, "rules"), (0.88, "self")],
]


@pytest.fixture
def filled_home(monkeypatch, tmp_path):
    # the settings screen prints the config path: keep it the same in every run
    monkeypatch.setenv("PERSONACO_CONFIG", "/tmp/personaco-snapshots/config.toml")
    monkeypatch.setenv("PERSONACO_GENERATION_K", "3")
    rt = Runtime.open()
    profile = P.ensure_default_profile(rt.store)
    for text in SIGNALS:
        P.add_signal(rt.store, profile.id, text)
    P.toggle_signal(rt.store, P.add_signal(rt.store, profile.id, "Answer in French.").id)
    P.create_profile(rt.store, "work")
    tea = C.create_conversation(rt.store, profile.id, "How to brew tea")
    C.add_message(rt.store, tea.id, "user", "How do I brew green tea?")
    C.add_message(rt.store, tea.id, "assistant", "Steep it at 80 °C for two minutes.")
    gen = Generation(
        settings=GenerationSettingsUsed("personaco", "smollm2-135m", 3, 1.0, 7, 64, "auto"),
        query="What is a volcano?",
        signals=SIGNALS,
        prompt="(prompt)",
        candidates=[Candidate(i, t, 12 + i, "stop") for i, t in enumerate(CANDIDATES)],
        cells=[
            ReflectionCell(c, s, score, who)
            for c, row in enumerate(SCORES)
            for s, (score, who) in enumerate(row)
        ],
        chosen_index=2,
    )
    volcano = C.create_conversation(rt.store, profile.id, "What is a volcano?")
    gen_id = G.save_generation(rt.store, gen, profile_id=profile.id)
    C.add_message(rt.store, volcano.id, "user", "What is a volcano?")
    answer = "**Volcanoes** form where magma rises:\n\n```text\nmantle -> crust -> vent\n```"
    C.add_message(rt.store, volcano.id, "assistant", answer, generation_id=gen_id)
    rt.close()
    return volcano.id


@pytest.fixture(autouse=True)
def same_weights_label(engine, monkeypatch):
    """The status line names the compute weights, which follow the CPU (model.weights =
    auto); the snapshots fix the label so they are the same on every machine."""
    monkeypatch.setattr(engine, "weights", "bf16")


def _app(engine, conversation_id):
    app = make_app(engine=engine)

    async def ready(pilot) -> None:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.chat.load_conversation(conversation_id)
        await wait_for(pilot, lambda: badges_read(app.chat))
        await settled(app, pilot)

    return app, ready


def test_chat_screen(snap_compare, engine, filled_home):
    app, ready = _app(engine, filled_home)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
    app.rt.close()


def test_chat_screen_with_a_suggestion(snap_compare, engine, filled_home):
    """The suggestion bar above the prompt, focused: what it asks and its keys."""
    rt = Runtime.open()
    profile = P.ensure_default_profile(rt.store)
    for text in ("I'm vegetarian.", "I live in Germany."):
        S.add_suggestion(rt.store, profile.id, text, "message", text)
    rt.close()
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        app.query_one(SuggestionBar).focus()
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_why_screen(snap_compare, engine, filled_home):
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_history_screen(snap_compare, engine, filled_home):
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("ctrl+f", *"magma")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause(0.6)  # the search runs a moment after the last key
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_settings_screen(snap_compare, engine, filled_home):
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=(130, 44), run_before=run_before)
    app.rt.close()


def test_help_screen(snap_compare, engine, filled_home):
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=(130, 44), run_before=run_before)
    app.rt.close()


def test_first_run_welcome_and_model_note(snap_compare, engine):
    """A fresh home: the welcome with its example signals, the empty signals panel's hint, and
    the note that the bundled model is a demo, above the focused (ringed) prompt."""
    app = make_app(engine=engine)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_signals_panel_focused(snap_compare, engine, filled_home):
    """F6 from the prompt: the signals panel takes the focus ring."""
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("f6")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()


def test_multiline_prompt(snap_compare, engine, filled_home):
    """A question of several lines, with a code block, grows the prompt (up to ten lines)."""
    app, ready = _app(engine, filled_home)

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press(*"Why does this fail?", "ctrl+j", *"```py", "ctrl+j")
        await pilot.press(*"def f():", "ctrl+j", *"    return 1 +", "ctrl+j", *"```")
        await settled(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    app.rt.close()
