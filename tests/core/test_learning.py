"""The learned preference model (core/learning): features, the conditional-logit fit, words,
the stored form, behaviour proposals, and how a model joins the pick."""

from __future__ import annotations

import json
import random

import pytest

from personaco_tui.core.learning import (
    FEATURES,
    BehaviourChoice,
    Choice,
    ChoiceSet,
    PreferenceModel,
    behaviour_proposals,
    featurize,
    fit,
    text_features,
)
from personaco_tui.core.learning.proposals import BEHAVIOURS, MIN_CONSISTENT
from personaco_tui.core.personaco import choose, learned_pick
from personaco_tui.core.signals import understood_check
from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell

WORDS = ["sun", "rain", "river", "stone", "cloud", "apple", "forest", "light", "tower", "ocean"]


def _answer(rng: random.Random, n: int, as_list: bool, example: bool) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if as_list:
        text = "\n".join("- " + " ".join(words[i : i + 6]) for i in range(0, n, 6))
    else:
        text = ". ".join(" ".join(words[i : i + 10]) for i in range(0, n, 10)) + "."
    return text + (" For example, a river." if example else "")


def _choice_sets(seed: int, n: int) -> list[ChoiceSet]:
    rng = random.Random(seed)
    return [
        ChoiceSet(
            [
                _answer(rng, rng.randint(5, 150), rng.random() < 0.3, rng.random() < 0.3)
                for _ in range(6)
            ],
            [True] * 6,
        )
        for _ in range(n)
    ]


def _planted(cs: ChoiceSet) -> int:
    """A hidden taste: short answers with an example (computed without the features)."""
    return max(
        range(len(cs.texts)),
        key=lambda i: -len(cs.texts[i].split()) / 30 + 2 * ("example" in cs.texts[i]),
    )


def test_text_features_are_named_and_measure_what_they_say() -> None:
    f = text_features("## Title\n\n- one item\n- two items\n\nFor example, `x = 1`. Ok?")
    assert set(f) <= set(FEATURES)
    assert f["headings"] == 1.0 and f["list_items"] > 0.3 and f["code"] == 1.0
    assert f["example"] == 1.0 and f["question_back"] == 1.0 and f["commas"] > 0
    plain = text_features("A plain answer without anything special.")
    assert plain["headings"] == plain["list_items"] == plain["code"] == 0.0
    assert plain["question_back"] == 0.0 and plain["log_words"] < f["log_words"] + 1


def test_featurize_adds_consensus_finished_and_one_feature_per_signal() -> None:
    cs = ChoiceSet(["a b c", "a b d", "zzz"], [True, False, True], ["Be brief."],
                   [[1.0], [0.0], [None]])  # fmt: skip
    rows = featurize(cs)
    assert [r["finished"] for r in rows] == [1.0, 0.0, 1.0]
    assert [r["signal:Be brief."] for r in rows] == [1.0, 0.0, 0.5]
    assert rows[2]["consensus"] < rows[0]["consensus"]


def test_the_model_learns_a_planted_preference_from_few_choices() -> None:
    train, test = _choice_sets(1, 20), _choice_sets(2, 60)
    model = fit([Choice(featurize(cs), _planted(cs)) for cs in train])
    hits = 0
    for cs in test:
        u = model.utilities(featurize(cs))
        hits += max(range(6), key=lambda i: u[i]) == _planted(cs)  # noqa: B023
    assert hits / len(test) > 0.6  # a random pick is right 1 time in 6
    w = model.standardised()
    assert w["log_words"] < 0 and w["example"] > 0
    words = model.describe()
    assert "shorter answers" in words and "answers with an example" in words
    assert model.summary().startswith("You tend to prefer ")


def test_no_choices_or_useless_ones_give_an_empty_model() -> None:
    empty = fit([])
    assert empty.weights == {} and empty.n_choices == 0
    assert empty.summary().startswith("No clear preference yet")
    lone = fit([Choice([{"log_words": 1.0}], 0), Choice([{"log_words": 1.0}] * 2, 5)])
    assert lone.n_choices == 0


def test_regularisation_keeps_a_single_choice_weak() -> None:
    cs = _choice_sets(3, 1)[0]
    one = fit([Choice(featurize(cs), 0)], l2=1.0)
    assert max(abs(w) for w in one.standardised().values()) < 1.0


def test_json_round_trip_and_bad_input() -> None:
    model = fit([Choice(featurize(cs), _planted(cs)) for cs in _choice_sets(4, 10)])
    back = PreferenceModel.from_json(json.loads(json.dumps(model.to_json())))
    assert back.weights == pytest.approx(model.weights) and back.n_choices == 10
    assert back.describe() == model.describe()
    for bad in (None, [], {"version": 99}, {"version": 1, "weights": []}):
        with pytest.raises(ValueError):
            PreferenceModel.from_json(bad)


