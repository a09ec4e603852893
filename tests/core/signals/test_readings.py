"""The user's correction of a signal's reading: the kinds a user may choose, validation with
one-line messages, and the corrected reading used by the pick (a real turn on the fake
engine, stored and read back through a real SQLite file), early stop and the IFEval mapping."""

from __future__ import annotations

import pytest
from support.fake_engine import FakeEngine

from personaco_tui import chat
from personaco_tui.core import personaco
from personaco_tui.core.reflectors.auto import AutoReflector
from personaco_tui.core.reflectors.rules import RulesReflector
from personaco_tui.core.signals import (
    KINDS,
    ReadingError,
    build_check,
    make_reading,
    reading_from_json,
    understand,
)
from personaco_tui.core.types import Reading, SignalText
from personaco_tui.evaluation.ifeval import ifeval_checks
from personaco_tui.runtime import Runtime
from personaco_tui.store import profiles as P

# Nothing in the automatic reading knows this phrasing of "no commas".
MISSED = "Please spare me the tiny pause marks between clauses."
COMMAS = "Well, the sea, the rock, and the lamp."
CLEAN = "The keeper lights the lamp at night."


def test_the_automatic_reading_misses_the_phrasing() -> None:
    assert not understand(MISSED).checkable


def test_a_chosen_reading_becomes_its_check_with_source_user() -> None:
    u = understand(MISSED, make_reading("no_commas"))
    assert u.source == "user" and u.kinds == ("no_commas",) and u.confidence == 1.0
    assert u.check is not None and u.check.check(CLEAN) and not u.check.check(COMMAS)
    carried = understand(SignalText(MISSED, make_reading("no_commas")))
    assert carried.kinds == ("no_commas",)
    # the cache of automatic readings is keyed by text: a correction never leaks into it
    assert not understand(MISSED).checkable


def test_judge_by_the_model_overrides_a_recognised_rule() -> None:
    text = "Keep it under 20 words."
    assert understand(text).kinds == ("word_count",)
    u = understand(text, make_reading("model"))
    assert not u.checkable and u.source == "user"


def test_parameters_are_typed_and_checked() -> None:
    r = make_reading("word_count", {"relation": "<", "n": "40"})
    assert r == Reading("word_count", (("n", 40), ("relation", "<")))
    check = build_check(r)
    assert check is not None and check.description == "fewer than 40 words"
    words = make_reading("include_words", {"words": "banana, rocket"})
    assert dict(words.params)["words"] == ("banana", "rocket")
    assert reading_from_json(words.to_json()) == words
    # the between relation keeps its upper bound, the others drop it
    assert dict(make_reading("word_count", {"relation": "between", "n": 5, "m": 9}).params)["m"]
    assert "m" not in dict(make_reading("word_count", {"n": 5, "m": 9}).params)


@pytest.mark.parametrize(
    ("kind", "params", "named"),
    [
        ("no_semicolons", {}, "no_commas"),  # the allowed kinds are listed
        ("word_count", {"n": "forty"}, "whole number"),
        ("word_count", {}, "n="),
        ("no_commas", {"n": "3"}, "none"),
        ("language", {"lang": "klingon"}, "en, es"),
        ("word_count", {"relation": "between", "n": "5"}, "m="),
        ("letter_frequency", {"letter": "ab", "n": "0"}, "single letter"),
        ("model", {"n": "1"}, "no parameters"),
    ],
)
def test_bad_kinds_and_params_say_what_is_allowed(kind, params, named) -> None:
    with pytest.raises(ReadingError) as e:
        make_reading(kind, params)
    message = str(e.value)
    assert named in message and "\n" not in message


def test_every_kind_builds_with_its_defaults_and_example_values() -> None:
    example = {"int": "2", "text": "hello", "bool": "no", "words": "sea,rock"}
    for name, kind in KINDS.items():
        raw = {
            p.name: (p.choices[0] if p.type == "choice" else example[p.type])
            for p in kind.params
            if p.required and p.default is None
        }
        if "letter" in raw:
            raw["letter"] = "e"
        check = build_check(make_reading(name, raw))
        assert check is not None and check.kind == name
        assert isinstance(check.check("Some answer."), bool)


def test_a_stored_reading_this_version_cannot_build_falls_back_to_automatic() -> None:
    text = "Keep it under 20 words."
    assert understand(text, Reading("from_the_future")).kinds == ("word_count",)


def test_ifeval_mapping_honours_the_correction() -> None:
    assert ifeval_checks(MISSED) is None
    corrected = ifeval_checks(MISSED, make_reading("no_commas"))
    assert [c["instruction_id"] for c in corrected or []] == ["punctuation:no_comma"]
    carried = ifeval_checks(SignalText(MISSED, make_reading("no_commas")))
    assert [c["instruction_id"] for c in carried or []] == ["punctuation:no_comma"]
    assert ifeval_checks("Keep it under 20 words.", make_reading("model")) is None


def test_the_rules_reflector_scores_a_corrected_signal() -> None:
    engine = FakeEngine([COMMAS, CLEAN])
    cfg = personaco.RunConfig(k=2, max_tokens=16, seed=3)
    plain = personaco.run(engine, "Tell me about lighthouses.", [MISSED], cfg, RulesReflector())
    assert {c.score for c in plain.cells} == {None}  # left to the model: the rules cannot tell
    gen = personaco.run(
        engine,
        "Tell me about lighthouses.",
        [SignalText(MISSED, make_reading("no_commas"))],
        cfg,
        RulesReflector(),
    )
    scores = {c.candidate: c.score for c in gen.cells}
    assert scores == {0: 0.0, 1: 1.0}
    assert gen.response == CLEAN


def test_a_stored_correction_reaches_the_pick_of_a_chat_turn(isolated_home) -> None:
    # the model would rather have the answer full of commas; the corrected rule decides
    engine = FakeEngine([COMMAS, CLEAN], p_yes=lambda answer, q: 0.9 if "," in answer else 0.1)
    rt = Runtime.open(isolated_home, engine=engine)
    try:
        profile = P.ensure_default_profile(rt.store)
        P.add_signal(rt.store, profile.id, MISSED, reading=make_reading("no_commas"))
        result = chat.ask(rt, "Tell me about lighthouses.", k=2, max_tokens=16, seed=3)
        assert isinstance(result, chat.TurnResult)
        assert result.generation.response == CLEAN
        assert {c.reflector for c in result.generation.cells} == {"rules"}
    finally:
        rt.close()


def test_the_auto_reflector_hands_a_judge_by_model_signal_to_the_model() -> None:
    engine = FakeEngine([COMMAS, CLEAN], p_yes=lambda answer, q: 0.8)
    from personaco_tui.core.reflectors import SelfReflector

    gen = personaco.run(
        engine,
        "Tell me about lighthouses.",
        [SignalText("Never use commas.", make_reading("model"))],
        personaco.RunConfig(k=2, max_tokens=16, seed=3),
        AutoReflector(SelfReflector(engine)),
    )
    assert {c.reflector for c in gen.cells} == {"self"}
