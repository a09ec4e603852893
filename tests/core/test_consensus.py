"""Consensus, the pick's last tie-break before the index: the answer closest to the others."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personaco_tui.core.consensus import consensus
from personaco_tui.core.personaco import choose
from personaco_tui.core.types import ReflectionCell

SKY = [
    "The sky blue.",
    "The sky looks blue because air scatters blue sunlight more than red light.",
    "Air scatters the blue part of sunlight more than the red part, so the sky looks blue.",
    "Sunlight is scattered by air, and blue light scatters most, so the sky looks blue.",
]


def tied(n: int) -> list[ReflectionCell]:
    return [ReflectionCell(i, 0, 1.0, "rules") for i in range(n)]


def test_the_typical_answer_agrees_most_and_the_degenerate_one_least():
    scores = consensus(SKY)
    assert min(range(4), key=scores.__getitem__) == 0
    assert max(range(4), key=scores.__getitem__) in (1, 2, 3)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_identical_answers_agree_fully_and_empty_ones_not_at_all():
    assert consensus(["a b c", "a b c"]) == pytest.approx([1.0, 1.0])
    assert consensus(["", "a b"]) == [0.0, 0.0]
    assert consensus(["only one"]) == [0.0]
    assert consensus([]) == []


def test_case_punctuation_and_unicode_do_not_split_words():
    a, b = consensus(["Café, naïve!", "café naïve"])
    assert a == b and a > 0.99


def test_among_tied_rule_scores_the_pick_goes_to_the_consensus_answer():
    best, rows = choose(tied(4), 4, texts=SKY)
    assert best != 0 and rows == [1.0] * 4
    assert best == max(range(4), key=consensus(SKY).__getitem__)
    # without texts the documented fallback is the lowest index
    assert choose(tied(4), 4)[0] == 0


def test_consensus_never_outweighs_a_signal_or_finishing():
    cells = tied(4)
    cells[0] = ReflectionCell(0, 0, 1.0, "rules")
    for c in cells[1:]:
        c.score = 0.0
    assert choose(cells, 4, texts=SKY)[0] == 0  # the only answer that satisfies the signal
    finished = [True, False, False, False]
    assert choose(tied(4), 4, finished=finished, texts=SKY)[0] == 0


@given(st.lists(st.text(max_size=60), min_size=1, max_size=8), st.randoms())
def test_scores_are_bounded_and_follow_the_answers_not_their_order(texts, rnd):
    scores = consensus(texts)
    assert len(scores) == len(texts)
    assert all(0.0 <= s <= 1.0 + 1e-9 for s in scores)
    order = list(range(len(texts)))
    rnd.shuffle(order)
    shuffled = consensus([texts[i] for i in order])
    assert shuffled == pytest.approx([scores[i] for i in order])
