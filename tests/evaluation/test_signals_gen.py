"""Signals written by a model for queries alone: the robust list parser (examples and
hypothesis), and generation with the real bundled model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personaco_tui.engines.base import SampleOutput
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.signals_gen import (
    MAX_SIGNAL_CHARS,
    items_from_queries,
    parse_signals,
    suggest_signals,
)
from personaco_tui.store.db import Store


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('["Be brief.", "Use a poem."]', ["Be brief.", "Use a poem."]),
        ('Sure! Here you go:\n["Be brief.", "be brief.", ""]\nHope it helps', ["Be brief."]),
        ('{"personalizations": ["No jargon.", "Cite sources."]}', ["No jargon.", "Cite sources."]),
        ('["Be brief.", "Use a po', ["Be brief."]),  # cut off by the token limit
        ("1. Be brief\n2) No jargon\n(3) Cite sources", ["Be brief", "No jargon", "Cite sources"]),
        (
            "- Be brief\n* **No jargon**\n• “Cite sources”,",
            ["Be brief", "No jargon", "Cite sources"],
        ),
        ("Here are 2 personalizations:\n\nBe brief.\n\nNo jargon.", ["Be brief.", "No jargon."]),
        ("```json\n[\n]\n```", []),
        ("", []),
        ("1.\n2.\n-\n***", []),
        ('["\\ud800 lone surrogate", "Keep it clean."]', ["Keep it clean."]),
        ("[1, 2, 3]\nUse metaphors.", ["Use metaphors."]),
    ],
)
def test_parse_examples(text, want):
    assert parse_signals(text) == want


def test_parse_caps_count_and_length():
    text = json.dumps([f"Signal number {i}." for i in range(10)])
    assert parse_signals(text, 3) == ["Signal number 0.", "Signal number 1.", "Signal number 2."]
    long = "word " * 200
    (got,) = parse_signals(long)
    assert len(got) <= MAX_SIGNAL_CHARS and got.endswith("word")
    assert parse_signals("Be brief.", 0) == []
    assert parse_signals(None) == [] and parse_signals(42) == []  # type: ignore[arg-type]


def test_parse_drops_the_echoed_query():
    assert parse_signals("What is a river?\nBe brief.", exclude=["what is a river?"]) == [
        "Be brief."
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.integers(1, 8) | st.none())
def test_parse_never_raises_and_keeps_clean_signals(text, n):
    got = parse_signals(text, n)
    assert n is None or len(got) <= n
    assert len({s.casefold() for s in got}) == len(got)
    for s in got:
        assert s == s.strip() and s
        assert "\n" not in s and "\r" not in s
        assert len(s) <= MAX_SIGNAL_CHARS
        assert any(ch.isalpha() for ch in s)
        s.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
            lambda s: any(c.isalpha() for c in s)
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["json", "numbered", "bulleted", "lines"]),
)
def test_parse_reads_lists_in_any_shape(signals, shape):
    if shape == "json":
        text = json.dumps(signals)
    elif shape == "numbered":
        text = "\n".join(f"{i}. {s}" for i, s in enumerate(signals, 1))
    elif shape == "bulleted":
        text = "\n".join(f"- {s}" for s in signals)
    else:
        text = "\n".join(signals)
    got = parse_signals(text)
    for s in got:
        # every signal read back is (a cleaned form of) something that was written
        assert any(s.casefold() in " ".join(w.split()).casefold() for w in signals), (s, text)


class Scripted:
    """An engine whose answers are given in advance (one per call)."""

    name = "scripted"

    def __init__(self, answers):
        self.answers = list(answers)
        self.prompts = []

    def sample(self, messages, n, params, **kw):
        self.prompts.append(messages[0]["content"])
        return [SampleOutput(self.answers.pop(0), 1, "stop")]


def test_items_from_queries_skips_a_query_without_signals():
    engine = Scripted(['["Be brief.", "No jargon."]', "", "1. Use a poem"])
    skipped = []
    items = items_from_queries(
        engine,
        [("a", "What is a river?"), ("b", "Say hi."), ("c", "Describe a cat.")],
        2,
        on_skip=lambda key, why: skipped.append((key, why)),
    )
    assert [(it.key, it.signals) for it in items] == [
        ("a", ["Be brief.", "No jargon."]),
        ("c", ["Use a poem"]),
    ]
    assert skipped == [("b", "the model gave no usable signal")]
    # the paper's prompt, asking for the number of signals wanted
    assert engine.prompts[0].startswith("Generate a list of 2 personalizations")
    assert engine.prompts[0].endswith("Query: What is a river?")


def test_real_model_signals_and_a_session(engine, loc):
    queries = [("q1", "How do volcanoes form?"), ("q2", "Write a poem about the sea.")]
    items = items_from_queries(engine, queries, 3, max_tokens=48)
    assert items, "the model gave no usable signal for any query"
    for it in items:
        assert 1 <= len(it.signals) <= 3
        assert all(s.strip() and "\n" not in s for s in it.signals)
    # same seed, same signals (and some signals: two empty lists would agree vacuously)
    first = suggest_signals(engine, queries[0][1], 3, 0, max_tokens=48)
    assert first, "the model gave no usable signal for the first query"
    assert suggest_signals(engine, queries[0][1], 3, 0, max_tokens=48) == first
    store = Store.open(loc)
    try:
        sid = S.create_session(store, "gen", items, {"method": "baseline"}, {"method": "personaco"})
        stored = S.get_session(store, sid).items
        assert len(stored) == len(items) and all(len(it.signals) >= 1 for it in stored)
    finally:
        store.close()
