"""A worker that raises what nobody expected (not Cancelled, not a PersonacoError) is shown in
one line and logged with its traceback, and the app stays usable: the next question is
answered. Also: the command palette is built from the key table."""

from __future__ import annotations

import logging

import pytest
from support.pilot import wait_for

from personaco_tui import chat
from personaco_tui.evaluation import signals_gen
from personaco_tui.tui.app import KeyCommand, key_shown, make_app
from personaco_tui.tui.screens.suggest import SuggestSignalsScreen
from personaco_tui.tui.widgets.chat_view import ChatMessage
from personaco_tui.tui.widgets.prompt import PromptInput

SIZE = (140, 40)


@pytest.fixture
def baseline_turns(monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "baseline")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "6")


def _errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def _answers(app) -> int:
    return len(app.query(ChatMessage).filter(".assistant"))


async def test_a_turn_that_raises_is_shown_and_the_next_question_works(
    engine, baseline_turns, monkeypatch, caplog
):
    real_ask = chat.ask
    calls = []

    def ask_once_broken(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 1:
            raise RuntimeError("the disk\nis on fire")
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(chat, "ask", ask_once_broken)
    caplog.set_level(logging.ERROR, logger="personaco_tui.tui.workers")
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        prompt = app.query_one("#prompt", PromptInput)
        prompt.focus()
        await pilot.press(*"Say hi", "enter")
        await wait_for(pilot, lambda: _errors(app))
        assert not app.chat.answering
        assert _errors(app) == ["Unexpected error: RuntimeError: the disk is on fire"]
        assert prompt.value == "Say hi"  # given back, and off the screen
        assert not list(app.query(ChatMessage))
        record = next(r for r in caplog.records if r.name == "personaco_tui.tui.workers")
        assert record.exc_info is not None and record.exc_info[0] is RuntimeError
        assert "generate" in record.getMessage()

        await pilot.press("enter")  # the same question again: now it is answered
        await wait_for(pilot, lambda: _answers(app) == 1, tries=1200)
        assert calls == ["Say hi", "Say hi"]
        assert "still being generated" not in " ".join(n.message for n in app._notifications)
    app.rt.close()


async def test_a_suggestion_that_raises_closes_the_dialog_and_frees_the_model(
    engine, baseline_turns, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("bad template")

    monkeypatch.setattr(signals_gen, "suggest_signals", broken)
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        prompt = app.query_one("#prompt", PromptInput)
        prompt.value = "Plan a trip to Rome"
        await pilot.press("f4")
        await wait_for(pilot, lambda: _errors(app))
        await wait_for(pilot, lambda: not isinstance(app.screen, SuggestSignalsScreen))
        assert _errors(app) == ["Unexpected error: ValueError: bad template"]
        assert not app._engine_lock.locked()
        prompt.focus()
        await pilot.press("enter")  # the model is free: a turn runs
        await wait_for(pilot, lambda: _answers(app) == 1, tries=1200)
    app.rt.close()


async def test_a_failed_sidebar_refresh_is_a_notification_not_a_crash(engine, monkeypatch):
    from personaco_tui.tui.widgets.sidebar import ConversationList

    async def broken(self, conversation_id):
        raise OSError("database is locked")

    monkeypatch.setattr(ConversationList, "mark_open", broken)
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: _errors(app))
        assert "Unexpected error: OSError: database is locked" in _errors(app)
        assert app.is_running
        await pilot.press("ctrl+b")  # still answers keys
        assert not app.query_one("#left").display
    app.rt.close()


async def test_every_key_is_in_the_palette_with_that_key(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        commands = list(app.get_system_commands(app.chat))
        helps = {c.title: c.help for c in commands}
        keyed = [b for b in app.BINDINGS if b.description]
        assert len(keyed) == 16  # with F6 / ctrl+g signals, F7 add a signal, F8 examples, F9
        assert helps["What I learned"].endswith("(F9)")
        for b in keyed:
            title = b.tooltip or b.description
            assert title in helps, b
            assert helps[title].endswith(f"({key_shown(b)})"), (b, helps[title])
            assert isinstance(b, KeyCommand) and b.help in helps[title]
        assert helps["Why this answer"].endswith("(F2 / w)")
        assert helps["Start a new conversation"].endswith("(ctrl+n)")
        assert helps["Go to the signals panel"].endswith("(F6 / ctrl+g)")
        assert helps["Add signal"].endswith("(F7)")
        assert [c.title for c in commands].count("Quit") == 1  # ours, not also Textual's

        # a key changed in the table shows in the palette, with nothing else changed
        moved = KeyCommand("f12", "help", "Help", help="Every key")
        app.BINDINGS = [moved if b.action == "help" else b for b in app.BINDINGS]
        helps = {c.title: c.help for c in app.get_system_commands(app.chat)}
        assert helps["Help"] == "Every key (F12)"

        # the chat's keys are not offered over another screen
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen is not app.chat)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Why this answer" not in titles and "Search history" in titles
    app.rt.close()
