import pytest

from personaco_tui.core.personaco import choose
from personaco_tui.core.types import ReflectionCell


def cells(matrix):
    return [
        ReflectionCell(candidate=i, signal=j, score=s, reflector="t")
        for i, row in enumerate(matrix)
        for j, s in enumerate(row)
    ]


def test_highest_row_sum_wins():
    best, rows = choose(cells([[0.1, 0.2], [0.9, 0.8], [0.5, 0.5]]), 3)
    assert best == 1
    # each row is the sum of its cells (in floating point: approximately)
    assert rows == pytest.approx([0.3, 1.7, 1.0])


def test_ties_go_to_the_lowest_index():
    best, _ = choose(cells([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]), 3)
    assert best == 0


def test_cells_without_a_score_count_nothing():
    best, rows = choose(cells([[None, 1.0], [0.6, 0.6]]), 2)
    assert best == 1 and rows[0] == 1.0


def test_a_rule_fact_outweighs_any_model_estimate():
    cells = [
        ReflectionCell(0, 0, 0.0, "rules"),
        ReflectionCell(0, 1, 1.0, "self"),
        ReflectionCell(1, 0, 1.0, "rules"),
        ReflectionCell(1, 1, 0.0, "self"),
    ]
    cells[1].score = 0.99
    best, rows = choose(cells, 2)
    assert best == 1 and rows == [0.99, 1.0]
    # equal rule counts: the model estimate decides
    cells[2].score = 0.0
    assert choose(cells, 2)[0] == 0


def test_candidates_cut_by_an_early_stop_are_never_picked():
    best, _ = choose(cells([[1.0], [1.0]]), 2, eligible=[False, True])
    assert best == 1


def test_among_equal_scores_a_finished_answer_beats_a_truncated_one():
    tied = cells([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    assert choose(tied, 3)[0] == 0
    assert choose(tied, 3, finished=[False, False, True])[0] == 2
    # a better score still wins over finishing
    assert choose(cells([[1.0, 1.0], [1.0, 0.0]]), 2, finished=[False, True])[0] == 0
