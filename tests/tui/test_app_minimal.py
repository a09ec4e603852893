"""The TUI, driven with Textual's Pilot against the real store and the bundled model."""

from __future__ import annotations

import pytest
from support.pilot import wait_for

from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.widgets.chat_view import ChatMessage


@pytest.fixture
def small_turns(monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "8")
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "baseline")


async def test_starts_shows_profile_and_model_and_answers_one_message(engine, small_turns):
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.query_one("#status")
        await wait_for(pilot, lambda: "smollm2-135m" in str(status.render()))
        assert "default" in str(app.query_one("#signals-title").render())
        assert "baseline" in str(status.render())
        await pilot.click("#prompt")
        await pilot.press(*"Say hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.query(ChatMessage).filter(".assistant")) == 1)
        answer = app.query(ChatMessage).filter(".assistant").first()
        assert answer.content.strip()
        # the turn is stored: both messages and the generation behind the answer
        convs = C.list_conversations(app.rt.store)
        assert len(convs) == 1
        msgs = C.list_messages(app.rt.store, convs[0].id)
        assert [m.role for m in msgs] == ["user", "assistant"]
        assert msgs[0].content == "Say hello"
        assert msgs[1].generation_id is not None
    app.rt.close()


async def test_escape_cancels_and_gives_the_text_back(engine, monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "2000")
    monkeypatch.setenv("PERSONACO_GENERATION_K", "1")
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await pilot.click("#prompt")
        await pilot.press(*"Write a very long story about the sea")
        await pilot.press("enter")
        live = lambda: app.chat._live  # noqa: E731
        await wait_for(pilot, lambda: live() is not None and live().texts)  # tokens arrive
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.chat.answering)
        assert app.query_one("#prompt").value == "Write a very long story about the sea"
        assert C.list_conversations(app.rt.store) == []
        assert "cancelled" in str(app.query_one("#status").render())
    app.rt.close()


async def test_signals_of_the_active_profile_are_listed(engine):
    from personaco_tui.runtime import Runtime

    rt = Runtime.open()
    p = P.ensure_default_profile(rt.store)
    P.add_signal(rt.store, p.id, "No bullet lists")
    rt.close()
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        labels = [str(label.render()) for label in app.query("#signals Label")]
        assert any("No bullet lists" in text for text in labels)
    app.rt.close()


async def test_the_live_block_is_drawn_a_few_times_a_second_not_per_token(engine, monkeypatch):
    """Every candidate's every token used to redraw a Markdown widget tree: the UI thread
    then held the GIL the sampling loop needs, and a turn in the app took ~20x as long as
    the same turn from the CLI. Redraws are now merged and throttled."""
    import time

    from personaco_tui.tui.widgets.chat_view import ChatView, LiveMessage

    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "48")
    monkeypatch.setenv("PERSONACO_GENERATION_K", "4")
    monkeypatch.setenv("PERSONACO_GENERATION_REFLECTOR", "rules")
    draws: list[float] = []
    real = ChatView.update_live

    def counting(self, text: str) -> None:
        draws.append(time.monotonic())
        real(self, text)

    monkeypatch.setattr(ChatView, "update_live", counting)
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        await pilot.click("#prompt")
        await pilot.press(*"Tell me about rivers")
        started = time.monotonic()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.query(ChatMessage).filter(".assistant")) == 1)
        seconds = time.monotonic() - started
        assert not app.query(LiveMessage)  # the live block gives way to the answer
    app.rt.close()
    assert draws, "the live block was never drawn"
    # at most one draw per 0.2 s, plus one per phase change
    assert len(draws) <= seconds / 0.2 + 6, (len(draws), seconds)
    # Drawing per token would put most draws milliseconds apart. Only a phase change (and a
    # clock tick that a busy machine delayed) may come within 0.1 s of the previous draw.
    # Measured by gaps, not counts, so a slow machine's longer turn cannot fail it.
    close = [b - a for a, b in zip(draws, draws[1:], strict=False) if b - a < 0.1]
    assert len(close) <= 6 + len(draws) // 10, (len(close), len(draws))
