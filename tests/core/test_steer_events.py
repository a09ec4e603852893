"""What steering did, as events (no model): the controller's acts (text forced, a body closed
at a limit) with their reasons, a resampling round with the slots replaced and why, the
capped list a generation stores, and a steered turn on the fake engine reporting them as
"steer" progress and keeping them through the store."""

from __future__ import annotations

from support.fake_engine import FakeEngine
from support.steer_sim import simulate

from personaco_tui.core import personaco
from personaco_tui.core.reflectors.rules.reflector import RulesReflector
from personaco_tui.core.steer import Controller, Limit, build_plan, resample_event
from personaco_tui.core.steer.controller import Act
from personaco_tui.core.steer.events import STORED_EVENTS, act_event, stored
from personaco_tui.engines.base import Progress
from personaco_tui.engines.llama_steer import _slots
from personaco_tui.store import generations as G
from personaco_tui.store.db import Store

WORDY = [" The", " sea", " is", " wide", " and", " deep", " and", " blue", " today."]


def test_a_word_limit_closes_the_body_and_says_why() -> None:
    plan = build_plan(["Answer in fewer than 6 words."])
    text, ctrl = simulate(plan, WORDY, 32)
    acts = ctrl.take_acts()
    closed = [a for a in acts if a.what == "closed"]
    assert len(closed) == 1 and closed[0].why == "the limit of at most 5 words"
    assert text == " The sea is wide and." and closed[0].at == 5  # 5 words, then "."
    assert acts[-1] == Act("forced", ".", "ending the last sentence", 5, routine=True)
    assert ctrl.record.closed_early == closed[0].why
    assert ctrl.take_acts() == []  # taken once


def test_the_opening_is_routine_and_a_required_word_is_not() -> None:
    plan = build_plan(
        ["Wrap your whole reply in double quotation marks.", "Include the keyword moon."]
    )
    _, ctrl = simulate(plan, WORDY, 12)
    acts = ctrl.take_acts()
    assert acts[0] == Act("forced", '"', "the opening", 0, routine=True)
    moon = [a for a in acts if a.text.strip() == "moon"]
    assert moon and not moon[0].routine
    assert "has 0, wants at least 1 'moon'" in moon[0].why and "budget" in moon[0].why


def test_an_act_reads_as_a_line() -> None:
    ev = act_event(2, Act("forced", "\n* ", "has 1, wants at least 3 bullets", 14))
    assert ev.text == "#3 at token 14: wrote '⏎* ' (has 1, wants at least 3 bullets)"
    assert ev.to_json() == {
        "kind": "forced",
        "at": 14,
        "text": ev.text,
        "candidate": 2,
        "why": "has 1, wants at least 3 bullets",
        "forced": "\n* ",
    }


def test_limits_and_shortfalls_in_words() -> None:
    assert Limit("word_count", 40, None).describe() == "at least 40 words"
    assert Limit("bullet_count", None, 3).describe() == "at most 3 bullets"
    assert Limit("term", None, 0, "very").describe() == "no 'very'"
    assert Limit("sentence_count", 2, 2).describe() == "2 sentences"
    ctrl = Controller(build_plan(["Answer with at least 40 words."]), 100)
    assert ctrl.shortfall("Only four words here.") == "has 4, wants at least 40 words"
    assert ctrl.shortfall(" ".join(["word"] * 40)) == ""


def test_survivors_keep_their_slots_and_copies_fill_the_dropped() -> None:
    # particles 10..13; the picks are indices into them: 10 thrice, 11 once
    assert _slots([10, 11, 12, 13], [0, 0, 0, 1]) == {12: 10, 13: 10}
    assert _slots([10, 11, 12, 13], [0, 0, 3, 3]) == {11: 10, 12: 13}
    assert _slots([1, 2], [0, 1]) == {}


def test_a_resampling_round_names_the_dropped_and_their_sources() -> None:
    ev = resample_event(
        32, {0: 0.7, 1: 0.2, 2: 0.05, 3: 0.05}, {2: "has 3, wants at least 40 words"}, {2: 0, 3: 1}
    )
    assert ev.kind == "resample" and ev.particles == 4 and round(ev.ess, 2) == 1.87
    assert [(r.slot, r.source) for r in ev.replaced] == [(2, 0), (3, 1)]
    assert ev.text.startswith("resampled at token 32: ESS 1.9 of 4 fell under 2")
    assert "#3 (has 3, wants at least 40 words, weight 0.05) -> copy of #1 (0.70)" in ev.text
    assert "#4 (lower weight, weight 0.05) -> copy of #2 (0.20)" in ev.text
    data = ev.to_json()
    assert data["replaced"][0] == {
        "slot": 2,
        "source": 0,
        "why": "has 3, wants at least 40 words",
        "weight": 0.05,
        "source_weight": 0.7,
    }


def test_a_generation_keeps_the_events_that_say_something_capped() -> None:
    routine = act_event(0, Act("forced", '"', "the opening", 0, routine=True))
    closes = [act_event(i, Act("closed", "", "the token budget", 9)) for i in range(50)]
    kept, left_out = stored([routine, *closes])
    assert len(kept) == STORED_EVENTS and left_out == 50 - STORED_EVENTS
    assert all(e["kind"] == "closed" for e in kept) and kept[0]["candidate"] == 0


def test_a_steered_turn_reports_and_stores_what_steering_did(loc) -> None:
    engine = FakeEngine(["The sea is wide and deep and blue today.", "A lamp."], steers=True)
    # the long answer is closed at the limit, the short one at its first sentence end near it
    seen: list[Progress] = []
    signals = ["Answer in fewer than 6 words.", "Wrap your whole reply in double quotation marks."]
    gen = personaco.run(
        engine,
        "What is a lighthouse?",
        signals,
        personaco.RunConfig(k=2, max_tokens=32, seed=0),
        RulesReflector(),
        on_progress=seen.append,
    )
    steer = [p for p in seen if p.kind == "steer"]
    assert steer and all(p.steer is not None and p.text == p.steer.text for p in steer)
    closes = [p.steer for p in steer if p.steer and p.steer.kind == "closed"]
    assert [(c.candidate, c.why) for c in closes] == [
        (i, "the limit of at most 5 words") for i in (0, 1)
    ]
    st = gen.steering
    assert st is not None
    # what was reported is what is kept, but for the routine quotes and closing "."
    assert [e["text"] for e in st["events"]] == [c.text for c in closes]
    assert st["events_left_out"] == 0 and len(steer) > len(closes)
    store = Store.open(loc)
    back = G.load_generation(store, G.save_generation(store, gen))
    assert back.steering is not None and back.steering["events"] == st["events"]
