"""The persona reflector's logic on the deterministic fake engine: cells compare the k answers
of one signal, keep their evidence, and an engine that cannot score text falls back to
self-reflection and says so."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine, LikesWord

from personaco_tui.core import personaco
from personaco_tui.core.helpfulness import NEUTRAL, query_pmi
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import (
    AGAINST,
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


def _shaping(facts: list[str], cancel: object = None) -> list[bool]:
    return [False] * len(facts)


def _ruling_out(facts: list[str], cancel: object = None) -> list[bool]:
    return [True] * len(facts)


def test_the_answer_that_fits_the_persona_scores_higher():
    engine = LikesWord()
    cells = PersonaReflector(engine, rules_out=_shaping).score(_inp([MEAT, VEG, MEAT], [SIGNAL]))
    scores = [c.score for c in cells]
    assert scores[1] is not None and scores[0] is not None
    assert scores[1] > 0.5 == scores[0] == scores[2]
    assert all(c.reflector == "persona" for c in cells)
    assert cells[1].raw.startswith(f"as the user, “{LEAD} {SIGNAL}” against “{AGAINST} {SIGNAL}”")
    assert "the odds after the median of the 3 answers" in cells[0].raw
    # each pair twice, once after each reply, both after the query alone (signals unseen);
    # only the persona sentence is scored
    assert len(engine.scored) == 6
    leads = set()
    for prefix, cont in engine.scored:
        assert cont == engine.tokenize(SIGNAL, add_bos=False)
        assert engine.tokenize("personalizations:", add_bos=False)[0] not in prefix
        for n, lead in enumerate((LEAD, AGAINST)):
            if prefix[-len(lead.split()) :] == engine.tokenize(lead, add_bos=False):
                leads.add(n)
    assert leads == {0, 1}


def test_a_fact_that_rules_something_out_is_read_by_the_complaint_alone():
    # LikesWord: after the answer with beans "doesn't work for me ..." is less likely
    engine = LikesWord()
    reflector = PersonaReflector(engine, rules_out=_ruling_out)
    cells = reflector.score(_inp([MEAT, VEG, MEAT], [SIGNAL]))
    assert [c.score for c in cells][1] > 0.5 == cells[0].score == cells[2].score
    lead = f"a fact that rules something out (the model's reading): as the user, “{AGAINST} "
    assert cells[1].raw.startswith(lead + f"{SIGNAL}” is 0.18× as likely as after the median")
    # the "suits me" reply is never read: one reading per answer
    suits = engine.tokenize(LEAD, add_bos=False)
    assert len(engine.scored) == 3
    assert all(prefix[-len(suits) :] != suits for prefix, _ in engine.scored)


def test_the_engines_own_reading_decides_which_facts_rule_something_out_by_default():
    from personaco_tui.core.reflectors import polarity

    engine = FakeEngine()
    assert PersonaReflector(engine).rules_out == polarity.of(engine).rules_out
    assert polarity.of(engine) is polarity.of(engine)


def test_a_reply_that_only_echoes_the_fact_gains_nothing():
    # the copying model makes the fact likelier after an answer repeating it, behind either
    # reply alike: the contrast of the two cancels it
    cells = PersonaReflector(FakeEngine()).score(_inp([SIGNAL, VEG], [SIGNAL]))
    assert [c.score for c in cells] == [0.5, 0.5]


def test_the_question_raises_the_likelihood_of_an_answer_that_addresses_it():
    engine = FakeEngine()
    parrot, answer = "I'm vegetarian.", "A quick dinner: lentil soup."
    pmi = query_pmi(engine, "Suggest a quick dinner.", None, [parrot, answer])
    assert pmi is not None and pmi[1] > pmi[0] == 0.0  # the copying model: shared words
    assert [p[-1] for p, _ in engine.scored[:2]] == [engine.prompt_tokens([])[-1]] * 2
    neutral = engine.tokenize(NEUTRAL.split()[0], add_bos=False)[0]
    assert neutral in engine.scored[0][0] and neutral not in engine.scored[2][0]
    # each continuation is the answer, up to the next turn
    assert engine.scored[3][1][: len(answer.split())] == engine.tokenize(answer, add_bos=False)
    engine.capabilities = Capabilities(gpu_offload=False, counts_tokens=True, scores_text=False)
    assert query_pmi(engine, "Suggest a quick dinner.", None, [parrot, answer]) is None


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
    # a question that shares no word with either answer, so the helpfulness term is equal
    engine = LikesWord([MEAT, VEG])
    gen = personaco.run(
        engine,
        "What's for supper?",
        ["Keep it under 50 words.", SIGNAL],
        personaco.RunConfig(k=2, max_tokens=16, seed=0),
        AutoReflector(PersonaReflector(engine)),
    )
    assert {c.signal: c.reflector for c in gen.cells} == {0: "rules", 1: "persona"}
    assert gen.chosen_index == 1  # both are short: the persona cell decides


def test_a_persona_pick_weighs_how_well_an_answer_addresses_the_question():
    parrot, answer = "I'm vegetarian.", "Lentil soup is quick: lentils, onion, stock."
    cells = [ReflectionCell(0, 0, 0.8, "persona"), ReflectionCell(1, 0, 0.5, "persona")]
    texts = [parrot, answer]
    assert personaco.choose(cells, 2, texts=texts)[0] == 0  # no term: the cells alone
    best, rows = personaco.choose(cells, 2, texts=texts, addresses=[0.0, 1.0])
    assert best == 1 and rows == pytest.approx([0.8, 1.0])
    # the paper's self-reflection is left as it is
    own = [ReflectionCell(0, 0, 0.8, "self"), ReflectionCell(1, 0, 0.5, "self")]
    assert personaco.choose(own, 2, texts=texts, addresses=[0.0, 1.0]) == (0, [0.8, 0.5])


def test_a_persona_turn_stores_the_term_and_samples_no_plain_answer():
    engine = FakeEngine(["I'm vegetarian.", "A quick dinner: beans."], plain="unused")
    gen = personaco.run(
        engine,
        "Suggest a quick dinner.",
        [SIGNAL],
        personaco.RunConfig(k=2, max_tokens=200, seed=0),
        AutoReflector(PersonaReflector(engine)),
    )
    assert len(engine.samples) == 1  # nothing to steer: no plain answer is sampled
    assert gen.steering is not None and "anchor" not in gen.steering
    assert gen.steering["addresses"] == [0.0, 1.0]  # the second shares the question's words
    assert "addresses_after_wishes" not in gen.steering  # a fact: the question alone
    assert gen.steering["pmi"][1] > gen.steering["pmi"][0]
    assert gen.chosen_index == 1
    off = FakeEngine([MEAT, VEG])
    personaco.run(
        off,
        "Suggest a dinner.",
        [SIGNAL],
        personaco.RunConfig(k=2, max_tokens=16, seed=0, steer=False),  # the paper's method
        AutoReflector(PersonaReflector(off)),
    )
    assert len(off.samples) == 1  # no plain answer


WISH = "Use a cooking analogy."
ANALOGY = "Picture a cooking analogy. the kitchen sends plates out."
PLAIN = "Data moves across the network in packets."


def test_a_wish_ranks_the_answer_it_makes_likely():
    # the copying model: the answer that shares the wish's words is likelier after it
    engine = FakeEngine()
    cells = PersonaReflector(engine).score(_inp([PLAIN, ANALOGY, PLAIN], [WISH]))
    scores = [c.score for c in cells]
    assert scores[1] is not None and scores[0] is not None
    assert scores[1] > 0.5 == scores[0] == scores[2]
    assert cells[1].raw.startswith(f"a wish: read after “{WISH}” and the question")
    assert "against the median of the 3 answers" in cells[1].raw
    # one batch: the answers after the question alone, then after the wish and the question
    assert len(engine.scored) == 6
    wish_word = engine.tokenize("analogy.", add_bos=False)[0]
    assert [wish_word in p for p, _ in engine.scored] == [False] * 3 + [True] * 3
    # no user reply is read for a wish
    assert all(engine.tokenize(LEAD, add_bos=False)[0] not in p for p, _ in engine.scored)


def test_facts_and_wishes_of_one_turn_keep_their_places():
    engine = LikesWord()
    cells = PersonaReflector(engine).score(_inp([MEAT, VEG, ANALOGY], [WISH, SIGNAL]))
    assert [(c.candidate, c.signal) for c in cells][:2] == [(0, 0), (0, 1)]
    by = {(c.candidate, c.signal): c for c in cells}
    assert by[(2, 0)].raw.startswith("a wish") and by[(2, 0)].score > 0.5
    assert by[(1, 1)].raw.startswith("as the user") and by[(1, 1)].score > 0.5


def test_the_question_is_read_after_the_wishes_for_the_helpfulness_term():
    engine = FakeEngine()
    query_pmi(engine, "How does the internet work?", None, [PLAIN, ANALOGY], wishes=WISH)
    wish_word = engine.tokenize("analogy.", add_bos=False)[0]
    neutral = engine.tokenize(NEUTRAL.split()[0], add_bos=False)[0]
    # the neutral reading first, without the wish; then the question, after it
    assert [wish_word in p for p, _ in engine.scored] == [False, False, True, True]
    assert all(neutral in p for p, _ in engine.scored[:2])


def test_a_turn_with_a_wish_reads_the_question_after_it():
    engine = FakeEngine([PLAIN, ANALOGY])
    gen = personaco.run(
        engine,
        "How does the internet work?",
        [WISH],
        personaco.RunConfig(k=2, max_tokens=64, seed=0),
        AutoReflector(PersonaReflector(engine)),
    )
    assert {c.reflector for c in gen.cells} == {"persona"}
    assert gen.chosen_index == 1
    assert gen.steering is not None and gen.steering["addresses_after_wishes"] == WISH
    wish_word = engine.tokenize("analogy.", add_bos=False)[0]
    # helpfulness: neutral (2), after the wish (2); the wish cells: alone (2), and after the
    # wish again from the turn's readings (core/helpfulness.AnswerReadings), not read twice
    assert [wish_word in p for p, _ in engine.scored] == [False] * 2 + [True] * 2 + [False] * 2