def _gen(texts: list[str], cells: list[ReflectionCell] | None = None) -> Generation:
    return Generation(
        settings=GenerationSettingsUsed("personaco", "m", len(texts), 1.0, 0, 64),
        query="q",
        signals=["Keep it under 20 words."] if cells else [],
        prompt="",
        candidates=[Candidate(i, t, 3, "stop") for i, t in enumerate(texts)],
        cells=cells or [],
    )


def test_a_learned_model_decides_only_among_what_the_signals_leave_equal() -> None:
    # words that do not repeat: an answer stuck in a loop is passed over before any taste
    texts = [" ".join(f"word{i}" for i in range(n)) for n in (5, 40, 80)]
    model = PreferenceModel(weights={"log_words": 1.0}, scale={"log_words": 1.0}, n_choices=9)
    picked, default, u = learned_pick(_gen(texts), model)
    assert picked == 2 and u[2] > u[0]  # no signals: the longest, as learned
    rules = [ReflectionCell(i, 0, 1.0 if i < 2 else 0.0, "rules") for i in range(3)]
    picked, _, _ = learned_pick(_gen(texts, rules), model)
    assert picked == 1  # the long one fails a rule: the longest that passes
    est = [ReflectionCell(i, 0, s, "self") for i, s in enumerate((0.9, 0.2, 0.3))]
    picked, _, _ = learned_pick(_gen(texts, est), model)
    assert picked == 0  # the only one judged satisfied (P >= 0.5) beats the learned taste
    best, _ = choose(est, 3, texts=texts)
    assert best == 0  # and without a model the order is the old one


def test_no_model_leaves_the_pick_unchanged() -> None:
    cells = [ReflectionCell(i, 0, s, "self") for i, s in enumerate((0.4, 0.45, 0.3))]
    assert choose(cells, 3)[0] == 1
    assert choose(cells, 3, learned=[5.0, 0.0, 0.0])[0] == 0  # all judged "no": taste decides


# -- behaviour proposals ------------------------------------------------------------------


def test_every_proposal_text_is_read_by_the_rules_as_the_check_it_means() -> None:
    for b in BEHAVIOURS:
        text = b.text([-40.0, -55.0, -70.0] if b.key == "shorter" else [40.0, 55.0, 70.0])
        check = understood_check(text)
        assert check is not None, text
    assert understood_check("Keep answers under 80 words.").kind == "word_count"


def _short_long(n_short: int, n_long: int) -> list[BehaviourChoice]:
    texts = ["word " * 20, "word " * 90, "word " * 120, "word " * 100]
    picks = [BehaviourChoice(texts, 0, shown=1) for _ in range(n_short)]
    return picks + [BehaviourChoice(texts, 2, shown=0) for _ in range(n_long)]


def test_a_consistent_habit_is_proposed_with_its_evidence() -> None:
    (p,) = behaviour_proposals(_short_long(5, 1))
    assert p.behaviour == "shorter" and p.n_consistent == 5 and p.n_total == 6
    assert p.text == "Keep answers under 30 words." and p.kind == "word_count"
    assert p.evidence == "You picked the shorter answer in 5 of your last 6 choices."


def test_never_from_fewer_than_three_consistent_choices() -> None:
    assert MIN_CONSISTENT == 3
    assert behaviour_proposals(_short_long(2, 0)) == []
    assert [p.behaviour for p in behaviour_proposals(_short_long(3, 0))] == ["shorter"]


def test_inconsistent_choices_and_kept_answers_propose_nothing() -> None:
    assert behaviour_proposals(_short_long(4, 3)) == []
    texts = ["word " * 20, "word " * 90]
    kept = [BehaviourChoice(texts, 0, shown=0) for _ in range(8)]  # the user kept the pick
    assert behaviour_proposals(kept) == []


def test_a_signal_the_profile_has_is_not_proposed_again() -> None:
    assert behaviour_proposals(_short_long(5, 0), existing=["Keep it under 50 words."]) == []


def test_a_side_effect_of_the_real_habit_is_explained_away() -> None:
    # The short answers also lack commas: only the length habit is proposed.
    short, longer = "one two three four five six", "one, two, three, four, five, six, seven, " * 3
    choices = [BehaviourChoice([short, longer, longer + " more"], 0, shown=1) for _ in range(6)]
    assert [p.behaviour for p in behaviour_proposals(choices)] == ["shorter"]
