"""The why view says what the learned preference model did in the pick."""

from __future__ import annotations

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed
from personaco_tui.tui.screens.why import WhyScreen


def _gen(learning: dict | None) -> Generation:
    return Generation(
        GenerationSettingsUsed("personaco", "m", 2, 1.0, 0, 8), "q", ["Be brief."], "",
        [Candidate(0, "a", 1, "stop"), Candidate(1, "b", 1, "stop")], chosen_index=1,
        learning=learning,
    )  # fmt: skip


def test_the_legend_says_when_the_learned_model_changed_the_pick() -> None:
    changed = {"n_choices": 7, "default_index": 0, "changed": True, "utilities": [0.0, 1.0]}
    text = WhyScreen(_gen(changed))._legend().plain
    assert "Learned from your 7 choices: it chose ★ among answers your signals left equal" in text
    assert "(without it: 1)" in text
    same = {"n_choices": 5, "default_index": 1, "changed": False, "utilities": [0.0, 1.0]}
    assert "the signals' pick stood" in WhyScreen(_gen(same))._legend().plain
    assert "Learned" not in WhyScreen(_gen(None))._legend().plain
