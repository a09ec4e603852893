"""Steered sampling on the bundled model (tiny budgets): masks hold in every candidate, the
forced structure is placed before the budget ends, SMC resampling copies KV cells, and a
PersonaCo turn records what was steered and reports it as it happens (steer events)."""

from __future__ import annotations

import pytest

from personaco_tui.core import personaco
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.reflectors.rules.reflector import RulesReflector
from personaco_tui.core.signals import understand
from personaco_tui.core.steer import Controller, SteerEvent, build_plan
from personaco_tui.engines import llama_steer
from personaco_tui.engines.base import Progress, SamplingParams
from personaco_tui.tui.live import LiveTurn

pytestmark = pytest.mark.slow


def _messages(query: str, signals: list[str]) -> list[dict[str, str]]:
    return [{"role": "user", "content": personalization_prompt(query, signals)}]


def test_no_commas_and_lowercase_hold_in_every_candidate(engine):
    signals = ["Never use commas in your replies.", "Write only in lowercase letters."]
    outs = engine.sample(
        _messages("Name three fruits and their colours.", signals),
        4,
        SamplingParams(max_tokens=24, seed=3),
        steer=build_plan(signals),
    )
    assert len(outs) == 4
    for o in outs:
        assert o.steered and o.text
        assert "," not in o.text and not any(c.isupper() for c in o.text), o.text


def test_the_first_candidate_starts_from_the_guide(engine):
    signals = ["Never use commas in your replies.", "Write only in lowercase letters."]
    plan = build_plan(signals)
    plan.guide = "Madrid, the capital, is in Spain. It is a large city with many parks."
    outs = engine.sample(
        _messages("What is the capital of Spain?", signals),
        2,
        SamplingParams(max_tokens=24, seed=3),
        steer=plan,
    )
    assert outs[0].guided and outs[0].text.startswith("madrid the capital is in spain."), outs
    assert not outs[1].guided and not outs[1].text.startswith("madrid the capital")
    for o in outs:
        assert "," not in o.text and not any(c.isupper() for c in o.text), o.text


def test_quote_title_and_postscript_fit_a_tiny_budget(engine):
    signals = [
        "Wrap your whole reply in double quotation marks.",
        "Give every answer a short title wrapped in double angle brackets, like <<my title>>.",
        "End every reply with a P.S. note.",
    ]
    checks = [understand(s).check for s in signals]
    outs = engine.sample(
        _messages("What is the capital of Spain?", signals),
        3,
        SamplingParams(max_tokens=40, seed=5),
        steer=build_plan(signals),
    )
    for o in outs:
        assert o.n_tokens <= 40
        assert [c.check(o.text) for c in checks if c] == [True, True, True], o.text
        assert o.forced[0] == '"'


def test_a_later_paragraph_opens_with_its_word(engine):
    signals = ["Write 3 paragraphs and begin the second paragraph with 'However'."]
    check = understand(signals[0]).check
    assert check is not None
    outs = engine.sample(
        _messages("Tell me about cats.", signals),
        3,
        SamplingParams(max_tokens=96, seed=0),
        steer=build_plan(signals),
    )
    opened = [o for o in outs if "\n\nHowever" in o.text]
    assert opened, [o.text for o in outs]
    for o in opened:  # the word comes where the second paragraph begins, not elsewhere
        assert o.text.split("\n\n")[1].startswith("However"), o.text


def test_smc_resampling_copies_a_particle(engine, monkeypatch):
    """A potential that strongly favours the longest text makes the effective sample size
    collapse at the first boundary: particles are resampled (KV cells copied across
    streams) and decoding carries on from the copies."""
    monkeypatch.setattr(llama_steer, "SMC_EVERY", 4)
    monkeypatch.setattr(Controller, "potential", lambda self, text: float(len(text)) ** 12)
    signals = ["Include the keywords river and stone."]
    outs = engine.sample(
        _messages("Describe a walk.", signals),
        4,
        SamplingParams(max_tokens=16, seed=1),
        steer=build_plan(signals),
    )
    assert outs[0].resamples >= 1
    assert all(o.text for o in outs)
    # the keywords are written before the budget ends
    for o in outs:
        assert "river" in o.text.lower() and "stone" in o.text.lower(), o.text


