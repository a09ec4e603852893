"""The llama.cpp engine on the real bundled model: batched sampling, reflection, cancel."""

from __future__ import annotations

import pytest

from personaco_tui.engines.base import CancelToken, Progress, SamplingParams
from personaco_tui.errors import Cancelled, EngineError

ASK = [{"role": "user", "content": "Name one animal and describe it."}]


def test_k_samples_are_reproducible_for_a_seed(engine):
    p = SamplingParams(max_tokens=8, seed=7)
    first = engine.sample(ASK, 3, p)
    again = engine.sample(ASK, 3, p)
    assert len(first) == 3
    assert [o.text for o in first] == [o.text for o in again]
    assert all(1 <= o.n_tokens <= 8 for o in first)
    assert all(o.finish_reason in ("stop", "length") for o in first)


def test_sequences_have_their_own_seeds(engine):
    outs = engine.sample(ASK, 4, SamplingParams(max_tokens=12, seed=1))
    other = engine.sample(ASK, 4, SamplingParams(max_tokens=12, seed=1000))
    assert [o.text for o in outs] != [o.text for o in other]
    # four sequences of open-ended text at temperature 1: not all the same
    assert len({o.text for o in outs}) > 1


def test_ignore_eos_generates_exactly_max_tokens(engine):
    outs = engine.sample(ASK, 2, SamplingParams(max_tokens=16, seed=3, ignore_eos=True))
    assert [o.n_tokens for o in outs] == [16, 16]
    assert all(o.finish_reason == "length" for o in outs)


def test_progress_reports_tokens_per_candidate(engine):
    events: list[Progress] = []
    outs = engine.sample(ASK, 2, SamplingParams(max_tokens=6, seed=5), on_progress=events.append)
    for cand in (0, 1):
        pieces = [e.text for e in events if e.kind == "token" and e.candidate == cand]
        assert "".join(pieces).strip() == outs[cand].text


def test_cancel_midway_raises_and_frees_the_context(engine):
    token = CancelToken()
    seen = []

    def stop_after_three(p: Progress) -> None:
        seen.append(p)
        if len(seen) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        engine.sample(
            ASK,
            2,
            SamplingParams(max_tokens=64, seed=2, ignore_eos=True),
            on_progress=stop_after_three,
            cancel=token,
        )
    assert len(seen) < 10
    # the context is usable again at once
    again = engine.sample(ASK, 2, SamplingParams(max_tokens=4, seed=2))
    assert len(again) == 2


def test_a_turn_the_context_cannot_hold_is_refused_before_work(engine):
    with pytest.raises(EngineError) as info:
        engine.sample(ASK, 8, SamplingParams(max_tokens=4000))
    assert "4096" in info.value.message and "Lower k" in info.value.message


def test_yes_no_reads_probabilities(engine):
    conv = ASK + [
        {"role": "assistant", "content": "A cat is a small furry animal."},
        {"role": "user", "content": "Is your answer about an animal? Answer with only 0 or 1"},
    ]
    other = ASK + [
        {"role": "assistant", "content": "Paris is in France."},
        {"role": "user", "content": "Is your answer about an animal? Answer with only 0 or 1"},
    ]
    a, b, a2 = engine.yes_no([conv, other, conv])
    for y in (a, b):
        assert 0.0 <= y.p_yes <= 1.0
        assert "P(1)=" in y.raw
    # identical conversations share one leaf of the prefix tree: identical answers
    assert a.p_yes == a2.p_yes
    # a single conversation decoded alone gives the same value as its duplicate pair
    (alone,) = engine.yes_no([conv])
    (pair, _) = engine.yes_no([conv, conv])
    assert alone.p_yes == pytest.approx(pair.p_yes, abs=1e-6)


def _echo(digit: str) -> list[dict[str, str]]:
    line = " ".join([digit] * 8)
    return [
        {"role": "user", "content": line},
        {"role": "assistant", "content": line},
        {"role": "user", "content": line},
    ]


def test_yes_is_the_digit_1_and_no_the_digit_0(engine):
    # a conversation of nothing but one digit makes the model answer that digit (measured:
    # P(yes) about 0.06 for 0s and 0.99 for 1s): swapped answer ids would swap the sides
    zero, one = engine.yes_no([_echo("0"), _echo("1")])
    assert zero.text.strip() == "0" and one.text.strip() == "1"
    assert zero.p_yes < 0.25 and one.p_yes > 0.75


def test_chat_template_comes_from_the_gguf(engine):
    assert engine.template.from_model
    text = engine.template.render(ASK)
    assert "Name one animal" in text and text != "Name one animal and describe it."
