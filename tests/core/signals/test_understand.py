"""The combination rule and the measured readings: the parser's check stands, the classifier
adds recognition where the parser misses and vetoes weak hits on persona facts, and the dev and
held-out phrasings are read as well as required."""

from __future__ import annotations

from typing import Any

import pytest

from personaco_tui.core.reflectors.rules import parse_signal
from personaco_tui.core.signals import understand, understood_check
from personaco_tui.evaluation.ifeval import ifeval_checks
from personaco_tui.evaluation.signal_explain import measure


def test_persona_fact_vetoes_a_weak_parser_hit() -> None:
    text = "I'm a teacher who uses bullet points in class."
    assert parse_signal(text) is not None  # what the regular expressions alone would check
    u = understand(text)
    assert not u.checkable and u.source == "vetoed" and u.confidence >= 0.8
    assert ifeval_checks(text) is None


def test_classifier_adds_what_the_parser_misses() -> None:
    text = "Commas annoy me, so leave them out completely."
    assert parse_signal(text) is None
    u = understand(text)
    assert u.source == "classifier" and u.kinds == ("no_commas",)
    assert [c["instruction_id"] for c in ifeval_checks(text) or []] == ["punctuation:no_comma"]


def test_parser_reading_stands_with_its_parameters() -> None:
    text = "Keep it under 80 words and don't use commas."
    u = understand(text)
    assert u.source == "rules" and set(u.kinds) == {"word_count", "no_commas"}
    assert u.check is parse_signal(text)
    assert 0.9 <= u.confidence <= 1.0


def test_a_number_protects_a_parser_hit_from_the_veto() -> None:
    # a persona-sounding sentence that states a real bound keeps its check
    u = understand("I'm busy, so keep replies under 40 words.")
    assert u.checkable and u.kinds == ("word_count",)


@pytest.mark.parametrize(
    "text",
    [
        "I live in Germany.",
        "I love commas in poetry.",
        "My cat is called 'Pixel'.",
        "Be kind to me.",
        # the person's own writing, not what the answers must do
        "i type in all lowercase cause im lazy on my phone, you dont have to copy me",
        "I'm a night owl, usually online past midnight. P.S. thanks for all the help lately!",
        "My IELTS essays need at least 250 words and I keep falling short.",
        "",
        "   ",
    ],
)
def test_persona_and_unchecked_wishes_are_left_to_the_model(text: str) -> None:
    assert understood_check(text) is None


def test_kind_without_parameters_is_not_checked() -> None:
    # the classifier may well say word_count, but no number says how many
    assert understood_check("I'd like you to use fewer words than usual.") is None


def test_the_rules_reflector_and_the_judge_share_the_reading() -> None:
    from personaco_tui.core.reflectors.base import ReflectionInput
    from personaco_tui.core.reflectors.rules import RulesReflector

    signals = [
        "Commas annoy me, so leave them out completely.",
        "I'm a nurse who uses bullet points.",
    ]
    inp = ReflectionInput(messages=[], query="q", candidates=["a, b", "a b"], signals=signals)
    cells = RulesReflector().score(inp)
    by = {(c.candidate, c.signal): c.score for c in cells}
    assert by[(0, 0)] == 0.0 and by[(1, 0)] == 1.0
    assert by[(0, 1)] is None and by[(1, 1)] is None
    assert ifeval_checks(signals[0]) is not None and ifeval_checks(signals[1]) is None


def test_dev_phrasings(dev_rows: list[dict[str, Any]]) -> None:
    m = measure(dev_rows)
    assert m.checkable == 31 and m.not_checkable == 9
    assert m.recognised >= 30, m.misses
    assert m.false_positives == 0, m.wrong


def test_own_held_out_phrasings(heldout_rows: list[dict[str, Any]]) -> None:
    """Written before any measurement and never used in training (see the report of the
    signals task for the first figures)."""
    m = measure(heldout_rows)
    assert m.checkable >= 40 and m.not_checkable >= 15
    assert m.recognised >= 0.9 * m.checkable, m.misses
    assert m.false_positives <= 2, m.wrong


