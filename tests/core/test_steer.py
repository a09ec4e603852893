"""Steering plans and controllers on pure text (no model): a scripted "model" proposes
tokens, the controller's directives ban, force and end, and the final text must satisfy
the signals' own checks."""

from __future__ import annotations

import re

import pytest
from support.steer_sim import simulate

from personaco_tui.core.signals import KINDS, build_check, make_reading, understand
from personaco_tui.core.steer import (
    Controller,
    Directive,
    banned,
    build_plan,
    recased,
    starts_word,
    token_classes,
)
from personaco_tui.core.types import Reading


def toks(text: str) -> list[str]:
    return re.findall(r"\s*\S+|\s+", text)


RAMBLE = (
    " The Capital of Spain is Madrid, a City with many Museums, Parks and Cafes. "
    "It is Known for its Art, Food and Nightlife. Many People visit every Year! "
) * 6


def satisfied(signals: list[str], text: str) -> list[bool]:
    out = []
    for s in signals:
        check = understand(s).check
        assert check is not None, s
        out.append(check.check(text))
    return out


CASES = [
    [
        "Wrap your whole reply in double quotation marks.",
        "Please never use commas in your replies.",
        "Keep answers under 80 words; I read on my phone.",
    ],
    [
        "Give every answer a short title wrapped in double angle brackets, like <<my title>>.",
        "Wrap your whole reply in double quotation marks.",
        "I like replies written entirely in lowercase letters, no capitals at all.",
    ],
    [
        "Please never use commas in your replies.",
        "I want exactly 2 bullet points, written as markdown '* ' items.",
        "Always finish with the exact sign-off 'Hope that helps!' and nothing else.",
    ],
    [
        "End every reply with a P.S. note.",
        "Include the keywords budget and garden.",
        "End your reply with 'That is all.'",
    ],
    ["Answer only in valid JSON.", "WRITE EVERYTHING IN CAPITAL LETTERS."],
    ["Use exactly 3 paragraphs separated by the markdown divider ***."],
    ["Include at least 2 placeholders in square brackets, like [name]."],
    ["Never use the word 'madrid'.", "Use the word 'museum' at least 2 times."],
    ["Answer in fewer than 3 sentences."],
    ["Start your reply with 'Well then'.", "Make sure to end with a question."],
]


@pytest.mark.parametrize("signals", CASES, ids=lambda s: s[0][:30])
@pytest.mark.parametrize("budget", [192, 48])
def test_steered_text_meets_every_signal(signals: list[str], budget: int) -> None:
    plan = build_plan(signals)
    assert all("both are steered" in c for c in plan.conflicts)
    text, ctrl = simulate(plan, toks(RAMBLE), budget)
    placed = ctrl.phase in ("ending", "done") or not plan.ending
    assert placed, "the ending must be placed before the budget runs out"
    assert satisfied(signals, text) == [True] * len(signals), text


def test_without_steering_the_ramble_fails() -> None:
    """The cases above test steering, not the script: unsteered, it fails them."""
    failing = [s for s in CASES if not all(satisfied(s, RAMBLE))]
    assert len(failing) == len(CASES)


def test_the_ending_is_placed_with_a_tiny_budget() -> None:
    signals = [
        "Wrap your whole reply in double quotation marks.",
        "Give every answer a short title wrapped in double angle brackets, like <<my title>>.",
        "End every reply with a P.S. note.",
    ]
    plan = build_plan(signals)  # quoted + P.S. are flagged, but the layout meets both
    assert plan.conflicts and "both are steered" in plan.conflicts[0]
    text, ctrl = simulate(plan, toks(RAMBLE), 40)
    assert ctrl.phase in ("ending", "done")
    assert satisfied(signals, text) == [True, True, True], text


def test_conflicts_are_told_and_the_later_signal_dropped() -> None:
    signals = ["Write in all lowercase letters.", "WRITE IN ALL CAPITAL LETTERS."]
    plan = build_plan(signals)
    assert len(plan.conflicts) == 1 and "only" in plan.conflicts[0]
    hows = [e.how for e in plan.entries]
    assert hows == ["mask", "dropped"]
    assert plan.case == "lower"
    text, _ = simulate(plan, toks(RAMBLE), 64)
    assert text.islower()


def test_word_limit_conflict() -> None:
    plan = build_plan(["Keep it under 40 words.", "Write at least 300 words."])
    assert [e.how for e in plan.entries] == ["count", "dropped"]