def test_a_steered_turn_records_what_was_steered(engine):
    signals = ["Never use commas.", "I'm a vegetarian."]
    gen = personaco.run(
        engine,
        "Suggest a lunch.",
        signals,
        personaco.RunConfig(k=2, max_tokens=16, seed=2),
        RulesReflector(),
    )
    st = gen.steering
    assert st is not None and st["enabled"] and st["applied"]
    assert [e["how"] for e in st["signals"]] == ["mask", "not steered"]
    assert all("," not in c.text for c in gen.candidates)
    off = personaco.run(
        engine,
        "Suggest a lunch.",
        signals,
        personaco.RunConfig(k=2, max_tokens=16, seed=2, steer=False),
        RulesReflector(),
    )
    assert off.steering == {"enabled": False}


def _steer_events(seen: list[Progress]) -> list[SteerEvent]:
    return [p.steer for p in seen if p.kind == "steer" and p.steer is not None]


def test_a_word_limit_closes_answers_early_and_the_turn_says_so(engine):
    seen: list[Progress] = []
    gen = personaco.run(
        engine,
        "Describe the sea in detail.",
        ["Answer in fewer than 5 words."],
        personaco.RunConfig(k=2, max_tokens=24, seed=4),
        RulesReflector(),
        on_progress=seen.append,
    )
    closes = [e for e in _steer_events(seen) if e.kind == "closed"]
    assert closes, [p.text for p in seen if p.kind == "steer"]
    for e in closes:
        assert e.why == "the limit of at most 4 words" and e.text.startswith(f"#{e.candidate + 1}")
    st = gen.steering
    assert st is not None
    assert [e["text"] for e in st["events"] if e["kind"] == "closed"] == [e.text for e in closes]
    assert {e.candidate for e in closes} == {i for i, w in enumerate(st["closed_early"]) if w}


def test_a_resampling_round_is_reported_stored_and_followed_by_the_live_view(engine, monkeypatch):
    """As above, a potential that favours the longest text forces resampling; the round is
    reported with the slots replaced, kept in the stored generation, and the live view that
    follows the progress (copying a replaced slot's text from its source) ends with the
    answers the turn returned."""
    monkeypatch.setattr(llama_steer, "SMC_EVERY", 4)
    monkeypatch.setattr(Controller, "potential", lambda self, text: float(len(text)) ** 12)
    seen: list[Progress] = []
    gen = personaco.run(
        engine,
        "Describe a walk.",
        ["Include the keywords river and stone."],
        personaco.RunConfig(k=4, max_tokens=16, seed=1),
        RulesReflector(),
        on_progress=seen.append,
    )
    rounds = [e for e in _steer_events(seen) if e.kind == "resample"]
    assert rounds and gen.steering is not None and gen.steering["resamples"] == len(rounds)
    first = rounds[0]
    assert first.replaced and first.ess < first.particles / 2
    sources = {r.source for r in first.replaced}
    assert not sources & {r.slot for r in first.replaced}  # survivors keep their slots
    stored = [e for e in gen.steering["events"] if e["kind"] == "resample"]
    assert [e["replaced"] for e in stored] == [[r.to_json() for r in e.replaced] for e in rounds]
    live = LiveTurn("personaco", 4, 0.0)
    for p in seen:
        if p.kind == "token":
            live.add(p.candidate, p.text, p.n_tokens)
        elif p.steer is not None:
            live.steered(p.steer)
    assert [live.texts[i].strip() for i in range(4)] == [c.text for c in gen.candidates]
    assert [live.tokens[i] for i in range(4)] == [c.n_tokens for c in gen.candidates]
    assert "↻ from #" in live.marks[first.replaced[0].slot]
