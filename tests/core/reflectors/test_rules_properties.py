"""Property tests: parsing never raises on any text, checks never raise on any answer, and
checks are pure (same answer, same verdict)."""

from __future__ import annotations

import logging
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from personaco_tui.core.reflectors.rules import parse_signal
from personaco_tui.core.reflectors.rules import parser as rules_parser

FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any code point, lone surrogates and NUL included.
any_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=300)
# Text made of the pieces signals are made of, so the recognizers actually fire.
PIECES = [
    "no",
    "never",
    "don't",
    "use",
    "under",
    "at least",
    "exactly",
    "between",
    "and",
    "or",
    "words",
    "sentences",
    "paragraphs",
    "bullet points",
    "lists",
    "commas",
    "lowercase",
    "ALL CAPS",
    "title",
    "<<",
    ">>",
    "***",
    "'",
    '"',
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    "`",
    "P.S.",
    "postscript",
    "end with",
    "start with",
    "the word",
    "letter",
    "times",
    "JSON",
    "emojis",
    "Spanish",
    "in",
    "each",
    "if",
    "80",
    "eighty",
    "one",
    "twenty-five",
    "-",
    ",",
    ".",
    ";",
    "!",
    "?",
    " ",
    "\n",
    "\x00",
    "\ud800",
    "😀",
    "שלום",
    "\u202e",
    "[name]",
    "*x*",
    "SECTION X",
    "placeholders",
    "highlight",
    "headings",
]
signal_like = st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join)
CHECK_SIGNALS = [
    "Keep answers under 80 words.",
    "Use no more than 2 sentences.",
    "Keep it under 280 characters.",
    "Write exactly 3 paragraphs.",
    "Use exactly 2 paragraphs separated by the markdown divider ***.",
    "I want exactly 3 bullet points.",
    "Use bullet points.",
    "No bullet lists.",
    "Give every answer a title in double angle brackets, like <<title>>.",
    "Wrap your whole reply in double quotation marks.",
    "Start your reply with 'Hello there'.",
    "Always finish with 'Talk soon.' and nothing after it.",
    "End with the word 'Amen'.",
    "Add a postscript starting with P.S.",
    "Use the words 'thunder' and 'summit'.",
    "Never say 'basically'.",
    "Use the word 'river' at least 3 times.",
    "Use the letter 'z' at least 3 times.",
    "Include at least 2 placeholders in square brackets, like [address].",
    "Highlight at least 2 sections with markdown, i.e. *highlighted section*.",
    "Your answer must have 3 sections. Mark the beginning of each section with SECTION X.",
    "Respond only in valid JSON.",
    "No exclamation marks.",
    "Finish with a question.",
    "No emojis please.",
    "Please include 3 emojis.",
    "Respond in Spanish.",
    "No headings.",
    "Include a code block.",
    "Plain text only, no markdown.",
    "all lowercase please",
    "Respond in all caps.",
    "Never use commas.",
    "Never use dashes.",
    "Keep it under 50 words and don't use commas.",
]
CHECKS = [parse_signal(s) for s in CHECK_SIGNALS]
answer_like = st.one_of(
    any_text,
    st.lists(
        st.sampled_from(
            [
                "* ",
                "- ",
                "1. ",
                "\n",
                "\n\n",
                "***",
                "<<t>>",
                '"',
                "P.S.",
                "```",
                "{",
                "}",
                "[x]",
                "*a*",
                "**b**",
                "# ",
                "😀",
                "\u200d",
                "\ufe0f",
                "🇫🇷",
                ",",
                "!",
                "?",
                "word",
                "Word",
                "SECTION 1",
                "el",
                "la",
                "the",
                "\x00",
                "\ud800",
                " ",
            ]
        ),
        max_size=60,
    ).map("".join),
    st.text(alphabet=string.printable, max_size=400),
)


def test_all_check_signals_parse() -> None:
    assert all(c is not None for c in CHECKS), [
        s for s, c in zip(CHECK_SIGNALS, CHECKS, strict=True) if c is None
    ]


@FAST
@given(any_text)
def test_parse_never_raises_on_any_text(text: str) -> None:
    result = rules_parser._parse(text)  # the unguarded parser: no exception may escape it
    assert result is None or result.description


@FAST
@given(signal_like)
def test_parse_never_raises_on_signal_like_text(text: str) -> None:
    result = rules_parser._parse(text)
    if result is not None:
        assert isinstance(result.check("some answer"), bool)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(min_size=4000, max_size=5000), signal_like.map(lambda s: (s + " ") * 40)))
@example("Never use commas. " * 200)  # checkable, were it not too long to be a signal
def test_parse_survives_long_signals(text: str) -> None:
    guarded = parse_signal(text)
    if len(text) > rules_parser.MAX_SIGNAL_CHARS:
        assert guarded is None  # the length guard refuses it before any regex runs
    else:
        assert guarded is None or guarded.description
    # and the parser itself, without the length guard: it must finish and give a usable check
    old = rules_parser.MAX_SIGNAL_CHARS
    rules_parser.MAX_SIGNAL_CHARS = 10**6
    try:
        unguarded = rules_parser._parse(text[:5000])
    finally:
        rules_parser.MAX_SIGNAL_CHARS = old
    assert unguarded is None or isinstance(unguarded.check("an answer, with a comma."), bool)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("\x00", None),
        ("\ud800", None),
        ("\udfff no commas", "no_commas"),  # the stray surrogate does not hide the request
        ("\u202eno commas", "no_commas"),  # nor does a right-to-left override
        ("\ue000 0 \ue001 no commas", "no_commas"),
        ("😀" * 5000, None),
        ("'" * 5000, None),
        ('"' * 3, None),
        ("<<" * 100, None),
        ("under " * 300 + "words", None),
        ("0" * 500 + " words", None),
    ],
)
def test_parse_specific_strange_inputs(
    text: str, kind: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    # parse_signal swallows exceptions, so the unguarded parser is what proves none is raised
    unguarded = rules_parser._parse(text[:2000])
    with caplog.at_level(logging.ERROR):
        check = parse_signal(text)
    assert not [r for r in caplog.records if "parse_signal failed" in r.getMessage()]
    assert (check.kind if check else None) == kind
    assert (unguarded.kind if unguarded else None) == kind
    if check is not None:
        assert check.check("a plain answer") and not check.check("a, b")


@FAST
@given(answer_like, st.lists(answer_like, max_size=5))
def test_checks_never_raise_and_are_pure(answer: str, others: list[str]) -> None:
    for check in CHECKS:
        assert check is not None
        first = check.check(answer)
        assert isinstance(first, bool)
        # pure: checking other answers in between (state a check might keep between calls)
        # and handing it an equal but distinct string object change nothing
        for other in others:
            check.check(other)
        assert check.check("".join(list(answer))) is first
