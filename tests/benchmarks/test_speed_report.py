"""The speed report's ratios, side by side: the auto turn with five persona facts is reported
against one single answer, like every other turn."""

from __future__ import annotations

from personaco_tui.benchmarks.speed import PERSONA_SIGNALS, WISH_SIGNALS, SpeedReport
from personaco_tui.core.signals import understood_check
from personaco_tui.core.signals.mood import is_wish


def test_the_persona_turn_is_a_ratio_to_one_single_answer():
    report = SpeedReport("m", 128, 8, 5, 1, single_s=2.0, turn_s=6.0, batched_s=4.0, naive_s=None)
    assert "turn_persona_over_single" not in report.as_dict()
    report.turn_persona_s = 7.0
    d = report.as_dict()
    assert d["turn_persona_s"] == 7.0 and d["turn_persona_over_single"] == 3.5
    assert "turn_wishes_over_single" not in d
    report.turn_wishes_s = 9.0
    assert report.as_dict()["turn_wishes_over_single"] == 4.5
    assert "turn_one_wish_over_single" not in report.as_dict()
    report.turn_one_wish_s = 5.0
    assert report.as_dict()["turn_one_wish_over_single"] == 2.5


def test_the_persona_facts_are_ones_no_rule_checks():
    # else `auto` would not hand them to the persona reflector and the turn measures rules
    assert len(PERSONA_SIGNALS) == 5
    assert all(understood_check(s) is None for s in PERSONA_SIGNALS)


def test_the_wishes_are_ones_no_rule_checks_and_read_as_wishes():
    assert len(WISH_SIGNALS) == 5
    assert all(understood_check(s) is None and is_wish(s) for s in WISH_SIGNALS)
    assert not any(is_wish(s) for s in PERSONA_SIGNALS)
