"""The two KV layouts of the llama.cpp engine on the real bundled model: one stream per
sequence (the default) and one unified cache give the same answers, reflection reuses the
answers' cells in both, and a turn that does not fit in streams falls back to unified."""

from __future__ import annotations

import pytest

from personaco_tui.core.reflectors.self_reflector import reflection_conversation
from personaco_tui.engines.base import CancelToken, Progress, SamplingParams
from personaco_tui.engines.llama import KV_LAYOUT_ENV, LlamaEngine, LlamaOptions
from personaco_tui.engines.llama_plan import partition as _partition
from personaco_tui.errors import Cancelled

ASK = [{"role": "user", "content": "Name one animal and describe it."}]
SIGNALS = ["Keep it under 20 words.", "Mention its colour."]
# p_yes from different batch shapes differs by float rounding in llama.cpp's attention
# (measured up to ~0.04 between any two ways of decoding the same conversation)
CLOSE = 0.08


@pytest.fixture(scope="module")
def unified(engine):
    """The session's model file (with its compute weights) in one unified cache."""
    eng = LlamaEngine(engine.path, options=LlamaOptions(n_ctx=4096, kv_layout="unified"))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def streams(engine):
    """The session's model in a context of its own, opened for this module: how many streams
    the shared engine holds depends on the tests that ran before, and these need the count a
    fresh engine opens for k = 4 (more streams than answers)."""
    eng = LlamaEngine(engine.path, options=LlamaOptions(n_ctx=4096, kv_layout="streams"))
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def small(engine):
    """Streams of 256 cells for k = 2 (1024 / 3 streams)."""
    eng = LlamaEngine(engine.path, options=LlamaOptions(n_ctx=1024, kv_layout="streams"))
    yield eng
    eng.close()


def _alone(engine: LlamaEngine, convs) -> list[float]:
    """Each conversation decoded on its own from an empty cache: the reference values."""
    out = []
    for c in convs:
        engine._clear()
        out.append(engine.yes_no([c])[0].p_yes)
    return out


def _reflections(messages, texts):
    return [reflection_conversation(messages, t, s) for t in texts for s in SIGNALS]


def test_the_layout_is_streams_unless_asked(monkeypatch):
    assert LlamaOptions().kv_layout == "streams"
    monkeypatch.setenv(KV_LAYOUT_ENV, "unified")
    assert LlamaOptions().kv_layout == "unified"


def test_both_layouts_sample_the_same_answers(streams, unified):
    p = SamplingParams(max_tokens=24, seed=5)
    a = streams.sample(ASK, 4, p)
    b = unified.sample(ASK, 4, p)
    assert streams._streams > 4 and unified._streams == 1
    assert [(o.text, o.n_tokens, o.finish_reason) for o in a] == [
        (o.text, o.n_tokens, o.finish_reason) for o in b
    ]


def test_finished_answers_keep_their_cells_when_streams_are_compacted(
    streams, unified, monkeypatch
):
    moves: list[int] = []
    real = streams._compact

    def counting(where, done, live, spare):
        before = list(where)
        out = real(where, done, live, spare)
        moves.append(sum(a != b for a, b in zip(before, where, strict=True)))
        return out

    monkeypatch.setattr(streams, "_compact", counting)
    p = SamplingParams(max_tokens=40, seed=3)
    outs = streams.sample(ASK, 4, p)
    # answers of different lengths: some finished while others went on, and moved streams
    assert len({o.n_tokens for o in outs}) > 1 and sum(moves) > 0
    assert [o.text for o in outs] == [o.text for o in unified.sample(ASK, 4, p)]
    # reflection reads the moved and the finished streams' cells: the values match a
    # reflection of each conversation decoded alone
    convs = _reflections(ASK, [o.text for o in outs])
    got = [y.p_yes for y in streams.yes_no(convs)]
    for g, r in zip(got, _alone(unified, convs), strict=True):
        assert g == pytest.approx(r, abs=CLOSE)


def test_reflection_decodes_only_what_the_answers_do_not_hold(engine, monkeypatch):
    outs = engine.sample(ASK, 3, SamplingParams(max_tokens=16, seed=9))
    held = {tuple(t) for t in engine._resident.values()}
    convs = _reflections(ASK, [o.text for o in outs])
    lists = [engine.prompt_tokens(c) for c in convs]
    decoded: list[int] = []
    real = engine._decode
    monkeypatch.setattr(engine, "_decode", lambda e: (decoded.append(len(e)), real(e))[1])
    engine.yes_no_tokens(lists)
    # at most every list's part beyond its answer's cells (+1: an answer's last sampled token
    # is never decoded during sampling), the shared reflection question once per answer
    beyond = sum(len(t) - max(len(h) for h in held if list(h) == t[: len(h)]) + 1 for t in lists)
    assert sum(decoded) < beyond
    assert len(decoded) == len(SIGNALS)  # one batch per round: one list of every answer


