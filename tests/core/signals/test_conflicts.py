"""Conflicts between a profile's signals, derived from their checks' kinds and parameters."""

from __future__ import annotations

import pytest

from personaco_tui.core.signals import conflicts, make_reading, understand
from personaco_tui.core.signals.conflicts import conflicts_of


def _reading(text: str, kind: str | None = None, **params: object):
    return understand(text, make_reading(kind, params) if kind else None)


CONFLICTING = [
    (("All lowercase please.", "lowercase"), ("Capitals only.", "uppercase")),
    (
        ("Short.", "word_count", {"relation": "<", "n": 40}),
        ("Long.", "word_count", {"relation": ">=", "n": 300}),
    ),
    (("No commas.", "no_commas"), ("Sign off.", "ends_with", {"phrase": "Thanks, bye"})),
    (
        ("Add a P.S.", "postscript"),
        ("Close with a quote.", "ends_with", {"phrase": "Stay curious."}),
    ),
    (("Add a P.S.", "postscript"), ("Quote it all.", "quoted")),
    (
        ("Never say delve.", "exclude_words", {"words": "delve"}),
        ("Say delve.", "include_words", {"words": "delve,dive"}),
    ),
    (("Spanish.", "language", {"lang": "es"}), ("French.", "language", {"lang": "fr"})),
    (
        ("Start hi.", "starts_with", {"phrase": "Hi there"}),
        ("Start yo.", "starts_with", {"phrase": "Yo"}),
    ),
    (("Question.", "ends_with_question"), ("Sign.", "ends_with", {"phrase": "Cheers."})),
    (("No emoji.", "no_emoji"), ("Emoji.", "emoji_count", {"relation": ">=", "n": 2})),
    (
        ("Two lines.", "line_count", {"relation": "==", "n": 2}),
        ("Five+.", "line_count", {"relation": "between", "n": 5, "m": 9}),
    ),
    (
        ("No e.", "letter_frequency", {"letter": "e", "relation": "==", "n": 0}),
        ("End.", "ends_with", {"phrase": "The end"}),
    ),
    (("Bullets.", "use_bullets"), ("No lists.", "no_lists")),
]

COMPATIBLE = [
    (
        ("Short.", "word_count", {"relation": "<", "n": 100}),
        ("Not tiny.", "word_count", {"relation": ">=", "n": 20}),
    ),
    (("No commas.", "no_commas"), ("Sign off.", "ends_with", {"phrase": "Thanks and bye"})),
    (("Lowercase.", "lowercase"), ("End.", "ends_with", {"phrase": "Any other questions?"})),
    (("Quote it all.", "quoted"), ("End.", "ends_with", {"phrase": "Stay curious."})),
    (("Few emoji.", "emoji_count", {"relation": "<=", "n": 3}), ("No emoji.", "no_emoji")),
    (
        ("Words.", "word_count", {"relation": "<", "n": 40}),
        ("Sentences.", "sentence_count", {"relation": ">=", "n": 300}),
    ),
    (
        ("End.", "ends_with", {"phrase": "all."}),
        ("End too.", "ends_with", {"phrase": "That is all."}),
    ),
]


def _u(spec):
    text, kind, *rest = spec
    return _reading(text, kind, **(rest[0] if rest else {}))


@pytest.mark.parametrize(("one", "other"), CONFLICTING)
def test_pairs_that_cannot_both_hold_conflict(one, other) -> None:
    found = conflicts([_u(one), _u(other)])
    assert len(found) == 1
    c = found[0]
    assert (c.a, c.b) == (0, 1) and c.signal_a == one[0] and c.signal_b == other[0]
    assert c.reason and one[0] in c.message() and other[0] in c.message()
    # the order the signals come in does not matter
    assert len(conflicts([_u(other), _u(one)])) == 1


@pytest.mark.parametrize(("one", "other"), COMPATIBLE)
def test_pairs_that_can_both_hold_do_not(one, other) -> None:
    assert conflicts([_u(one), _u(other)]) == []


def test_signals_read_automatically_conflict_too() -> None:
    texts = [
        "Write everything in lowercase.",
        "Be friendly.",
        "Keep it under 40 words.",
        "Use only capital letters.",
        "Write at least 300 words.",
    ]
    found = {(c.a, c.b) for c in conflicts([understand(t) for t in texts])}
    assert found == {(0, 3), (2, 4)}
    assert [(c.a, c.b) for c in conflicts_of(4, [understand(t) for t in texts])] == [(2, 4)]


def test_a_signal_judged_by_the_model_conflicts_with_nothing() -> None:
    readings = [_reading("Capitals only.", "model"), _reading("Lowercase.", "lowercase")]
    assert conflicts(readings) == []
