"""The fake engine that logic tests stand on behaves like the real one where they rely on it."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.engines.base import CancelToken, Engine, Progress, SamplingParams
from personaco_tui.errors import Cancelled, EngineError

ASK = [{"role": "user", "content": "Name an animal."}]


def test_it_is_an_engine():
    assert isinstance(FakeEngine(), Engine)


def test_a_seed_gives_the_same_answers_and_each_candidate_its_own():
    p = SamplingParams(max_tokens=20, seed=4)
    first = [o.text for o in FakeEngine().sample(ASK, 4, p)]
    assert first == [o.text for o in FakeEngine().sample(ASK, 4, p)]
    assert len(set(first)) > 1


def test_scripted_answers_stream_token_by_token():
    events: list[Progress] = []
    outs = FakeEngine(["a b c"]).sample(
        ASK, 2, SamplingParams(max_tokens=2, seed=0), on_progress=events.append
    )
    assert [(o.text, o.n_tokens, o.finish_reason) for o in outs] == [("a b", 2, "length")] * 2
    assert [(e.candidate, e.text) for e in events] == [(0, "a"), (1, "a"), (0, " b"), (1, " b")]


def test_stop_when_cuts_the_others_and_cancel_raises():
    # x ends at step 2 (its end token), the step in which y draws its second token
    outs = FakeEngine(["x", "y y y"]).sample(
        ASK, 2, SamplingParams(max_tokens=8), stop_when=lambda i, text: text == "x"
    )
    assert [(o.text, o.finish_reason) for o in outs] == [("x", "stop"), ("y y", "early_stop")]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        FakeEngine().sample(ASK, 1, SamplingParams(), cancel=token)


def test_reflection_reads_the_answer_and_the_question():
    fake = FakeEngine(p_yes=lambda answer, question: 1.0 if "cat" in answer else 0.0)
    conv = [*ASK, {"role": "assistant", "content": "A cat."}, {"role": "user", "content": "?"}]
    other = [*ASK, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "?"}]
    yes, no = fake.yes_no([conv, other])
    assert (yes.p_yes, yes.text, no.p_yes, no.text) == (1.0, "1", 0.0, "0")


def test_budget_and_close_refuse_clearly():
    fake = FakeEngine(n_ctx=50, n_seq_max=4)
    with pytest.raises(EngineError, match="k = 5 exceeds the 4"):
        fake.sample(ASK, 5, SamplingParams(max_tokens=1))
    fake.close()
    with pytest.raises(EngineError, match="closed"):
        fake.sample(ASK, 1, SamplingParams())
