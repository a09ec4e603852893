"""The evaluation prompt, the verdict parser and the order mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personaco_tui.evaluation.verdicts import (
    ALL_VERDICTS,
    evaluation_prompt,
    parse_verdict,
    shown_pair,
    unswap,
)


def test_prompt_has_paper_text_criterion_and_responses_in_order():
    p = evaluation_prompt("What is 2+2?", "I prefer rhymes.", "FOUR", "4")
    assert p.startswith(
        "Below is a query and two responses. You will be asked to evaluate the degree to "
        "which each response satisfies a personalization criterion.\n"
    )
    for line in (
        "- \u2018A\u2019 if response A satisfies the criterion better than response B",
        "- \u2018B\u2019 if response B satisfies the criterion better than response A",
        "- \u2018N/A\u2019 if the criterion is not applicable to either response",
        "- \u2018SAME\u2019 if both responses satisfy the criterion to the same degree",
        "Personalization criterion: I prefer rhymes.",
        "Query: What is 2+2?",
        "Response 1: FOUR",
        "Response 2: 4",
    ):
        assert line in p.splitlines()
    assert (
        p.index("criterion: I prefer")
        < p.index("Query:")
        < p.index("Response 1")
        < p.index("Response 2")
    )


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("A", "A"),
        ("B", "B"),
        (" b.", "B"),
        ("'A'", "A"),
        ('"SAME"', "SAME"),
        ("same", "SAME"),
        ("Same.", "SAME"),
        ("n/a", "N/A"),
        ("N/A.", "N/A"),
        ("NA", "N/A"),
        ("\u2018N/A\u2019", "N/A"),
        ("Response A", "A"),
        ("response 1", "A"),
        ("Response 2.", "B"),
        ("**B**", "B"),
        ("\n A \n", "A"),
        ("", "INVALID"),
        ("   ", "INVALID"),
        ("A or B", "INVALID"),
        ("A B", "INVALID"),
        ("A, SAME", "INVALID"),
        ("Response A is better because it rhymes.", "INVALID"),
        ("C", "INVALID"),
        ("A..", "INVALID"),
        ("Response 3", "INVALID"),
    ],
)
def test_parse_verdict(text, want):
    assert parse_verdict(text) == want


def test_parse_verdict_non_string_is_invalid():
    assert parse_verdict(None) == "INVALID"


@given(st.text())
def test_parse_verdict_never_raises_and_stays_in_range(text):
    assert parse_verdict(text) in ALL_VERDICTS


@given(st.sampled_from(["A", "B", "SAME", "N/A"]), st.sampled_from(["", " ", "\n"]))
def test_parse_verdict_accepts_each_verdict_with_whitespace(v, pad):
    assert parse_verdict(pad + v.lower() + pad) == v


@pytest.mark.parametrize(
    ("verdict", "order", "want"),
    [
        ("A", "AB", "A"),
        ("B", "AB", "B"),
        ("A", "BA", "B"),
        ("B", "BA", "A"),
        ("SAME", "BA", "SAME"),
        ("N/A", "BA", "N/A"),
        ("INVALID", "BA", "INVALID"),
    ],
)
def test_unswap(verdict, order, want):
    assert unswap(verdict, order) == want


def test_unswap_refuses_unknown_values():
    with pytest.raises(ValueError):
        unswap("A", "AA")
    with pytest.raises(ValueError):
        unswap("X", "AB")


def test_shown_pair_round_trips_with_unswap():
    first, second = shown_pair("from A", "from B", "BA")
    assert (first, second) == ("from B", "from A")
    # the judge prefers the first shown (method B's) response
    assert unswap(parse_verdict("A"), "BA") == "B"
