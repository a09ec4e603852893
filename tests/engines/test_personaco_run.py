"""One PersonaCo turn: end to end on the bundled model with the paper's self-reflection for
every path that generates, and the turn's logic (prompt, choice, early stop, budget) on the
deterministic fake engine."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.core import personaco
from personaco_tui.core.personaco import choose
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.engines.base import Capabilities, Progress
from personaco_tui.errors import Cancelled, EngineError

SIGNALS = ["Keep it under 20 words.", "Never use commas"]
PROMPT = (
    "When answering the following query, please consider the following personalizations: "
    "Keep it under 20 words. Never use commas. Question: What is a lighthouse?"
)


# -- on the bundled model ---------------------------------------------------------------------


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
    assert gen.prompt == PROMPT
    assert len(gen.candidates) == 3
    matrix = gen.matrix()
    assert len(matrix) == 3 and all(len(r) == 2 for r in matrix)
    assert all(0.0 <= v <= 1.0 for row in matrix for v in row)
    best, rows = choose(
        gen.cells,
        3,
        [c.finish_reason != "early_stop" for c in gen.candidates],
        [c.finish_reason != "length" for c in gen.candidates],
        [c.text for c in gen.candidates],
        anchor=(gen.steering or {}).get("anchor"),
        query="What is a lighthouse?",  # an echo of it is never picked over an answer
    )
    assert gen.chosen_index == best
    assert [c.score for c in gen.candidates] == rows
    assert gen.response == gen.candidates[gen.chosen_index].text
    assert {c.reflector for c in gen.cells} == {"self"}
    assert gen.settings.seed == 11 and gen.settings.k == 3
    reflect_events = [e for e in events if e.kind == "reflect"]
    assert reflect_events and reflect_events[-1].done == reflect_events[-1].total == 6
    assert gen.sample_s is not None and gen.reflect_s is not None


def test_early_stop_when_an_answer_meets_every_checkable_signal(engine):
    # "fewer than 500 words" holds for the first answer to finish: the others are cut there
    gen = personaco.run(
        engine,
        "Reply with one word: yes or no?",
        ["Keep it under 500 words."],
        # early stop is a plain-sampling feature: a steered turn writes every answer to fit
        personaco.RunConfig(k=4, max_tokens=64, seed=1, early_stop=True, steer=False),
        AutoReflector(None),
    )
    assert gen.early_stopped
    reasons = [c.finish_reason for c in gen.candidates]
    assert "early_stop" in reasons
    assert gen.matrix()[gen.chosen_index] == [1.0]
    assert gen.candidates[gen.chosen_index].finish_reason != "early_stop"


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
    events: list[Progress] = []
    with pytest.raises(EngineError) as e:
        personaco.run(
            engine,
            "Hi",
            ["x " * 3000],  # one 3,000-word signal cannot fit a 4,096-token context with answers
            personaco.RunConfig(k=2, max_tokens=600, seed=1),
            SelfReflector(engine),
            on_progress=events.append,
        )
    assert "context" in e.value.message
    assert events == []  # nothing started


# -- logic, on the fake engine ------------------------------------------------------------------


def test_the_best_row_wins_and_the_conversation_reaches_the_engine():
    answers = ["Alpha is short.", "Beta is the one.", "Gamma is long."]
    fake = FakeEngine(answers, p_yes=lambda answer, q: 0.9 if answer.startswith("Beta") else 0.2)
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
    events: list[Progress] = []
    gen = personaco.run(
        fake,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(k=3, max_tokens=12, seed=11),
        SelfReflector(fake),
        history=history,
        on_progress=events.append,
    )
    assert [c.text for c in gen.candidates] == answers
    assert gen.chosen_index == 1 and gen.response == "Beta is the one."
    assert [c.score for c in gen.candidates] == pytest.approx([0.4, 1.8, 0.4])
    # the signals steer ("under 20 words", "no commas"), so a plain answer is sampled first:
    # the pick's anchor and the guided particle's body, with no signals and no grammar
    anchor, call = fake.samples
    assert anchor.messages == [*history, {"role": "user", "content": "What is a lighthouse?"}]
    assert anchor.n == 1 and anchor.params.grammar is None
    assert call.messages == [*history, {"role": "user", "content": PROMPT}]
    assert call.n == 3 and call.params.seed == 11 and call.params.max_tokens == 12
    # six reflections: each answer, then each signal, asked after the whole conversation
    assert [c[-2]["content"] for c in fake.asked] == [a for a in answers for _ in SIGNALS]
    assert fake.asked[1][-1]["content"] == (
        "Does your answer address the personalization Never use commas? "
        "Answer with only a number 0 (for no) or 1 (for yes)"
    )
    phases = [e.text for e in events if e.kind == "phase"]
    assert phases == ["sampling", "reflecting"]
    assert [e.total for e in events if e.kind == "phase"] == [3, 6]


def test_among_equal_rows_a_finished_answer_beats_one_cut_at_the_limit():
    # candidate 0 runs past max_tokens (cut: "length"), candidate 1 ends by itself
    fake = FakeEngine(["one two three four five six", "one two"], p_yes=lambda a, q: 1.0)
    gen = personaco.run(
        fake,
        "Count.",
        ["I like numbers."],
        personaco.RunConfig(k=2, max_tokens=4, seed=1),
        SelfReflector(fake),
    )
    assert [c.finish_reason for c in gen.candidates] == ["length", "stop"]
    assert gen.chosen_index == 1


def test_baseline_is_one_sample_without_reflection():
    fake = FakeEngine(["Only answer."])
    gen = personaco.run(
        fake,
        "What is a lighthouse?",
        SIGNALS,
        personaco.RunConfig(method="baseline", k=8, max_tokens=8, seed=3),
        SelfReflector(fake),
    )
    assert len(gen.candidates) == 1 and gen.chosen_index == 0
    assert gen.cells == [] and gen.settings.k == 1 and gen.settings.reflector is None
    assert [c.n for c in fake.samples] == [1] and fake.asked == []


def test_no_early_stop_when_a_signal_is_not_checkable():
    answers = ["Hi.", "Hello there my good friend."]  # the first finishes four steps earlier
    checkable = ["Keep it under 500 words."]
    cfg = personaco.RunConfig(k=2, max_tokens=8, seed=2, early_stop=True)
    mixed = personaco.run(
        FakeEngine(answers),
        "Say hello.",
        [*checkable, "I have a PhD in linguistics."],
        cfg,
        AutoReflector(None),
    )
    assert not mixed.early_stopped
    assert [c.finish_reason for c in mixed.candidates] == ["stop", "stop"]
    # the same answers with only the checkable signal do stop early: the test can fail
    only = personaco.run(FakeEngine(answers), "Say hello.", checkable, cfg, AutoReflector(None))
    assert only.early_stopped
    assert [c.finish_reason for c in only.candidates] == ["stop", "early_stop"]
    assert only.chosen_index == 0


def test_no_seed_draws_one_and_records_it():
    fake = FakeEngine()
    gen = personaco.run(fake, "Hi", [], personaco.RunConfig(k=2, max_tokens=8, seed=None))
    assert gen.settings.seed == fake.samples[0].params.seed >= 0
    assert gen.settings.reflector is None and gen.cells == []  # no signals: a plain turn


def test_the_budget_is_checked_before_sampling_and_for_the_longest_reflection():
    fake = FakeEngine(n_ctx=100)
    # prompt 9 words + BOS + 2 role markers = 12 tokens; 2 x 40 = 80 new: 92 fits
    prompt_len = len(fake.prompt_tokens([{"role": "user", "content": "a b c d e f g h i"}]))
    assert prompt_len == 12
    personaco.run(fake, "a b c d e f g h i", [], personaco.RunConfig(k=2, max_tokens=40, seed=1))
    with pytest.raises(EngineError, match="This turn needs about 102 tokens"):
        personaco.run(fake, "a b c d e f g h i", [], personaco.RunConfig(k=2, max_tokens=45))
    assert len(fake.samples) == 1  # the refused turn sampled nothing


def test_an_engine_that_cannot_count_tokens_is_not_asked_to():
    class Remote(FakeEngine):
        def prompt_tokens(self, messages):
            raise AssertionError("the core asked a remote engine for tokens")

    fake = Remote(["An answer."], n_ctx=1)  # its own budget would refuse anything
    fake.capabilities = Capabilities(gpu_offload=False, counts_tokens=False)
    gen = personaco.run(
        fake, "Hi", SIGNALS, personaco.RunConfig(k=2, max_tokens=8, seed=1), SelfReflector(fake)
    )
    assert len(gen.candidates) == 2 and len(gen.cells) == 4


def test_cancel_stops_the_turn():
    from personaco_tui.engines.base import CancelToken

    token = CancelToken()
    token.cancel()
    fake = FakeEngine()
    with pytest.raises(Cancelled):
        personaco.run(fake, "Hi", SIGNALS, personaco.RunConfig(k=2, seed=1), cancel=token)