def test_a_single_reflection_reuses_its_answers_cells(engine, monkeypatch):
    outs = engine.sample(ASK, 2, SamplingParams(max_tokens=16, seed=9))
    held = max(len(t) for t in engine._resident.values())
    conv = _reflections(ASK, [outs[1].text])[0]
    decoded: list[int] = []
    real = engine._decode
    monkeypatch.setattr(engine, "_decode", lambda e: (decoded.append(len(e)), real(e))[1])
    engine.yes_no([conv])
    assert sum(decoded) <= len(engine.prompt_tokens(conv)) - held + 1


def test_streams_reflection_matches_unified_and_reports_progress(engine, unified):
    p = SamplingParams(max_tokens=20, seed=2)
    texts = [o.text for o in engine.sample(ASK, 3, p)]
    unified.sample(ASK, 3, p)
    convs = _reflections(ASK, texts)
    events: list[Progress] = []
    a = engine.yes_no(convs, on_progress=events.append)
    b = unified.yes_no(convs)
    for x, y in zip(a, b, strict=True):
        assert x.p_yes == pytest.approx(y.p_yes, abs=CLOSE)
    dones = [e.done for e in events if e.kind == "reflect"]
    assert dones == sorted(dones) and dones[-1] == len(convs) and len(dones) == len(SIGNALS)


def test_reflection_without_resident_answers_shares_the_common_prefix(engine, unified):
    convs = _reflections(ASK, ["A cat is a small furry animal.", "Paris is in France."])
    engine.sample(ASK, 2, SamplingParams(max_tokens=4, seed=1))
    engine._clear()  # nothing resident: the common prefix is decoded once, then copied
    got = [y.p_yes for y in engine.yes_no(convs + convs[:1])]
    assert got[-1] == got[0]  # the same conversation twice: one leaf, one value
    for g, r in zip(got[:-1], _alone(unified, convs), strict=True):
        assert g == pytest.approx(r, abs=CLOSE)


def test_cancel_during_streams_reflection_frees_the_context(engine):
    outs = engine.sample(ASK, 2, SamplingParams(max_tokens=8, seed=4))
    token = CancelToken()
    with pytest.raises(Cancelled):
        engine.yes_no(
            _reflections(ASK, [o.text for o in outs]),
            on_progress=lambda _p: token.cancel(),
            cancel=token,
        )
    assert engine._resident == {}
    assert len(engine.sample(ASK, 2, SamplingParams(max_tokens=4, seed=4))) == 2


def test_a_turn_too_long_for_a_stream_uses_the_unified_layout(small):
    small.sample(ASK, 2, SamplingParams(max_tokens=32, seed=1))
    assert small._streams == 3 and small._cells == 256
    # prompt + 400 new + room for reflection > 256 and 512 (two streams); 2 x 400 fits 1024
    outs = small.sample(ASK, 2, SamplingParams(max_tokens=400, seed=1))
    assert small._streams == 1 and len(outs) == 2
    small.sample(ASK, 2, SamplingParams(max_tokens=32, seed=1))
    assert small._streams == 3


def test_a_reflection_longer_than_a_stream_falls_back_to_unified(small, unified):
    small.sample(ASK, 2, SamplingParams(max_tokens=8, seed=1))
    assert small._streams == 3
    long_answer = "A cat is a small furry animal that likes to sleep. " * 30
    conv = reflection_conversation(ASK, long_answer, SIGNALS[0])
    assert 256 < len(small.prompt_tokens(conv)) < small.n_ctx
    (got,) = small.yes_no([conv])
    assert small._streams == 1
    assert got.p_yes == pytest.approx(_alone(unified, [conv])[0], abs=1e-6)


def test_partition_cuts_where_lists_share_only_the_root():
    root = [1, 2]
    a = [(*root, 3, 4, 5), (*root, 3, 4, 6), (*root, 3, 7)]
    b = [(*root, 8, 1), (*root, 8, 2)]
    c = [(*root, 9)]
    lists = sorted(a + b + c)
    assert _partition(lists, 2, 8) == [a, b, c]
    assert _partition(lists, 2, 3) == [a, b, c]
    # fewer streams than runs: whole runs are joined, the largest group as small as possible
    assert _partition(lists, 2, 2) == [a, b + c]
    assert _partition(lists, 2, 1) == [lists]
