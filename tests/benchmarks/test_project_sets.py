"""The project's own persona sets (tests/data/persona_dev, persona_holdout, persona_holdout2,
instructions_dev, mixed): every check a line names is one its checks file knows, and the
held-out and instruction checks tell a fitting answer from one that ignores the signal."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


def _checks(folder: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"{folder}_checks", DATA / folder / "checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "folder", ["persona_dev", "persona_holdout", "persona_holdout2", "instructions_dev", "mixed"]
)
def test_every_check_of_a_set_is_known_to_its_checks_file(folder):
    checks = _checks(folder)
    lines = [
        json.loads(x)
        for path in sorted((DATA / folder).glob("*.jsonl"))
        for x in path.read_text().splitlines()
    ]
    ids = [d["id"] for d in lines]
    assert len(ids) == len(set(ids))
    for d in lines:
        assert d["query"].strip() and d["signals"]
        for c in d["checks"]:
            # an unknown kind raises KeyError, a missing argument KeyError or TypeError
            checks.check(c, "A short answer of several words.")
    with pytest.raises(KeyError):
        checks.check({"kind": "no_such_kind"}, "A short answer of several words.")


@pytest.mark.parametrize(
    ("folder", "kind", "fits", "ignores"),
    [
        (
            "persona_holdout",
            "no_audio",
            "Send them a message through the bank's online chat.",
            "Call the bank's helpline.",
        ),
        (
            "persona_holdout",
            "no_walking",
            "Visit the museum; every floor has a lift and wheelchair ramps.",
            "Go hiking in the hills.",
        ),
        (
            "persona_holdout",
            "no_caffeine",
            "Drink a glass of cold water or a cup of herbal tea.",
            "Have a strong coffee.",
        ),
        (
            "persona_holdout",
            "android",
            "On Android, hold the power and volume down buttons.",
            "On your iPhone, press the side button.",
        ),
        (
            "persona_holdout",
            "excel",
            "In Excel, choose Insert and then PivotTable.",
            "In Google Sheets, choose Insert.",
        ),
        (
            "persona_holdout",
            "microwave",
            "Put the rice in a microwave-safe bowl with water for 12 minutes.",
            "Boil the rice in a pan.",
        ),
        (
            "persona_holdout",
            "no_car",
            "Take the train or a bus to the airport.",
            "Drive to the airport and park there.",
        ),
        (
            "persona_holdout",
            "summer",
            "Wear shorts, a hat and plenty of sunscreen.",
            "Wrap up in a warm coat and a scarf.",
        ),
        (
            "persona_holdout2",
            "pregnant",
            "Order cooked rolls such as tempura or a cucumber roll.",
            "Try the tuna sashimi.",
        ),
        (
            "persona_holdout2",
            "pregnant",
            "Toast with an alcohol-free sparkling cider.",
            "Open a bottle of champagne.",
        ),
        (
            "persona_holdout2",
            "no_shellfish",
            "Grilled sea bass with lemon.",
            "A platter of shrimp and crab.",
        ),
        (
            "persona_holdout2",
            "no_oven",
            "Make no-bake cookies in a pan on the stove.",
            "Bake them at 180 degrees.",
        ),
        (
            "persona_holdout2",
            "no_flying",
            "Take the train through Paris to Rome.",
            "Book a cheap flight to Rome.",
        ),
        (
            "persona_holdout2",
            "no_swimming",
            "Have a picnic in the shade.",
            "Go swimming at the lake.",
        ),
        (
            "persona_holdout2",
            "offline",
            "Borrow a guitar book from the library.",
            "Watch lessons on YouTube.",
        ),
        (
            "persona_holdout2",
            "no_tv",
            "Play a board game together.",
            "Binge a new series on Netflix.",
        ),
    ],
)
def test_held_out_checks_tell_a_fitting_answer_from_one_that_ignores_the_fact(
    folder, kind, fits, ignores
):
    checks = _checks(folder)
    assert checks.check({"kind": kind}, fits)
    assert not checks.check({"kind": kind}, ignores)
    assert not checks.check({"kind": kind}, "")


@pytest.mark.parametrize(
    ("kind", "fits", "ignores"),
    [
        (
            "simple",
            "The sun is hot. It gives us light. We see it in the day. It goes down at night.",
            "Photosynthetic organisms continuously metabolise electromagnetic radiation, "
            "transforming "
            "it into biochemical energy through sophisticated molecular machinery located inside "
            "specialised chloroplasts.",
        ),
        (
            "example",
            "Save a little each week; for example, put ten euros aside every Friday.",
            "Save a little each week.",
        ),
        ("pirate", "Arr, matey, the sea be wide and deep.", "The ocean covers most of the planet."),
        (
            "cooking",
            "Memory is like a kitchen counter: the ingredients you use now sit close at hand.",
            "Memory stores data for the processor.",
        ),
        (
            "pros_cons",
            "The pros: cheap fuel. The cons: a shorter range.",
            "Electric cars are popular.",
        ),
        (
            "history",
            "Gustave Eiffel's company built it for the 1889 World's Fair.",
            "It is a tall tower in Paris.",
        ),
        ("sports", "Think of it like a coach training a team.", "Study every day."),
        ("fun_fact", "Fun fact: an octopus has three hearts.", "Octopuses live in the sea."),
        ("quote", 'As Winston Churchill once said, "Success is not final."', "Keep going."),
        ("safety", "Unplug the lamp first and wear gloves.", "Twist the bulb out."),
        ("numbers", "About 71% of the Earth is water.", "Most of the Earth is water."),
        ("travel", "Learning a language is a long journey.", "Learning a language is hard."),
        ("book", 'Read "Talk Like TED" by Carmine Gallo.', "Practise in front of a mirror."),
    ],
)
def test_instruction_checks_tell_a_fitting_answer_from_one_that_ignores_the_wish(
    kind, fits, ignores
):
    checks = _checks("instructions_dev")
    assert checks.check({"kind": kind}, fits)
    assert not checks.check({"kind": kind}, ignores)


def test_the_wish_guard_asks_factual_questions_with_one_unchecked_wish():
    import re

    from personaco_tui.core.signals import understood_check
    from personaco_tui.core.signals.mood import is_wish

    lines = [json.loads(x) for x in (DATA / "wish_guard.jsonl").read_text().splitlines()]
    assert len(lines) == 30 and len({d["id"] for d in lines}) == 30
    for d in lines:
        assert re.compile(d["answer"], re.I).search(d["query"]) is None  # not in the question
        assert len(d["signals"]) == 1 and understood_check(d["signals"][0]) is None
    # all but the one phrasing `mood` misses on purpose are read as wishes
    assert sum(not is_wish(d["signals"][0]) for d in lines) == 2  # "Sound like a ..." twice


def test_the_mixed_set_pairs_a_fact_with_a_wish():
    from personaco_tui.core.signals.mood import is_wish

    lines = [json.loads(x) for x in (DATA / "mixed" / "dev.jsonl").read_text().splitlines()]
    assert len(lines) == 24
    for d in lines:
        fact, wish = d["signals"]
        assert not is_wish(fact) and is_wish(wish)
