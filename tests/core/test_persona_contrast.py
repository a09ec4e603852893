"""Persona contrast wiring on the fake engine: which signals are persona facts, what prompt
the twins read, what the stored generation says where it applied, where the engine cannot
(a remote server), where it is off, and the refusal of a turn whose 2k sequences cannot fit."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.core import personaco
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.steer.contrast import CANNOT, persona_facts, summary
from personaco_tui.errors import EngineError

QUERY = "What should I cook tonight?"
FACT = "I'm vegetarian."
RULE = "Never use commas."


def _run(engine: FakeEngine, signals: list[str], **cfg: object):
    config = personaco.RunConfig(k=3, max_tokens=8, seed=0, persona_steer="contrast")
    for key, value in cfg.items():
        setattr(config, key, value)
    return personaco.run(engine, QUERY, signals, config)


def test_persona_facts_are_the_signals_no_rule_checks():
    assert persona_facts([FACT, RULE, "I live in Germany."]) == [FACT, "I live in Germany."]


def test_the_twins_read_the_query_with_the_other_signals_and_without_the_facts():
    engine = FakeEngine(contrasts=True)
    gen = _run(engine, [FACT, RULE], persona_alpha=2.0)
    contrast = engine.contrasts[-1]
    assert contrast is not None and contrast.alpha == 2.0 and contrast.facts == (FACT,)
    assert contrast.without == [{"role": "user", "content": personalization_prompt(QUERY, [RULE])}]
    persona = gen.steering["persona"]
    assert persona == {
        "mode": "contrast",
        "alpha": 2.0,
        "facts": [FACT],
        "applied": True,
        "sequences": 6,
        "note": "",
    }
    assert summary(persona).startswith("Persona contrast α=2.0: each answer drawn against")


def test_with_facts_only_the_twins_read_the_bare_query():
    engine = FakeEngine(contrasts=True)
    _run(engine, [FACT])
    assert engine.contrasts[-1].without == [{"role": "user", "content": QUERY}]


def test_an_engine_that_cannot_contrast_samples_plainly_and_says_so():
    engine = FakeEngine()  # like the remote server: capabilities.contrast is False
    gen = _run(engine, [FACT])
    assert engine.contrasts == [None]
    persona = gen.steering["persona"]
    assert persona["applied"] is False and persona["note"] == CANNOT
    assert "remote server" in summary(persona)


def test_no_persona_fact_no_contrast():
    engine = FakeEngine(contrasts=True)
    gen = _run(engine, [RULE])
    assert engine.contrasts[-1] is None
    assert gen.steering["persona"]["note"] == "no persona facts among the signals"


def test_off_leaves_no_trace():
    engine = FakeEngine(contrasts=True)
    gen = _run(engine, [FACT], persona_steer="off")
    assert engine.contrasts == [None] and "persona" not in gen.steering


def test_the_baseline_is_never_contrasted():
    engine = FakeEngine(contrasts=True)
    gen = _run(engine, [FACT], method="baseline")
    assert engine.contrasts == [None] and gen.steering is None


def test_a_turn_whose_2k_sequences_cannot_fit_is_refused_before_any_work():
    engine = FakeEngine(contrasts=True, n_seq_max=4)
    with pytest.raises(EngineError, match=r"2k = 6 sequences.*persona_steer = off"):
        _run(engine, [FACT])
    assert engine.samples == []


def test_the_setting_reaches_the_run_config(monkeypatch):
    from personaco_tui.runtime import Runtime

    monkeypatch.setenv("PERSONACO_GENERATION_PERSONA_STEER", "contrast")
    monkeypatch.setenv("PERSONACO_GENERATION_PERSONA_ALPHA", "0.5")
    rt = Runtime.open()
    try:
        cfg = rt.run_config()
    finally:
        rt.close()
    assert cfg.persona_steer == "contrast" and cfg.persona_alpha == 0.5