def _wrong_arguments(rows: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Signals read as their declared checker but with other arguments (word lists in any
    order)."""

    def args(kwargs: dict[str, Any]) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, list) else v for k, v in kwargs.items()}

    wrong = []
    for row in rows:
        got = [
            c for c in ifeval_checks(row["signal"]) or [] if c["instruction_id"] == row["expect"]
        ]
        if len(got) == 1 and args(got[0]["kwargs"]) != args(row["kwargs"]):
            wrong.append((row["signal"], got[0]["kwargs"]))
    return wrong


def test_second_held_out_phrasings(heldout2_rows: list[dict[str, Any]]) -> None:
    """First measured at 126 of 150 with 1 of 50 false positives (113 and 2 before the
    round); then signals written in the language they name were read ("한국어로 답해 주세요"),
    knowing only how many misses each checker had (7 of the 24 were languages), not which."""
    m = measure(heldout2_rows)
    assert m.checkable == 150 and m.not_checkable == 50
    assert m.recognised >= 133, m.misses
    assert m.false_positives <= 1, m.wrong
    assert not _wrong_arguments(heldout2_rows)


def test_second_dev_phrasings(dev2_rows: list[dict[str, Any]]) -> None:
    """Blind-written (first read: 145 of 180 recognised, 7 of 60 false positives); the misses
    left are mostly phrasings no recognizer knows ("Mark a key point as *highlighted* text")
    and paragraph counts IFEval splits on *** that the signal does not name. Where the
    reading names the declared checker, its arguments are the declared ones too."""
    m = measure(dev2_rows)
    assert m.checkable == 180 and m.not_checkable == 60
    assert m.recognised >= 171, m.misses
    assert m.false_positives <= 3, m.wrong

    assert not _wrong_arguments(dev2_rows)


@pytest.mark.parametrize(
    ("text", "spliter", "n"),
    [
        ("Your answer must have 3 sections. Mark each section with SECTION X.", "SECTION", 3),
        ("Use at least 2 sections, each starting with Part N.", "Part", 2),
    ],
)
def test_section_counts_map_to_multiple_sections(text: str, spliter: str, n: int) -> None:
    (got,) = ifeval_checks(text) or [None]
    assert got == {
        "instruction_id": "detectable_format:multiple_sections",
        "kwargs": {"section_spliter": spliter, "num_sections": n},
    }


def test_an_upper_bound_on_sections_has_no_ifeval_checker() -> None:
    assert understood_check("Use at most 2 sections, each starting with Part N.") is not None
    assert ifeval_checks("Use at most 2 sections, each starting with Part N.") is None


@pytest.mark.parametrize(
    "text",
    [
        "Don't use bullet points.",
        "Please avoid lists.",
        "Don't use markdown lists.",
        "Please do not format answers as lists.",
        "Don't give me lists.",
        "Write in prose, not lists.",
    ],
)
def test_a_ban_on_lists_in_plain_words_is_checked(text: str) -> None:
    # the classifier knew no list kind, so it read these as persona facts and vetoed the rule
    u = understand(text)
    assert u.checkable and u.kinds == ("no_lists",), u


@pytest.mark.parametrize(
    "text",
    [
        "I make to-do lists every morning.",
        "My boss loves numbered lists.",
        "You don't need to avoid lists.",
        "Feel free to use bullet points.",
        "If I ask for a list, use bullet points.",
    ],
)
def test_lists_in_a_persona_fact_or_a_permission_stay_unchecked(text: str) -> None:
    assert understood_check(text) is None


def test_a_ban_on_numbered_lists_allows_bullets() -> None:
    check = understood_check("Don't use numbered lists.")
    assert check is not None and check.check("- one\n- two") and not check.check("1. one\n2. two")


def test_every_signal_of_the_checkable_guard_set_is_read_as_a_check() -> None:
    # tests/data/guard_check.jsonl measures correctness under checkable signals only; a signal
    # read as a persona fact would send the turn down the persona path and spoil the measure
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "guard_check.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    signals = {s for row in rows for s in row["signals"]}
    assert len(signals) >= 12
    assert [s for s in sorted(signals) if not understand(s).checkable] == []
