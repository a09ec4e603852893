"""The configured reflectors, as the runtime builds them, on the real model."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.core import personaco
from personaco_tui.core.helpfulness import query_pmi
from personaco_tui.core.prompts import reflection_prompt
from personaco_tui.errors import ConfigError
from personaco_tui.runtime import Runtime

SIGNALS = ["Never use commas.", "I have a PhD in geology."]


@pytest.fixture
def rt(engine):
    runtime = Runtime.open(engine=engine)
    yield runtime
    runtime.close()


def test_auto_uses_rules_where_it_can_and_a_model_for_the_rest(rt, engine):
    gen = personaco.run(
        engine,
        "What is a rock?",
        SIGNALS,
        personaco.RunConfig(k=2, max_tokens=8, seed=3),
        rt.reflector(engine, "auto"),
    )
    by_signal = {c.signal: c.reflector for c in gen.cells}
    assert by_signal == {0: "rules", 1: "persona"}
    # the persona cells rank the two answers by the user's reply, with the evidence kept
    persona = [c for c in gen.cells if c.signal == 1]
    assert all(0.0 <= (c.score or 0.0) <= 1.0 and "above the median)" in c.raw for c in persona)
    # each answer's helpfulness (how much the question raises its likelihood) joined its row
    assert gen.steering is not None
    addresses, pmi = gen.steering["addresses"], gen.steering["pmi"]
    assert len(pmi) == 2 and all(isinstance(v, float) for v in pmi)
    assert addresses == (
        [0.5, 0.5] if pmi[0] == pmi[1] else [float(pmi[0] > pmi[1]), float(pmi[1] > pmi[0])]
    )
    cells = [sum(c.score or 0.0 for c in gen.cells if c.candidate == i) for i in range(2)]
    assert [c.score for c in gen.candidates] == pytest.approx(
        [r + personaco.ADDRESSES_WEIGHT * h for r, h in zip(cells, addresses, strict=True)]
    )


def test_the_question_raises_an_answer_to_it_above_one_that_ignores_it(engine):
    answers = [
        "I'm a helpful AI assistant named SmolLM, trained by Hugging Face.",
        "A rock is a solid mass of minerals, such as granite or basalt.",
    ]
    pmi = query_pmi(engine, "What is a rock?", None, answers)
    assert pmi is not None and pmi[1] > pmi[0]


def test_persona_and_self_stay_available_on_the_real_model(rt, engine):
    for name in ("persona", "self", "self-text"):
        gen = personaco.run(
            engine,
            "What should I eat tonight?",
            ["I'm vegetarian."],
            personaco.RunConfig(k=3, max_tokens=10, seed=4),
            rt.reflector(engine, name),
        )
        assert {c.reflector for c in gen.cells} == {name}
        if name == "persona":
            # three different answers: the reply stating the fact is likelier after some
            scores = [c.score for c in gen.cells]
            assert len({round(s or 0.0, 6) for s in scores}) > 1


def test_model_reflector_needs_a_model(rt, engine):
    with pytest.raises(ConfigError):
        rt.reflector(engine, "model")


def test_model_reflector_takes_the_uncheckable_cells(rt, engine):
    # A reflector model of its own (a fake: no second load in tests); the runtime closes
    # it with itself, and never the session's engine.
    judge = FakeEngine(p_yes=lambda answer, question: 0.75)
    rt.settings.generation.reflector_model = "smollm2-135m"
    rt._reflector_engine = judge
    rt._reflector_source = ("smollm2-135m", None)  # built for this setting: reused, not reloaded
    gen = personaco.run(
        engine,
        "What is a rock?",
        SIGNALS,
        personaco.RunConfig(k=2, max_tokens=8, seed=3),
        rt.reflector(engine, "auto"),
    )
    assert {c.signal: c.reflector for c in gen.cells} == {0: "rules", 1: "model"}
    assert [c.score for c in gen.cells if c.signal == 1] == [0.75, 0.75]
    # the model reflector saw the signal the rules could not check, once per answer
    assert [c[-1]["content"] for c in judge.asked] == [reflection_prompt(SIGNALS[1])] * 2
    rt.close()
    assert judge.closed


def test_a_wish_ranks_the_answer_that_follows_it_on_the_real_model(engine):
    from personaco_tui.core.reflectors.base import ReflectionInput
    from personaco_tui.core.reflectors.persona import PersonaReflector

    query = "What is a rock?"
    answers = [
        "A rock is a solid mass of minerals, such as granite or basalt.",
        "Arr, matey! A rock be a hard lump o' minerals, like the granite on me island, arr!",
        "I'm a helpful AI assistant named SmolLM.",
    ]
    wish = "Talk to me like a pirate."
    inp = ReflectionInput([{"role": "user", "content": query}], query, answers, [wish])
    cells = PersonaReflector(engine).score(inp)
    assert all(c.raw.startswith("a wish") for c in cells)
    scores = [c.score or 0.0 for c in cells]
    assert scores[1] == max(scores) and scores[1] > 0.5
