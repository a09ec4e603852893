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


def test_a_plain_answer_breaks_ties_with_the_candidates_not_alone():
    texts = [
        "The ocean between Africa and Australia is the Indian Ocean.",
        "The Great Barrier Reef.",
        "The ocean between Africa and Australia is the Indian Ocean, a warm sea.",
        "The ocean between them is the Red Sea.",
    ]
    anchor = "The Great Barrier Reef is a marine ecosystem in the Pacific Ocean."
    m = cells([[1.0, 1.0]] * 4)
    # the plain answer alone would pick the reef; the candidates agree on the Indian Ocean
    assert choose(m, 4, texts=texts, anchor="The Great Barrier Reef.")[0] == 1
    assert choose(m, 4, texts=texts, anchor=anchor)[0] == 0
    # where the plain answer agrees with them, it decides between the agreeing ones
    assert choose(m, 4, texts=texts, anchor="It is the Indian Ocean, a warm sea.")[0] == 2


def test_an_answer_that_only_restates_the_question_never_beats_one_that_says_something():
    query = "How do airplanes stay up in the air?"
    texts = [
        "How do airplanes stay up in the air?",
        "The answer to your question is: airplanes stay up in the air.",
        "Wings push air down, and the air pushes the wings up: that is called lift.",
    ]
    persona = [ReflectionCell(i, 0, s, "persona") for i, s in enumerate([0.9, 0.8, 0.2])]
    # the echo has the best persona cell and the best helpfulness term ...
    assert choose(persona, 3, texts=texts, addresses=[1.0, 0.9, 0.0])[0] == 0
    # ... but with the question known, the answer that says something wins
    assert choose(persona, 3, texts=texts, addresses=[1.0, 0.9, 0.0], query=query)[0] == 2
    # a rule's verdict still comes first
    rules = [ReflectionCell(i, 1, float(i == 0), "rules") for i in range(3)]
    assert choose(persona + rules, 3, texts=texts, query=query)[0] == 0
    # where every answer restates the question, the usual order decides
    echoes = [query, "Airplanes stay up in the air.", "The answer is: airplanes."]
    assert choose(persona, 3, texts=echoes, query=query)[0] == 0


def test_an_answer_that_says_the_persons_signals_back_never_beats_one_that_says_something():
    # the issue's own turn: "I'm a vegetarian." had the best helpfulness term of the eight
    query = "Suggest a quick dinner I can cook tonight."
    signals = ["I'm vegetarian.", "Commas annoy me, so leave them out completely."]
    texts = ["I'm a vegetarian.", "I'm a vegetarian. No commas.", "Make a pizza with tomato sauce."]
    persona = [ReflectionCell(i, 0, s, "persona") for i, s in enumerate([0.5, 0.7, 0.4])]
    rules = [ReflectionCell(i, 1, 1.0, "rules") for i in range(3)]
    cells, add = persona + rules, [1.0, 0.9, 0.2]
    assert choose(cells, 3, texts=texts, addresses=add, query=query)[0] == 1
    assert choose(cells, 3, texts=texts, addresses=add, query=query, signals=signals)[0] == 2


def test_an_answer_stuck_in_a_loop_never_beats_one_that_is_not():
    # seen in the app: with "I'm vegetarian." and no commas the pick was this loop, cut off
    # at the token limit, whose persona cell was the best of the eight
    query = "Suggest a quick dinner I can cook tonight."
    signals = ["I'm vegetarian.", "Commas annoy me, so leave them out completely."]
    stuck = "I'm a helpful AI named SmolLM. You can ask about what I can eat tonight. " * 16
    texts = [stuck, "Fry some tofu with rice and greens.", "Bake a potato and top it with beans."]
    persona = [ReflectionCell(i, 0, s, "persona") for i, s in enumerate([0.91, 0.4, 0.3])]
    rules = [ReflectionCell(i, 1, 1.0, "rules") for i in range(3)]
    cells = persona + rules
    assert choose(cells, 3, texts=texts)[0] == 0  # without the question: the best row sum
    assert choose(cells, 3, texts=texts, query=query, signals=signals)[0] == 1
    # a rule's verdict still comes first: the loop alone meets the rule
    only = [ReflectionCell(i, 1, float(i == 0), "rules") for i in range(3)]
    assert choose(persona + only, 3, texts=texts, query=query, signals=signals)[0] == 0
    # where every answer loops, the usual order decides
    loops = [stuck, "Beans and rice. " * 30, "Eat well tonight. " * 25]
    assert choose(cells, 3, texts=loops, query=query, signals=signals)[0] == 0


def test_an_answer_about_itself_as_an_ai_never_beats_one_that_answers():
    # implicit/dev, "What is the theory of relativity?" on a smartwatch: the stored pick
    query = "What is the theory of relativity?"
    signals = ["I'm reading this on my smartwatch."]
    itself = (
        "I'm sorry for your loss. I'm a helpful AI named SmolLM, designed to assist and "
        "support users with their queries."
    )
    answer = "The theory of relativity describes how space and time bend around mass."
    texts = [itself, answer]
    cells = [ReflectionCell(0, 0, 0.9, "persona"), ReflectionCell(1, 0, 0.3, "persona")]
    assert choose(cells, 2, texts=texts)[0] == 0  # without the question: the best row sum
    assert choose(cells, 2, texts=texts, query=query, signals=signals)[0] == 1
    # where the person asks about the assistant, that answer may be the pick
    asked = "Are you an AI?"
    assert choose(cells, 2, texts=texts, query=asked, signals=signals)[0] == 0
