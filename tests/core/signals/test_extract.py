"""Parameters of a check once its kind is known: numbers with relations, quoted and bare
words, phrases after a colon, markers; None when they are not in the text."""

from __future__ import annotations

import pytest

from personaco_tui.core.signals.extract import extract


def params(kind: str, text: str) -> dict[str, object] | None:
    c = extract(kind, text)
    return None if c is None else {"kind": c.kind, **dict(c.params)}


@pytest.mark.parametrize(
    ("kind", "text", "want"),
    [
        (
            "word_count",
            "Stay beneath ninety words.",
            {"kind": "word_count", "relation": "<", "n": 90},
        ),
        ("word_count", "Cap it at fifty words.", {"kind": "word_count", "relation": "<=", "n": 50}),
        (
            "word_count",
            "I'd love no more than 70 words.",
            {"kind": "word_count", "relation": "<=", "n": 70},
        ),
        ("word_count", "Write 70 words.", None),  # no relation: not a bound IFEval can check
        ("sentence_count", "Two sentences at most.", None),  # relation after the number
        (
            "sentence_count",
            "At most 2 sentences.",
            {"kind": "sentence_count", "relation": "<=", "n": 2},
        ),
        (
            "bullet_count",
            "Give me 5 bullet points.",
            {"kind": "bullet_count", "relation": "==", "n": 5},
        ),
        ("bullet_count", "At least 5 bullet points.", None),  # IFEval counts bullets exactly
        (
            "highlight_count",
            "Highlight 2 parts in *markdown*.",
            {"kind": "highlight_count", "relation": ">=", "n": 2},
        ),
        (
            "placeholder_count",
            "Leave 3 placeholders like [x].",
            {"kind": "placeholder_count", "relation": ">=", "n": 3},
        ),
        (
            "paragraph_count",
            "3 paragraphs split by ***.",
            {"kind": "paragraph_count", "relation": "==", "n": 3, "sep": "***"},
        ),
        ("paragraph_count", "3 paragraphs please.", None),  # no *** divider
        (
            "section_count",
            "Use 4 sections headed PART N.",
            {"kind": "section_count", "relation": "==", "n": 4, "marker": "part"},
        ),
        ("section_count", "Use 4 sections.", None),  # no marker
        (
            "ends_with",
            "Close with: See ya",
            {"kind": "ends_with", "phrase": "See ya", "word": False},
        ),
        ("ends_with", "Close with 'Bye' or 'Later'.", None),  # two phrases: which one?
        (
            "include_words",
            "Make sure the words kiwi and mango show up.",
            {"kind": "include_words", "words": ("kiwi", "mango"), "mode": "all"},
        ),
        (
            "include_words",
            "Mention 'tax' and 'audit'.",
            {"kind": "include_words", "words": ("tax", "audit"), "mode": "all"},
        ),
        ("include_words", "Mention taxes.", None),
        (
            "exclude_words",
            "The word 'nice' bores me, skip it.",
            {"kind": "exclude_words", "words": ("nice",)},
        ),
        ("language", "Answer in Italian.", {"kind": "language", "lang": "it"}),
        ("language", "Answer in Klingon.", None),
        ("postscript", "Add a P.P.S at the bottom.", {"kind": "postscript", "marker": "P.P.S"}),
        ("no_commas", "Commas drive me up the wall.", {"kind": "no_commas"}),
        ("no_commas", "Please be brief.", None),  # no anchor word for the kind
        ("json", "Only JSON.", {"kind": "json"}),
        ("uppercase", "Never write in capital letters.", None),  # negated positive kind
        ("unknown_kind", "No commas.", None),
    ],
)
def test_extract(kind: str, text: str, want: dict[str, object] | None) -> None:
    assert params(kind, text) == want


@pytest.mark.parametrize(
    "text",
    [
        "If I ask for code, use JSON.",  # conditional
        "Sometimes reply in JSON.",  # occasional
        "I used to want JSON replies.",  # past
    ],
)
def test_unsafe_wishes_give_nothing(text: str) -> None:
    assert extract("json", text) is None
