"""The guided particle (core/steer/guide.py): the first steered answer starts from a plain
answer, made to fit the masks as text, cut to whole sentences that keep the upper limits,
and the model goes on only where a lower limit wants more."""

from __future__ import annotations

from support.fake_engine import FakeEngine
from support.steer_sim import simulate

from personaco_tui.core import personaco
from personaco_tui.core.reflectors.rules.reflector import RulesReflector
from personaco_tui.core.signals import understand
from personaco_tui.core.steer import build_plan
from personaco_tui.core.steer.guide import conform, sentences

PLAIN = (
    "The capital of Spain is Madrid, a city of 3 million people. It is known for the Prado, "
    "the Royal Palace and its parks! Many visitors come each year because it has much to "
    "offer and the weather is sunny for most of the year."
)


def test_conform_writes_the_text_as_the_masks_allow() -> None:
    plan = build_plan(
        ["Write everything in lower case please.", "Never use commas.", "No bullet lists."]
    )
    assert conform(plan, "Fruit:\n1. Apples, pears\n- Plums!") == "fruit:\napples pears\nplums!"
    plan = build_plan(["Never use exclamation marks."])
    assert conform(plan, "Wow! Great.") == "Wow. Great."
    # a bullet count: the plan writes the markers itself, so the plain answer's go ("*word"
    # lines too, which some checkers count as bullets), while bold text and rules stay
    plan = build_plan(["I want exactly 3 bullet points, written as markdown '* ' items."])
    got = conform(plan, "Days:\n*Mon\n* Tue\n1. Wed\n**Bold** stays\n---")
    assert got == "Days:\nMon\nTue\nWed\n**Bold** stays\n---"


def test_sentences_keep_their_spacing() -> None:
    assert sentences("One. Two!\nThree") == ["One. ", "Two!\n", "Three"]
    assert "".join(sentences(PLAIN)) == PLAIN


def test_the_guide_is_cut_to_whole_sentences_within_the_limit() -> None:
    signals = [
        "Start with a title in double angular brackets, such as <<title>>.",
        "Write everything in lower case please.",
        "Never use commas in your replies.",
        "Answers under 30 words, please.",
    ]
    plan = build_plan(signals)
    plan.guide = PLAIN
    text, ctrl = simulate(plan, [" Madrid", " facts", " and", " more", " words"], 120, guided=True)
    assert ctrl.record.guided
    assert "the capital of spain is madrid a city of 3 million people." in text
    assert "many visitors" not in text  # the third sentence would break the limit
    assert "words" not in text.split(">>")[1]  # a whole answer: the model did not go on
    checks = [understand(s).check for s in signals]
    assert all(c is not None and c.check(text) for c in checks), text


def test_a_lower_limit_has_the_model_go_on_after_the_guide() -> None:
    plan = build_plan(["Answer with at least 60 words."])
    plan.guide = PLAIN
    text, ctrl = simulate(plan, [" More"], 200, guided=True)
    assert ctrl.record.guided and text.startswith("The capital of Spain is Madrid, a city")
    assert len(text.split()) >= 60  # the fake model's filler carried it past the limit


def test_only_the_guided_controller_takes_the_guide() -> None:
    plan = build_plan(["Never use commas."])
    plan.guide = PLAIN
    text, ctrl = simulate(plan, [" Sea", " rock"], 60)
    assert not ctrl.record.guided and text.strip() == "Sea rock"


def test_a_turn_guides_its_first_candidate_with_the_plain_answer() -> None:
    answers = ["A lamp, on a tower.", "Sea rock light.", "Rock and sea."]
    gen = personaco.run(
        FakeEngine(answers, steers=True),
        "What is a lighthouse?",
        ["Never use commas.", "Write everything in lower case please."],
        personaco.RunConfig(k=3, max_tokens=32, seed=0),
        RulesReflector(),
    )
    st = gen.steering
    assert st is not None and st["anchor"] == "A lamp, on a tower." and st["guided"] == 0
    assert gen.candidates[0].text == "a lamp on a tower."
    assert gen.chosen_index == 0  # every candidate meets both: the one saying what plain says


def test_a_banned_word_is_left_out_of_the_guide_not_the_facts_after_it() -> None:
    signals = ["Do not use the word 'the'.", "Finish with a P.S. at the end."]
    plan = build_plan(signals)
    plan.guide = "The largest ocean is the Pacific. It covers a third of the planet."
    text, ctrl = simulate(plan, [" Sea"], 120, guided=True)
    assert ctrl.record.guided
    assert text.startswith("Largest ocean is Pacific. It covers a third of planet.")
    checks = [understand(s).check for s in signals]
    assert all(c is not None and c.check(text) for c in checks), text


def test_a_first_sentence_over_the_limit_keeps_its_whole_clauses() -> None:
    signals = ["Answers under 30 words, please."]
    plan = build_plan(signals)
    plan.guide = (
        "A day has 24 hours, which is the time the Earth takes to turn once on its axis, "
        "and that is why the sun rises and sets again every single morning and evening here."
    )
    text, ctrl = simulate(plan, [" More"], 120, guided=True)
    assert ctrl.record.guided and text.startswith("A day has 24 hours")
    assert "rises" not in text  # the clause that breaks the limit is left out
    c = understand(signals[0]).check
    assert c is not None and c.check(text), text
