"""Persona contrast (issue 17): the logit combination and its plausibility cutoff as pure
functions, the budget of 2k sequences, and on the bundled model (tiny budgets) that a
contrastive turn decodes k answers and k twins, each twin fed its answer's tokens, composed
with masks and with SMC copies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from personaco_tui.core import personaco
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.steer import Controller, build_plan
from personaco_tui.engines import llama_steer
from personaco_tui.engines.base import Contrast, SamplingParams
from personaco_tui.engines.llama_contrast import PLAUSIBLE, check_budget, combine, plausible
from personaco_tui.errors import EngineError

NEG = -np.inf


def _row(*xs: float) -> np.ndarray:
    return np.array(xs, dtype=np.float32)


# -- pure ---------------------------------------------------------------------------------


def test_plausible_keeps_tokens_within_beta_of_the_most_likely():
    p = np.array([0.5, 0.06, 0.04, 0.4])
    keep = plausible(np.log(p).astype(np.float32), 0.1)
    assert keep.tolist() == [True, True, False, True]  # 0.04 < 0.1 * 0.5 <= 0.06


def test_alpha_zero_is_the_with_row_cut_to_its_plausible_tokens():
    w = _row(2.0, 1.9, -5.0, 0.5)
    out = combine(w, _row(0.0, 3.0, 9.0, 1.0), 0.0)
    assert out[[0, 1, 3]].tolist() == pytest.approx([2.0, 1.9, 0.5])
    assert out[2] == NEG


def test_the_contrast_favours_what_the_facts_make_likelier():
    # token 0 is as likely with and without the facts; token 1 only with them
    w = _row(2.0, 1.9, 0.0)
    wo = _row(2.0, -1.0, 0.0)
    assert w.argmax() == 0
    out = combine(w, wo, 1.0)
    assert out.argmax() == 1
    assert out[1] == pytest.approx(2 * 1.9 - (-1.0))


def test_a_junk_token_is_never_promoted_however_large_the_contrast():
    # token 2 is nearly impossible with the facts but far less likely still without them
    w = _row(3.0, 2.5, 3.0 + math.log(PLAUSIBLE) - 0.01)
    wo = _row(3.0, 2.5, -100.0)
    out = combine(w, wo, 5.0)
    assert out[2] == NEG and np.isfinite(out[:2]).all()


def test_a_token_the_twin_finds_impossible_stays_finite():
    out = combine(_row(1.0, 0.9), _row(0.0, NEG), 2.0)
    assert np.isfinite(out).all()


def test_masked_tokens_stay_masked():
    out = combine(_row(NEG, 1.0, 0.8), _row(5.0, 0.0, 0.0), 1.0)
    assert out[0] == NEG and np.isfinite(out[1:]).all()


def test_a_turn_of_2k_sequences_that_cannot_fit_is_refused_in_one_line():
    with pytest.raises(EngineError, match=r"2k = 16 sequences.*holds 8.*persona_steer = off"):
        check_budget(50, 40, 8, 10, n_ctx=4096, n_seq_max=8)
    with pytest.raises(EngineError, match=r"about 3290 tokens.*2 x 8 x 200.*holds 2048"):
        check_budget(50, 40, 8, 200, n_ctx=2048, n_seq_max=64)
    check_budget(50, 40, 8, 100, n_ctx=4096, n_seq_max=64)  # fits


# -- on the bundled model -------------------------------------------------------------------

QUERY = "Suggest a quick dinner."
FACT = "I'm vegetarian."


def _twins_follow(engine, with_msgs, without_msgs, n: int) -> None:
    """Twin n+s holds the prompt without the facts and then exactly answer s's tokens."""
    w = engine.prompt_tokens(with_msgs)
    wo = engine.prompt_tokens(without_msgs)
    res = engine._resident
    assert sorted(res) == list(range(2 * n))
    for s in range(n):
        assert res[n + s][: len(wo)] == wo
        assert res[s][: len(w)] == w
        assert res[n + s][len(wo) :] == res[s][len(w) :]
        assert len(res[s]) > len(w)


@pytest.mark.slow
def test_a_contrastive_turn_runs_2k_sequences_and_records_it(engine):
    signals = [FACT, "Never use commas."]
    gen = personaco.run(
        engine,
        QUERY,
        signals,
        personaco.RunConfig(k=2, max_tokens=6, seed=3, persona_steer="contrast"),
    )
    persona = gen.steering["persona"]
    assert persona["applied"] is True and persona["sequences"] == 4
    assert persona["facts"] == [FACT] and persona["alpha"] == 0.5
    assert gen.steering["applied"] is True  # the comma mask composed with the contrast
    assert all("," not in c.text for c in gen.candidates)
    without = [{"role": "user", "content": personalization_prompt(QUERY, ["Never use commas."])}]
    _twins_follow(engine, [{"role": "user", "content": gen.prompt}], without, 2)


@pytest.mark.slow
def test_twins_follow_their_answers_through_smc_copies(engine, monkeypatch):
    monkeypatch.setattr(llama_steer, "SMC_EVERY", 4)
    monkeypatch.setattr(Controller, "potential", lambda self, text: float(len(text)) ** 12)
    signals = [FACT, "Include the keywords river and stone."]
    query = "Describe a walk."
    with_msgs = [{"role": "user", "content": personalization_prompt(query, signals)}]
    without = [{"role": "user", "content": personalization_prompt(query, signals[1:])}]
    outs = engine.sample(
        with_msgs,
        4,
        SamplingParams(max_tokens=16, seed=1),
        steer=build_plan(signals[1:]),
        contrast=Contrast(1.0, without),
    )
    assert outs[0].resamples >= 1 and all(o.contrasted and o.steered for o in outs)
    _twins_follow(engine, with_msgs, without, 4)