def test_every_kind_is_steered_or_says_why() -> None:
    samples = {"n": "3", "relation": ">=", "m": "5", "nth": "2"}
    for name, kind in KINDS.items():
        params = {}
        for p in kind.params:
            if p.type == "choice":
                params[p.name] = p.default or p.choices[0]
            elif p.type == "words":
                params[p.name] = "river,stone"
            elif p.type == "bool":
                params[p.name] = "no"
            elif p.name in samples:
                params[p.name] = samples[p.name]
            elif p.name == "letter":
                params[p.name] = "q"
            else:
                params[p.name] = "Thanks"
        check = build_check(make_reading(name, params))
        assert check is not None
        sig = f"[{name}]"
        from personaco_tui.core.signals import Understanding

        plan = build_plan([sig], [Understanding(sig, check, "user", name, 1.0)])
        assert plan.entries, name
        for e in plan.entries:
            assert e.how in ("mask", "forced text", "count", "not steered"), (name, e)
            assert e.note, name


def test_persona_facts_are_not_steered() -> None:
    plan = build_plan(["I'm a vegetarian living in Germany."])
    assert [e.how for e in plan.entries] == ["not steered"]
    assert not plan.active


def test_recase_keeps_the_words() -> None:
    plan = build_plan(["Write only in lowercase letters."])
    text, _ = simulate(plan, toks(" The Capital Is Madrid."), 32)
    assert text.strip() == "the capital is madrid."
    assert recased(" Hello", "upper") == " HELLO"


def test_token_classes_and_words() -> None:
    assert {"upper", "lower", "space_start"} <= token_classes(" Hello")
    assert "list_start" in token_classes("* ")
    assert "newline_list" in token_classes("\n- ")
    assert "json_unsafe" in token_classes('"')
    assert "partial" in token_classes("\ufffd")
    assert starts_word(" Budget", "budget") and starts_word("bud", "budget")
    assert not starts_word(" bu", "budget") and not starts_word(" garden", "budget")
    d = Directive(ban_chars=",", ban_words=("madrid",))
    assert banned(" Madrid", d) and banned("a,", d) and not banned(" city", d)


def test_end_banned_until_enough_bullets() -> None:
    plan = build_plan(["Use exactly 3 bullet points in markdown."])
    ctrl = Controller(plan, 100)
    assert ctrl.next("", 100).force == "* "  # an answer that starts a list starts with it
    assert ctrl.next("* ", 99).ban_eog  # the bare marker: its words come next
    d = ctrl.next("* First point.", 96)
    assert d.ban_eog and not d.force
    assert ctrl.next("* First point.\n", 95).force == "* "
    ctrl.next("* First point.\n* Two.\n* Three.", 80)
    d = ctrl.next("* First point.\n* Two.\n* Three.\n", 79)
    assert not d.ban_eog and "list_start" in d.ban_classes


def test_potential_rewards_progress() -> None:
    plan = build_plan(["Include the keywords budget and garden."])
    ctrl = Controller(plan, 100)
    assert ctrl.potential("nothing yet") < ctrl.potential("a budget") < 1.0
    assert ctrl.potential("a budget and a garden") == 1.0


def test_a_reading_the_user_chose_is_steered() -> None:
    text = "make it fancy"
    sig = Reading("no_commas")
    u = understand(text, sig)
    plan = build_plan([text], [u])
    assert plan.entries[0].how == "mask" and "," in plan.ban_chars


def test_an_ending_the_model_wrote_is_not_written_twice() -> None:
    plan = build_plan(["Wrap your whole reply in double quotation marks."])
    text, _ = simulate(plan, toks(' Madrid is the capital."'), 32)
    assert text == '" Madrid is the capital."'


def test_a_banned_word_stays_banned_inside_the_ps_and_the_title() -> None:
    signals = [
        "Start with a title in double angular brackets, such as <<title>>.",
        "Finish with a P.S. at the end.",
        "Do not use the word 'the'.",
    ]
    plan = build_plan(signals)
    script = [" The", " Sea", " the", " rocks", ".", " The", " sea", " is", " the", " blue", "."]
    text, _ = simulate(plan, script, 120)
    assert "P.S." in text and ">>" in text
    checks = [understand(s).check for s in signals]
    assert all(c is not None and c.check(text) for c in checks), text
