"""Steering in the app: while a steered turn runs, the live block shows what steering did (a
line per event under the candidates, a marker on a resampled candidate, its text now its
source's); afterwards the why view lists the stored history. The fake engine steers (its
controller's acts are reported) and, before it samples, reports one resampling round and
holds the turn until the test has seen it drawn."""

from __future__ import annotations

import threading

from support.fake_engine import FakeEngine
from support.pilot import wait_for

from personaco_tui.core.steer import resample_event
from personaco_tui.engines.base import Progress
from personaco_tui.store import profiles as P
from personaco_tui.tui.app import make_app
from personaco_tui.tui.live import STEER_LINES, LiveTurn, live_markdown
from personaco_tui.tui.screens.why import WhyScreen
from personaco_tui.tui.widgets.chat_view import ChatMessage, ChatView

SIGNAL = "Answer in at least 40 words."
DROPPED = "has 2, wants at least 40 words"


class HeldSteeringEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__(["Noted."], name="smollm2-135m", steers=True)
        self.release = threading.Event()

    def sample(self, messages, n, params, *, on_progress=None, steer=None, **kw):
        if steer is not None and on_progress is not None:
            for c in range(n):
                on_progress(Progress("token", candidate=c, n_tokens=2, text=f" words{c} here"))
            ev = resample_event(16, {0: 0.9, 1: 0.05, 2: 0.05}, {1: DROPPED}, {1: 0, 2: 0})
            on_progress(Progress("steer", text=ev.text, steer=ev))
            assert self.release.wait(20), "the test never let the turn finish"
        return super().sample(messages, n, params, on_progress=on_progress, steer=steer, **kw)


async def test_the_live_block_shows_a_resampling_and_the_why_view_its_history(monkeypatch):
    monkeypatch.setenv("PERSONACO_GENERATION_METHOD", "personaco")
    monkeypatch.setenv("PERSONACO_GENERATION_K", "3")
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "64")
    monkeypatch.setenv("PERSONACO_GENERATION_REFLECTOR", "rules")
    drawn: list[str] = []
    real = ChatView.update_live
    monkeypatch.setattr(ChatView, "update_live", lambda self, t: (drawn.append(t), real(self, t)))
    engine = HeldSteeringEngine()
    app = make_app(engine=engine)
    P.add_signal(app.rt.store, app.chat.profile.id, SIGNAL)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.rt.engine is not None)
        app.query_one("#prompt").focus()
        await pilot.press(*"Describe a walk", "enter")
        try:
            await wait_for(pilot, lambda: any("resampled at token 16" in t for t in drawn))
        finally:
            engine.release.set()
        live = next(t for t in drawn if "resampled at token 16" in t)
        lines = live.splitlines()
        assert "- **1** (2 tok) words0 here" in lines
        # the dropped slots show their source's text, marked
        assert "- **2** ↻ from #1 (2 tok) words0 here" in lines
        assert "- **3** ↻ from #1 (2 tok) words0 here" in lines
        steering = lines[lines.index("*Steering:*") + 1 :]
        assert steering[0].startswith("- ↻ resampled at token 16: ESS 1.2 of 3 fell under 1.5")
        assert f"#2 ({DROPPED}, weight 0.05) -> copy of #1 (0.90)" in steering[0]

        await wait_for(pilot, lambda: len(app.query(ChatMessage).filter(".assistant")) == 1)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen))
        app.screen.query_one("#why-table").move_cursor(row=1)
        await pilot.pause()
        texts = str(app.screen.query_one("#why-texts").render())
        assert "Steering, as it happened" in texts and "resampled at token 16" in texts
        assert f"Resampled at token 16: dropped ({DROPPED}) for a copy of #1" in texts
    app.rt.close()


def test_the_live_lines_merge_repeats_and_keep_the_latest() -> None:
    from personaco_tui.core.steer import Act, act_event

    turn = LiveTurn("personaco", 3, 0.0)
    for c in (2, 0):
        turn.steered(act_event(c, Act("forced", '"', "the opening", 0, routine=True)))
    turn.steered(act_event(1, Act("closed", "", "the limit of at most 4 words", 5)))
    assert turn.steer_lines() == [
        "✎ #1, #3: wrote '\"' (the opening)",
        "⏹ #2: closed early at the limit of at most 4 words",
    ]
    assert "- **2** ⏹ closed …" in live_markdown(turn, 1.0)
    for at in range(1, STEER_LINES + 2):
        turn.steered(resample_event(16 * at, {0: 0.9, 1: 0.1}, {}, {1: 0}))
    lines = turn.steer_lines()
    assert len(lines) == STEER_LINES and lines[-1].startswith(f"↻ resampled at token {16 * 5}")
