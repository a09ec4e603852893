"""The model's reading of whether a persona fact rules something out (core/reflectors/
polarity.py): the words are read inside the user's turn, the weights are fitted once per
model and cached, each fact is read once; and on the bundled model the reading is right."""

from __future__ import annotations

import json
import math

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.core.reflectors import polarity


def test_the_features_are_the_next_words_read_inside_the_users_turn():
    engine = FakeEngine()
    x = polarity.Polarity(engine)._features(["I can't swim."], None)
    assert x.shape == (1, len(polarity.WORDS))
    assert len(engine.scored) == len(polarity.WORDS)
    stem = engine.prompt_tokens([{"role": "user", "content": "I can't swim. So I"}])
    for (prefix, cont), word in zip(engine.scored, polarity.WORDS, strict=True):
        assert cont == engine.tokenize(word, add_bos=False)
        assert stem[: len(prefix)] == prefix and len(prefix) > 1


def test_the_weights_are_fitted_once_per_model_and_cached(tmp_path):
    engine = FakeEngine()
    first = polarity.Polarity(engine, tmp_path)
    first.probabilities(["I'm vegetarian."])
    fitted = len(engine.scored)
    assert fitted == (len(polarity.TRAINING) + 1) * len(polarity.WORDS)
    (cached,) = (tmp_path / "persona").glob("polarity-*.json")
    assert json.loads(cached.read_text())["model"] == engine.name
    # each fact is read once; a new reader of the same model loads the weights, fits nothing
    first.probabilities(["I'm vegetarian.", "I'm vegetarian."])
    assert len(engine.scored) == fitted
    again = polarity.Polarity(engine, tmp_path)
    assert again.probabilities(["I'm vegetarian."]) == first.probabilities(["I'm vegetarian."])
    assert len(engine.scored) == fitted + 2 * len(polarity.WORDS)  # the check fact, the fact


def test_weights_cached_for_another_model_of_the_same_name_are_fitted_again(tmp_path):
    class Other(FakeEngine):  # reads every word one nat likelier
        def continuation_logprobs(self, prefixes, continuations, *, cancel=None):
            rows = super().continuation_logprobs(prefixes, continuations, cancel=cancel)
            return [[v + 1.0 for v in row] for row in rows]

    polarity.Polarity(FakeEngine(name="m"), tmp_path).probabilities(["I'm 8."])
    other = Other(name="m")
    polarity.Polarity(other, tmp_path).probabilities(["I'm 8."])
    assert len(other.scored) == (1 + len(polarity.TRAINING) + 1) * len(polarity.WORDS)
    (cached,) = (tmp_path / "persona").glob("polarity-*.json")
    assert json.loads(cached.read_text())["check"][0] == pytest.approx(1.0 + math.log(0.5))


def test_a_broken_or_unwritable_cache_costs_a_fit_and_nothing_else(tmp_path):
    engine = FakeEngine()
    reader = polarity.Polarity(engine, tmp_path)
    path = reader._path()
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert reader.rules_out(["I can't swim."]) == [False]  # the fake reads every fact alike
    assert json.loads(path.read_text())["coef"]  # fitted and written again
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert polarity.Polarity(FakeEngine(), blocked).rules_out(["I'm 8."]) == [False]


@pytest.mark.parametrize(
    ("fact", "rules_out"),
    [
        ("I don't eat meat.", True),
        ("I'm allergic to peanuts.", True),
        ("I never drink alcohol.", True),
        ("I live in Canada.", False),
        ("I'm 40 years old.", False),
        ("I love jazz.", False),
    ],
)
def test_the_bundled_model_reads_which_facts_rule_something_out(engine, fact, rules_out):
    reader = polarity.of(engine)
    assert reader.rules_out([fact]) == [rules_out]


def test_the_bundled_model_reads_its_own_training_facts(engine):
    reader = polarity.of(engine)
    read = reader.rules_out([f for f, _ in polarity.TRAINING])
    right = sum(r == out for r, (_, out) in zip(read, polarity.TRAINING, strict=True))
    assert right >= 36  # of 40


def test_warming_fits_the_weights_where_the_engine_can_score_text():
    from personaco_tui.engines.base import Capabilities

    engine = FakeEngine()
    polarity.warm(engine)
    assert polarity.of(engine)._weights is not None
    assert engine.scored  # fitted, or a cached fit checked against one fact
    blind = FakeEngine()
    blind.capabilities = Capabilities(gpu_offload=False, counts_tokens=True, scores_text=False)
    polarity.warm(blind)  # nothing to fit, and no error
    assert blind.scored == []


def test_known_says_what_was_read_and_reads_nothing():
    engine = FakeEngine()
    assert polarity.known(engine, ["I can't swim."]) == {}  # no reader yet
    assert polarity.known(None, ["I can't swim."]) == {}  # no model loaded
    (p,) = polarity.of(engine).probabilities(["I can't swim."])
    scored = len(engine.scored)
    got = polarity.known(engine, ["I can't swim.", "I'm 8."])
    assert got == {"I can't swim.": p > polarity.THRESHOLD}  # the unread fact is not guessed
    assert len(engine.scored) == scored


def test_a_fit_removes_the_weights_an_earlier_version_cached_for_the_same_model(tmp_path):
    where = tmp_path / "persona"
    where.mkdir()
    stale = [where / "polarity-v2-aaaaaaaaaaaa-m.json", where / "polarity-v1-bbbbbbbbbbbb-m.json"]
    kept = [where / "polarity-v2-aaaaaaaaaaaa-other-m.json", where / "notes-m.json"]
    for path in stale + kept:
        path.write_text("{}")
    polarity.Polarity(FakeEngine(name="m"), tmp_path).probabilities(["I'm 8."])
    (new,) = (p for p in where.glob("polarity-*-m.json") if p not in kept)
    assert json.loads(new.read_text())["model"] == "m"
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)  # another model's weights, a file not ours
