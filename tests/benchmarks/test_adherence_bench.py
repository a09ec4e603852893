"""The adherence benchmark on the real model, judged by the real IFEval checkers."""

from __future__ import annotations

from personaco_tui.benchmarks.adherence import Checkers, DevItem, run_adherence
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.core.reflectors.rules import RulesReflector

ITEMS = [
    DevItem(
        "t-1",
        "What is a river?",
        ["Please never use commas in your replies.", "Keep answers under 25 words."],
        [
            {"instruction_id": "punctuation:no_comma", "kwargs": {}},
            {
                "instruction_id": "length_constraints:number_words",
                "kwargs": {"num_words": 25, "relation": "less than"},
            },
        ],
    ),
    DevItem(
        "t-2",
        "Describe a cat.",
        ["I like replies written entirely in lowercase letters, no capitals at all."],
        [{"instruction_id": "change_case:english_lowercase", "kwargs": {}}],
    ),
]


def test_picks_are_scored_on_the_same_candidates(engine):
    report = run_adherence(
        engine,
        ITEMS,
        {"self": SelfReflector(engine), "rules": RulesReflector()},
        k=4,
        max_tokens=24,
        checkers=Checkers(),
    )
    data = report.as_dict()
    adh = data["adherence"]
    assert set(adh) == {"baseline", "self", "rules", "random", "oracle"}
    assert data["signals"] == 3 and data["items"] == 2
    for name, value in adh.items():
        assert 0.0 <= value <= adh["oracle"], name
    # on these signal kinds the rules agree with the checkers, so their pick is the oracle's
    assert adh["rules"] == adh["oracle"]
    for name, wl in data["vs_baseline"].items():
        assert wl["wins"] + wl["losses"] + wl["ties"] == 3, name
