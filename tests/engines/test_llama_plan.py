"""The llama.cpp engine's plans, without a model: every expected value is worked out by hand
in the comment beside it."""

from __future__ import annotations

import numpy as np
import pytest

from personaco_tui.engines import llama_plan as plan
from personaco_tui.engines.llama_plan import StreamCopy
from personaco_tui.errors import EngineError


def test_common_prefix_and_shared_cells():
    assert plan.lcp([1, 2, 3], [1, 2, 4]) == 2
    assert plan.lcp([1, 2], [1, 2, 3]) == 2
    assert plan.lcp([], [1]) == 0
    # sorted: [1,2,3] 3 cells, [1,2,4] 1 more, [5] 1 more
    assert plan.trie_size([[5], [1, 2, 4], [1, 2, 3]]) == 5
    assert plan.trie_size([]) == 0


def test_budget_counts_prompt_answers_and_reflection():
    plan.check_budget(100, 4, 200, 10, n_ctx=910, n_seq_max=64)  # 100 + 800 + 10 = 910 fits
    with pytest.raises(EngineError) as e:
        plan.check_budget(100, 4, 200, 11, n_ctx=910, n_seq_max=64)
    assert "911 tokens" in e.value.message and "holds 910" in e.value.message
    with pytest.raises(EngineError) as e:
        plan.check_budget(1, 65, 1, 0, n_ctx=10_000, n_seq_max=64)
    assert "k = 65 exceeds the 64" in e.value.message
    plan.check_reflection_fits([10, 4096], 4096)
    with pytest.raises(EngineError, match="4097 tokens exceeds the context"):
        plan.check_reflection_fits([10, 4097], 4096)


def test_stream_cells_round_down_to_llama_cpp_padding():
    assert plan.stream_cells(4096, 3) == 1280  # 1365 -> 5 x 256
    assert plan.stream_cells(4096, 9) == 256  # 455 -> 1 x 256
    assert plan.stream_cells(1024, 5) == 0  # 204 < one pad


def test_streams_prefer_a_spare_then_one_per_sequence_then_unified():
    assert plan.streams_for(4, 600, 4096, "streams") == 5  # 5 streams of 768 hold 600
    assert plan.streams_for(4, 900, 4096, "streams") == 4  # 768 < 900 <= 1024
    assert plan.streams_for(4, 1100, 4096, "streams") == 1  # not even 1024: unified
    assert plan.streams_for(4, 600, 4096, "unified") == 1
    assert plan.streams_for(1, 600, 4096, "streams") == 1  # one sequence needs no streams


def test_compact_moves_the_highest_live_stream_into_the_gap():
    where = [0, 1, 2, 3]
    copies, spare = plan.compact(where, done=[1], live=[0, 2, 3], spare=4)
    # the finished answer's cells go to the spare 4; stream 3 moves into 1 and is freed
    assert copies == [StreamCopy(1, 4), StreamCopy(3, 1, clear_src=True)]
    assert where == [0, 4, 2, 1] and spare == 3


def test_compact_leaves_a_gap_above_every_live_stream():
    where = [0, 1, 2, 3]
    copies, spare = plan.compact(where, done=[3], live=[0, 1, 2], spare=4)
    assert copies == [] and where == [0, 1, 2, 3] and spare == 4


def test_compact_two_finished_answers_keep_live_streams_lowest():
    where = [0, 1, 2, 3, 4]
    copies, spare = plan.compact(where, done=[0, 1], live=[2, 3, 4], spare=5)
    # 0 -> spare 5, 4 fills 0 (spare 4); then 1 -> 4, 3 fills 1 (spare 3)
    assert copies == [
        StreamCopy(0, 5),
        StreamCopy(4, 0, clear_src=True),
        StreamCopy(1, 4),
        StreamCopy(3, 1, clear_src=True),
    ]
    assert where == [5, 4, 2, 1, 0] and spare == 3
    assert sorted(where[c] for c in (2, 3, 4)) == [0, 1, 2]


def test_prefill_wants_only_the_last_logits():
    chunks = plan.prefill_chunks([5, 6, 7, 8, 9], (0, 1), 2, 2)
    assert chunks == [
        [(5, 2, (0, 1), False), (6, 3, (0, 1), False)],
        [(7, 4, (0, 1), False), (8, 5, (0, 1), False)],
        [(9, 6, (0, 1), True)],
    ]


def test_waves_split_where_the_prefix_tree_outgrows_the_context():
    lists = [[1, 2, 3], [1, 2, 4], [1, 5], [6, 7]]
    # cells 3, +1, +1 = 5 fit; [6, 7] would make 7
    assert plan.waves(lists, 5, 10) == [(0, 3), (3, 4)]
    # two sequences a wave: [1,2,3],[1,2,4] | [1,5],[6,7] (2 + 2 cells)
    assert plan.waves(lists, 5, 2) == [(0, 2), (2, 4)]


