"""The reflection prefix tree: shared prefixes appear once, every list is decoded whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from personaco_tui.engines.llama_plan import prefix_tree as _prefix_tree
from personaco_tui.engines.llama_plan import waves as _waves

lists_st = st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=8), min_size=1, max_size=8)


@given(lists_st)
def test_each_list_is_decoded_once_in_order(lists):
    entries = _prefix_tree(lists)
    for i, tokens in enumerate(lists):
        mine = [(tok, pos) for tok, pos, seqs, _ in entries if i in seqs]
        assert mine == [(t, p) for p, t in enumerate(tokens)]
        ends = [pos for tok, pos, seqs, leaf in entries if i in leaf]
        assert ends == [len(tokens) - 1]


@given(lists_st)
def test_shared_prefixes_are_not_repeated(lists):
    entries = _prefix_tree(lists)
    distinct_prefixes = {tuple(t[: n + 1]) for t in lists for n in range(len(t))}
    assert len(entries) == len(distinct_prefixes)


@given(lists_st, st.integers(8, 40), st.integers(1, 4))
def test_waves_cover_everything_within_limits(lists, n_ctx, n_seq):
    lists = sorted(lists)
    waves = _waves(lists, n_ctx, n_seq)
    covered = [i for lo, hi in waves for i in range(lo, hi)]
    assert covered == list(range(len(lists)))
    for lo, hi in waves:
        assert hi - lo <= n_seq
