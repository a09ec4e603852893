"""Log-likelihood scoring (`continuation_logprobs`) on the real bundled model: what it reads
is the model's own next-token distribution, the answers' resident KV cells give the same
values as decoding from an empty cache, in both KV layouts, and a cancel frees the cache."""

from __future__ import annotations

import math

import numpy as np
import pytest

from personaco_tui.engines.base import CancelToken, SamplingParams
from personaco_tui.engines.llama import LlamaEngine, LlamaOptions
from personaco_tui.engines.llama_score import assign_slots, common_prefix, log_softmax_rows
from personaco_tui.errors import Cancelled, EngineError

ASK = [{"role": "user", "content": "Name one animal and describe it."}]
# values from different batch shapes differ by float rounding in llama.cpp's attention
CLOSE = 0.05


@pytest.fixture(scope="module")
def unified(engine):
    eng = LlamaEngine(engine.path, options=LlamaOptions(n_ctx=4096, kv_layout="unified"))
    yield eng
    eng.close()


def _tail(engine, text: str) -> list[int]:
    return engine.tokenize(text, special=False, add_bos=False)


def test_a_likely_continuation_scores_above_an_unlikely_one(engine):
    prefix = engine.tokenize("The capital of France is", special=False)
    good, bad = engine.continuation_logprobs(
        [prefix, prefix], [_tail(engine, " Paris"), _tail(engine, " banana")]
    )
    assert len(good) == len(_tail(engine, " Paris"))
    assert all(v <= 0.0 for v in good + bad)
    assert sum(good) > sum(bad) + 2.0


def test_each_token_is_scored_given_the_ones_before_it(engine):
    prefix = engine.tokenize("One, two, three,", special=False)
    cont = _tail(engine, " four, five")
    (whole,) = engine.continuation_logprobs([prefix], [cont])
    (first,) = engine.continuation_logprobs([prefix], [cont[:1]])
    (rest,) = engine.continuation_logprobs([prefix + cont[:1]], [cont[1:]])
    assert whole[0] == pytest.approx(first[0], abs=CLOSE)
    assert whole[1:] == pytest.approx(rest, abs=CLOSE)


@pytest.mark.parametrize("layout", ["streams", "unified"])
def test_scoring_after_sampling_reuses_the_answers_and_matches_a_cold_cache(
    engine, unified, layout
):
    eng = engine if layout == "streams" else unified
    outs = eng.sample(ASK, 3, SamplingParams(max_tokens=12, seed=5))
    prompt = eng.prompt_tokens(ASK)
    prefixes, conts = [], []
    for o in outs:
        answer = prompt + _tail(eng, o.text)
        for reply in (" Thanks, I love it.", " That is wrong."):
            prefixes.append(answer)
            conts.append(_tail(eng, reply))
    warm = eng.continuation_logprobs(prefixes, conts)
    eng._clear()  # nothing resident: every prefix decoded again
    cold = eng.continuation_logprobs(prefixes, conts)
    assert [len(w) for w in warm] == [len(c) for c in conts]
    for w, c in zip(warm, cold, strict=True):
        assert w == pytest.approx(c, abs=CLOSE)
    assert len({round(sum(w), 3) for w in warm}) > 1  # the answers make a difference


def test_mismatched_or_empty_items_are_refused(engine):
    with pytest.raises(EngineError, match="one continuation per prefix"):
        engine.continuation_logprobs([[1, 2]], [])
    with pytest.raises(EngineError, match="non-empty"):
        engine.continuation_logprobs([[1, 2]], [[]])


def test_cancel_while_scoring_frees_the_context(engine):
    cancel = CancelToken()
    cancel.cancel()
    prefix = engine.tokenize("Hello there", special=False)
    with pytest.raises(Cancelled):
        engine.continuation_logprobs([prefix], [_tail(engine, " friend")], cancel=cancel)
    assert engine._resident == {}
    (after,) = engine.continuation_logprobs([prefix], [_tail(engine, " friend")])
    assert math.isfinite(sum(after))


def test_slots_follow_the_resident_answer_each_item_continues():
    resident = {0: [1, 2, 3, 10, 11], 1: [1, 2, 3, 20, 21], 2: []}
    lists = [[1, 2, 3, 20, 21, 7], [1, 2, 3, 10, 11, 8], [1, 2, 3, 10, 11, 9], [5, 6]]
    firsts = [5, 5, 5, 1]
    queues = assign_slots(lists, firsts, resident, [0, 1, 2])
    assert queues == {0: [1, 2], 1: [0], 2: [3]}


def test_fresh_slots_share_the_load_and_the_common_prefix():
    lists = [[1, 2, 3, 4], [1, 2, 5, 6], [1, 2, 7, 8], [1, 2, 9, 9]]
    firsts = [3, 3, 3, 3]
    assert common_prefix(lists, firsts) == 2
    root = {0: [1, 2], 1: [1, 2]}
    queues = assign_slots(lists, firsts, root, [0, 1])
    assert sorted(len(q) for q in queues.values()) == [2, 2]


def test_long_answers_after_one_question_decode_side_by_side_not_in_one_slot():
    # k answers sharing only the question: each costs its whole tail wherever it goes, so
    # they spread over the free slots instead of queueing behind the one holding the question.
    question = [1, 2]
    lists = [question + [10 + a] * 30 + [99] for a in range(4)]
    firsts = [2] * 4
    resident = {0: question + [5], 1: [], 2: [], 3: []}
    queues = assign_slots(lists, firsts, resident, [0, 1, 2, 3])
    assert sorted(len(q) for q in queues.values()) == [1, 1, 1, 1]


def test_rows_are_read_in_chunks_as_an_all_float64_log_softmax_reads_them():
    rng = np.random.default_rng(3)
    logits = (rng.standard_normal((300, 5000)) * 8).astype(np.float32)
    logits[7, 11] = 90.0  # a row dominated by one token: its log-probability is about 0
    tokens = [int(t) for t in rng.integers(0, 5000, 300)]
    tokens[7] = 11
    wide = logits.astype(np.float64)
    want = [
        float(r[t] - r.max() - np.log(np.exp(r - r.max()).sum()))
        for r, t in zip(wide, tokens, strict=True)
    ]
    got = log_softmax_rows(logits, tokens, chunk=64)  # 300 rows: four full chunks and a part
    assert got.shape == (300,)
    assert np.abs(got - np.asarray(want)).max() < 1e-5
    assert abs(got[7]) < 1e-6
    assert (got <= 0).all()
