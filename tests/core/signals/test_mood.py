"""Wishes about the answers told from facts about the person (core/signals/mood.py and its
learned half, mood_model.py): each way of phrasing either, and the rates on labelled sets of
signals written apart from the code (core/signals/mood_data/: dev.jsonl and dev2.jsonl,
which the rules were refined on and the model is fitted on; tests/data/mood/holdout.jsonl,
never used for either)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personaco_tui.core.signals import mood_model
from personaco_tui.core.signals.mood import grammar_wish, is_wish

HELD_OUT = Path(__file__).resolve().parents[2] / "data" / "mood"

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


def _rates(path: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    facts = [r["text"] for r in rows if not r["wish"]]
    wishes = [r["text"] for r in rows if r["wish"]]
    assert len(facts) >= 100 and len(wishes) >= 100
    wrong = sum(is_wish(t) for t in facts) / len(facts)
    found = sum(is_wish(t) for t in wishes) / len(wishes)
    return wrong, found


@pytest.mark.parametrize("name", mood_model.FILES)
def test_few_facts_read_as_wishes_on_the_dev_sets(name):
    # in sample for the model: this guards the data and the fitting, not how it generalises
    wrong, found = _rates(mood_model.DATA / name)
    assert wrong <= 0.03 and found >= 0.90


def test_few_facts_read_as_wishes_on_the_held_out_set():
    # the rules alone: after dev, 3 of 100 facts and 65 of 100 wishes; after dev2, 2 and 73;
    # with the model beside them, 2 of 100 facts and 89 of 100 wishes
    wrong, found = _rates(HELD_OUT / "holdout.jsonl")
    assert wrong <= 0.03 and found >= 0.85


# Written after the model was fitted, none in its data: verbless wishes the grammar cannot
# read, and verbless facts, which look like them and must stay facts.
VERBLESS_WISHES = [
    "Concise bullet summaries.", "Plain English over jargon.", "Examples before theory.",
    "Friendly but brief.", "Sources at the end.", "Less fluff.",
    "Short paragraphs, lots of white space.", "Metric first, imperial in brackets.",
    "A joke now and then.", "Straight facts, no opinions.", "Answers under a minute to read.",
    "Code with comments.", "One question at a time.", "Gentle tone.", "Headlines first.",
]  # fmt: skip
VERBLESS_FACTS = [
    "Mother of three.", "Retired teacher.", "Based in Lyon.", "Lactose intolerant.",
    "Night-shift nurse.", "Big Arsenal fan.", "Two dogs, one cat.", "Left-handed.",
    "Type 2 diabetic.", "Android user.", "No car.", "No kids.", "Gluten-free household.",
    "Allergic to penicillin.", "Vegan for ten years.", "Not a native English speaker.",
    "Colorblind.", "Living in a tiny flat in Leeds.", "Recovering from knee surgery.",
    "On a tight budget this month.", "Mostly remote, sometimes in the office.",
    "Fluent in Portuguese.", "New to programming.", "Deaf since birth.",
    "Only a laptop, no desktop.", "Huge fan of jazz.", "Married, two teenagers.",
    "Total beginner at cooking.", "PhD in chemistry.",
]  # fmt: skip


def test_the_model_reads_verbless_wishes_the_grammar_misses():
    # measured: the grammar 2 of 15, with the model 10 of 15
    assert sum(map(grammar_wish, VERBLESS_WISHES)) <= 3
    assert sum(map(is_wish, VERBLESS_WISHES)) >= 9


@pytest.mark.parametrize("text", VERBLESS_FACTS)
def test_verbless_facts_stay_facts(text):
    assert not is_wish(text)


ABOUT_ME = ["I don't drink alcohol.", "My notes are bullet points.", "Je ne parle que français."]


@pytest.mark.parametrize("text", ABOUT_ME)
def test_the_model_never_overrules_a_sentence_about_the_person_or_in_another_language(
    text, monkeypatch
):
    monkeypatch.setattr(mood_model, "p_wish", lambda t: 1.0)
    assert not is_wish(text)
    assert is_wish("Formal tone.")


def test_without_the_model_the_grammar_reads_alone(monkeypatch, caplog):
    def broken(path, build):
        raise OSError("disk on fire")

    monkeypatch.setattr(mood_model, "_model", None)
    monkeypatch.setattr(mood_model, "_failed", False)
    monkeypatch.setattr(mood_model.classifier, "cached_model", broken)
    assert mood_model.get() is None and mood_model.loaded()
    assert "grammar alone" in caplog.text
    assert not is_wish("Formal tone.")  # the model would read it
    assert is_wish("Use a cooking analogy.")  # the grammar does