def test_prefix_tree_shares_prefixes_and_marks_leaves():
    lists = [[1, 2, 3], [1, 2, 4]]
    assert plan.prefix_tree(lists) == [
        (1, 0, (0, 1), []),
        (2, 1, (0, 1), []),
        (3, 2, (0,), [0]),
        (4, 2, (1,), [1]),
    ]
    # list 0 already holds positions 0 and 1: only list 1 decodes them
    assert plan.prefix_tree(lists, [2, 0]) == [
        (1, 0, (1,), []),
        (2, 1, (1,), []),
        (3, 2, (0,), [0]),
        (4, 2, (1,), [1]),
    ]
    # a list that is another's prefix ends inside it
    assert plan.prefix_tree([[1, 2], [1, 2, 3]]) == [
        (1, 0, (0, 1), []),
        (2, 1, (0, 1), [0]),
        (3, 2, (1,), [1]),
    ]


def test_reuse_copies_the_longest_resident_prefix_but_never_the_last_token():
    resident = {0: [1, 2, 3, 4], 1: [1, 2, 5]}
    got = plan.reuse_sources([[1, 2, 3, 9], [7, 8], [1, 2]], resident)
    # [1,2,3,9]: 3 cells of 0; [7,8]: nothing; [1,2]: both share 2, the first wins, 1 copied
    assert got == [(0, 3), (-1, 0), (0, 1)]


def test_partition_joins_runs_to_the_fewest_rounds():
    a, b, c, d = (1, 2, 3), (1, 2, 4), (1, 5, 6), (1, 5, 7)
    assert plan.partition([a, b, c, d], 1, 2) == [[a, b], [c, d]]
    assert plan.partition([a, b, c, d], 1, 1) == [[a, b, c, d]]
    x, y, z = (1,), (2,), (3,)
    w = [(4, 1), (4, 2), (4, 3)]
    # runs of 1, 1, 1 and 3 in two streams: [x, y, z] and w, three rounds each
    assert plan.partition([x, y, z, *w], 0, 2) == [[x, y, z], w]


def test_stream_plan_reuses_resident_answers():
    resident = {0: [1, 2, 3], 1: [1, 2, 4]}  # prompt [1, 2], answers 3 and 4
    lists = [(1, 2, 3, 7), (1, 2, 3, 8), (1, 2, 4, 7), (1, 2, 4, 8)]
    queues, root = plan.stream_plan(lists, resident, 3)
    assert root == -1
    assert queues == {0: [(1, 2, 3, 7), (1, 2, 3, 8)], 1: [(1, 2, 4, 7), (1, 2, 4, 8)]}


def test_stream_plan_starts_fresh_when_nothing_resident_beats_the_shared_prefix():
    lists = [(1, 2, 3, 7), (1, 2, 3, 8), (1, 2, 4, 7), (1, 2, 4, 8)]
    expected = ({0: lists[:2], 1: lists[2:]}, 2)  # every stream is first given [1, 2]
    assert plan.stream_plan(lists, {}, 3) == expected
    assert plan.stream_plan(lists, {0: [1, 2]}, 3) == expected


def test_stream_plan_of_one_list_uses_its_answer():
    queues, root = plan.stream_plan([(1, 2, 3, 9)], {0: [1, 2, 3], 1: [1, 2, 4]}, 3)
    assert (queues, root) == ({0: [(1, 2, 3, 9)]}, -1)


def test_stream_rounds_cut_back_to_the_branch_point():
    queues = {1: [(1, 2, 4, 7)], 0: [(1, 2, 3, 7), (1, 2, 3, 8)]}
    held = {0: [1, 2, 3], 1: [1, 2, 4]}
    cuts, entries = plan.stream_round(queues, held, 0)
    # both extend what they hold; streams in ascending order
    assert cuts == []
    assert entries == [(7, 3, 0, (1, 2, 3, 7)), (7, 3, 1, (1, 2, 4, 7))]
    assert held == {0: [1, 2, 3, 7], 1: [1, 2, 4, 7]}
    cuts, entries = plan.stream_round(queues, held, 1)
    assert cuts == [(0, 3)]  # drop the 7, keep [1, 2, 3]
    assert entries == [(8, 3, 0, (1, 2, 3, 8))]
    assert held[0] == [1, 2, 3, 8]


def test_a_list_the_stream_already_holds_redecodes_its_last_token():
    held = {0: [1, 2, 3]}
    cuts, entries = plan.stream_round({0: [(1, 2, 3)]}, held, 0)
    assert cuts == [(0, 2)] and entries == [(3, 2, 0, (1, 2, 3))]


def test_yes_no_odds_read_the_digit_tokens():
    logits = np.log(np.array([0.1, 0.6, 0.2, 0.1], dtype=np.float32))
    p_yes, p1, p0, top = plan.yes_no_odds(logits, [1], [2, 3])
    # P(1) = 0.6, P(0) = 0.2 + 0.1: p_yes = 0.6 / 0.9; swapped ids would give 1/3
    assert p1 == pytest.approx(0.6) and p0 == pytest.approx(0.3)
    assert p_yes == pytest.approx(2 / 3) and top == 1
    assert plan.yes_no_odds(logits, [1], [])[0] == 1.0
    assert plan.yes_no_odds(logits, [], [])[0] == 0.5
    assert plan.yes_no_odds(logits, [2], [1])[0] == pytest.approx(0.25)  # 0.2 / 0.8
