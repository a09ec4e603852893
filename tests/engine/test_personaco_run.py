"""One PersonaCo turn end to end on the bundled model with the paper's self-reflection."""

from __future__ import annotations

from personaco_tui.core import personaco
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.engines.base import Progress

SIGNALS = ["Keep it under 20 words.", "Never use commas"]


def test_personaco_turn_fills_the_matrix_and_picks_the_best_row(engine):
    events: list[Progress] = []
    gen = personaco.run(
        engine,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(k=3, max_tokens=12, seed=11),
        SelfReflector(engine),
        on_progress=events.append,
    )
    assert gen.prompt == personalization_prompt("What is a lighthouse?", SIGNALS)
    assert "Keep it under 20 words. Never use commas." in gen.prompt
    assert len(gen.candidates) == 3
    matrix = gen.matrix()
    assert len(matrix) == 3 and all(len(r) == 2 for r in matrix)
    assert all(0.0 <= v <= 1.0 for row in matrix for v in row)
    sums = [sum(r) for r in matrix]
    assert gen.chosen_index == max(range(3), key=lambda i: (round(sums[i], 9), -i))
    assert gen.response == gen.candidates[gen.chosen_index].text
    assert {c.reflector for c in gen.cells} == {"self"}
    assert gen.settings.seed == 11 and gen.settings.k == 3
    reflect_events = [e for e in events if e.kind == "reflect"]
    assert reflect_events and reflect_events[-1].done == reflect_events[-1].total == 6
    assert gen.sample_s is not None and gen.reflect_s is not None


def test_baseline_is_one_sample_without_reflection(engine):
    gen = personaco.run(
        engine,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(method="baseline", k=8, max_tokens=8, seed=3),
        SelfReflector(engine),
    )
    assert len(gen.candidates) == 1 and gen.chosen_index == 0
    assert gen.cells == [] and gen.settings.k == 1 and gen.settings.reflector is None


def test_early_stop_when_an_answer_meets_every_checkable_signal(engine):
    from personaco_tui.core.reflectors.auto import AutoReflector

    # "fewer than 500 words" holds for the first answer to finish: the others are cut there
    gen = personaco.run(
        engine,
        "Reply with one word: yes or no?",
        ["Keep it under 500 words."],
        personaco.RunConfig(k=4, max_tokens=64, seed=1, early_stop=True),
        AutoReflector(None),
    )
    assert gen.early_stopped
    reasons = [c.finish_reason for c in gen.candidates]
    assert "early_stop" in reasons
    assert gen.matrix()[gen.chosen_index] == [1.0]
    assert gen.candidates[gen.chosen_index].finish_reason != "early_stop"


def test_no_early_stop_when_a_signal_is_not_checkable(engine):
    from personaco_tui.core.reflectors.auto import AutoReflector

    gen = personaco.run(
        engine,
        "Say hello.",
        ["Keep it under 500 words.", "I have a PhD in linguistics."],
        personaco.RunConfig(k=2, max_tokens=8, seed=2, early_stop=True),
        AutoReflector(None),
    )
    assert not gen.early_stopped
    assert all(c.finish_reason != "early_stop" for c in gen.candidates)


def test_paper_text_mode_gives_a_binary_matrix(engine):
    gen = personaco.run(
        engine,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(k=2, max_tokens=8, seed=11),
        SelfReflector(engine, name="self-text", text=True),
    )
    assert all(v in (0.0, 1.0) for row in gen.matrix() for v in row)
    assert all(c.raw.startswith("reply ") for c in gen.cells)


def test_a_turn_too_big_for_the_context_is_refused_before_sampling(engine):
    from personaco_tui.errors import EngineError

    events = []
    try:
        personaco.run(
            engine,
            "Hi",
            ["x " * 3000],  # one 3,000-word signal cannot fit a 4,096-token context with answers
            personaco.RunConfig(k=2, max_tokens=600, seed=1),
            SelfReflector(engine),
            on_progress=events.append,
        )
    except EngineError as e:
        assert "context" in e.message
    else:
        raise AssertionError("expected a refusal")
    assert events == []  # nothing started
