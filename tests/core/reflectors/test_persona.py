"""The persona reflector's logic on the deterministic fake engine: cells compare the k answers
of one signal, keep their evidence, and an engine that cannot score text falls back to
self-reflection and says so."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.core import personaco
from personaco_tui.core.consensus import addresses_question
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import (
    LEAD,
    PersonaReflector,
    margin_score,
    split_continuation,
)
from personaco_tui.core.types import ReflectionCell
from personaco_tui.engines.base import Capabilities
from personaco_tui.errors import EngineError

MEAT = "Grill a steak with potatoes tonight."
VEG = "Cook beans and rice, quick and vegetarian."
SIGNAL = "I'm vegetarian."


def _inp(answers: list[str], signals: list[str]) -> ReflectionInput:
    prompt = personalization_prompt("Suggest a dinner.", signals)
    return ReflectionInput(
        [{"role": "user", "content": prompt}], "Suggest a dinner.", answers, signals
    )


def test_the_sentence_is_cut_between_the_lead_and_the_turn_markers():
    full = [1, 2, 3, 4, 9, 8, 7, 5, 6]
    short = [1, 2, 3, 4, 5, 6]
    assert split_continuation(full, short) == ([1, 2, 3, 4], [9, 8, 7])


def test_the_median_answer_scores_a_half_and_better_answers_more():
    cells = margin_score([-10.0, -8.0, -12.0])
    assert [round(s, 3) for s, _ in cells] == [0.5, 0.881, 0.119]
    assert [m for _, m in cells] == [0.0, 2.0, -2.0]


def test_the_answer_that_fits_the_persona_scores_higher():
    engine = FakeEngine()
    cells = PersonaReflector(engine).score(_inp([MEAT, VEG, MEAT], [SIGNAL]))
    scores = [c.score for c in cells]
    assert scores[1] is not None and scores[0] is not None
    assert scores[1] > 0.5 == scores[0] == scores[2]
    assert all(c.reflector == "persona" for c in cells)
    assert "as likely after this answer as after the median of the 3 answers" in cells[1].raw
    assert cells[0].raw.startswith(f"the reply “{LEAD} {SIGNAL}” is 1× as likely")
    # each pair scored only the persona sentence after the answer and the user's lead
    # each pair twice: after the prompt naming the signal, then after the query alone
    assert len(engine.scored) == 6
    for n, (prefix, cont) in enumerate(engine.scored):
        assert prefix[-len(LEAD.split()) :] == engine.tokenize(LEAD, add_bos=False)
        assert cont == engine.tokenize(SIGNAL, add_bos=False)
        prompt_seen = engine.tokenize("personalizations:", add_bos=False)[0] in prefix
        assert prompt_seen == (n < 3)


def test_cells_are_one_per_answer_and_signal_in_order():
    cells = PersonaReflector(FakeEngine()).score(_inp([MEAT, VEG], [SIGNAL, "I live in Spain."]))
    assert [(c.candidate, c.signal) for c in cells] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_an_engine_that_cannot_score_text_falls_back_and_says_so():
    engine = FakeEngine(p_yes=lambda answer, q: 0.7)
    engine.capabilities = Capabilities(gpu_offload=False, counts_tokens=True, scores_text=False)
    cells = PersonaReflector(engine, fallback=SelfReflector(engine)).score(
        _inp([MEAT, VEG], [SIGNAL])
    )
    assert [c.score for c in cells] == [0.7, 0.7]
    assert {c.reflector for c in cells} == {"self"}
    assert all(c.raw.startswith("persona scoring unavailable") for c in cells)
    with pytest.raises(EngineError, match="persona reflector cannot run"):
        PersonaReflector(engine).score(_inp([MEAT, VEG], [SIGNAL]))


def test_auto_gives_rules_what_they_check_and_persona_the_rest():
    # a plain answer that shares no word with either, so only the persona cell tells them apart
    engine = FakeEngine([MEAT, VEG], plain="Many dishes suit an evening.")
    gen = personaco.run(
        engine,
        "Suggest a dinner.",
        ["Keep it under 50 words.", SIGNAL],
        personaco.RunConfig(k=2, max_tokens=16, seed=0),
        AutoReflector(PersonaReflector(engine)),
    )
    assert {c.signal: c.reflector for c in gen.cells} == {0: "rules", 1: "persona"}
    assert gen.chosen_index == 1  # both are short: the persona cell decides


def test_a_persona_pick_weighs_how_well_an_answer_addresses_the_question():
    parrot, answer = "I'm vegetarian.", "Lentil soup is quick: lentils, onion, stock."
    plain = "A quick soup: lentils, onion and stock, simmered for twenty minutes."
    cells = [ReflectionCell(0, 0, 0.8, "persona"), ReflectionCell(1, 0, 0.5, "persona")]
    texts = [parrot, answer]
    assert addresses_question(plain, texts) == [0.0, 1.0]
    assert personaco.choose(cells, 2, texts=texts)[0] == 0  # no plain answer: the cells alone
    best, rows = personaco.choose(cells, 2, texts=texts, anchor=plain)
    assert best == 1 and rows == pytest.approx([0.8, 1.5])
    # the paper's self-reflection is left as it is: the plain answer only breaks its ties
    own = [ReflectionCell(0, 0, 0.8, "self"), ReflectionCell(1, 0, 0.5, "self")]
    assert personaco.choose(own, 2, texts=texts, anchor=plain) == (0, [0.8, 0.5])


def test_a_persona_turn_samples_a_plain_answer_and_stores_the_term():
    engine = FakeEngine([MEAT, VEG], plain="Beans and rice make a quick dinner.")
    gen = personaco.run(
        engine,
        "Suggest a dinner.",
        [SIGNAL],
        personaco.RunConfig(k=2, max_tokens=200, seed=0),
        AutoReflector(PersonaReflector(engine)),
    )
    first, rest = engine.samples
    assert first.n == 1 and first.messages[-1]["content"] == "Suggest a dinner."
    # nothing is steered, so only the plain answer's opening is sampled
    assert first.params.max_tokens == personaco.ANCHOR_TOKENS < rest.params.max_tokens == 200
    assert gen.steering is not None
    assert gen.steering["anchor"] == "Beans and rice make a quick dinner."
    assert gen.steering["addresses"] == [0.0, 1.0]  # VEG shares "beans", "rice", "quick"
    off = FakeEngine([MEAT, VEG], plain="Beans and rice make a quick dinner.")
    personaco.run(
        off,
        "Suggest a dinner.",
        [SIGNAL],
        personaco.RunConfig(k=2, max_tokens=16, seed=0, steer=False),  # the paper's method
        AutoReflector(PersonaReflector(off)),
    )
    assert len(off.samples) == 1  # no plain answer
