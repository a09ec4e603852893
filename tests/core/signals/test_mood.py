"""Wishes about the answers told from facts about the person (core/signals/mood.py): each
way of phrasing either, and the rates on two labelled sets of signals written apart from the
code (tests/data/mood/: dev.jsonl and dev2.jsonl, which the rules were refined on, and
holdout.jsonl, measured after dev.jsonl and again after dev2.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personaco_tui.core.signals.mood import is_wish

DATA = Path(__file__).resolve().parents[2] / "data" / "mood"

WISHES = [
    "I read on my phone during my commute so please keep it short.",
    "I paste your replies into a spreadsheet, so your responses can't contain tables.",
    "My brain works best with lists: every response should be a checklist.",
    "Use a cooking analogy.",
    "Always illustrate your point with an example.",
    "Please keep it light.",
    "Could you add a fun fact?",
    "I'd like you to sound like a pirate.",
    "I'd like answers that end with a question.",
    "I prefer when you explain the why.",
    "Season your replies with a bit of sarcasm.",
    "Spice it up.",
    "Point out the risks.",
    "Plain language, please.",
    "A summary at the top would be great.",
    "Your answers should be playful.",
    "Examples from gardening work best for me.",
    "Don't lecture me.",
    "Double-check the math before you answer.",
    "If possible, give me two alternatives.",
    "When I ask about code, show tests too.",
    "I'm reading on my phone on the bus, so keep it short.",
    "Act as a blunt business advisor.",
    "no essays pls just the answer",
]
FACTS = [
    "My phone is ancient, so it must be slow to load long pages.",
    "I work so much that I rarely cook.",
    "I'm vegetarian.",
    "I have an Android phone.",
    "My kitchen is just a microwave.",
    "We live in Perth and it's January.",
    "Dairy makes me sick.",
    "Half my team is diabetic.",
    "Caffeine gives me heart palpitations.",
    "Vegetarian since 2009.",
    "Cooking is how I unwind.",
    "Own a Raspberry Pi and like tinkering with it.",
    "Grew up in Nairobi.",
    "You should know I'm visually impaired.",
    "For context, you're talking to a retired nurse.",
    "I write my notes in bullet points.",
    "I love long walks.",
    "Je ne parle que français.",
    "I usually read your replies aloud to my wife.",
    "I'm a nurse, and I work nights.",
    "Caffeine gives me palpitations, so I avoid it.",
    "",
]


@pytest.mark.parametrize("text", WISHES)
def test_a_wish_about_the_answers(text):
    assert is_wish(text)


@pytest.mark.parametrize("text", FACTS)
def test_a_fact_about_the_person(text):
    assert not is_wish(text)


def test_odd_input_reads_as_a_fact():
    assert not is_wish("x" * 5000 + " use a metaphor")
    assert not is_wish(None)  # type: ignore[arg-type]
    assert is_wish("\u201cUse a metaphor.\u201d")  # typographic quotes around it


def _rates(name: str) -> tuple[float, float]:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]
    facts = [r["text"] for r in rows if not r["wish"]]
    wishes = [r["text"] for r in rows if r["wish"]]
    assert len(facts) >= 100 and len(wishes) >= 100
    wrong = sum(is_wish(t) for t in facts) / len(facts)
    found = sum(is_wish(t) for t in wishes) / len(wishes)
    return wrong, found


@pytest.mark.parametrize(("name", "found_at_least"), [("dev.jsonl", 0.70), ("dev2.jsonl", 0.70)])
def test_few_facts_read_as_wishes_on_the_dev_sets(name, found_at_least):
    # a fact read as a wish loses the reading measured for facts; a missed wish keeps it
    wrong, found = _rates(name)
    assert wrong <= 0.03 and found >= found_at_least


def test_few_facts_read_as_wishes_on_the_held_out_set():
    # after the rules were fixed on dev: 3 of 100 facts, 65 of 100 wishes; after dev2 (its
    # conditions and later clauses): 2 of 100, 73 of 100
    wrong, found = _rates("holdout.jsonl")
    assert wrong <= 0.05 and found >= 0.70
