"""The signal classifier: accurate on a held-out split of the corpus, its numpy inference
equal to scikit-learn's own, its cache a faithful round trip."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from personaco_tui.core.signals import classifier, corpus


@pytest.fixture(scope="module")
def split() -> tuple[list[corpus.Example], list[corpus.Example]]:
    examples = corpus.build(per_kind=120, per_none=600)
    random.Random(7).shuffle(examples)
    cut = len(examples) * 4 // 5
    return examples[:cut], examples[cut:]


@pytest.fixture(scope="module")
def small_arrays(split: tuple[list[corpus.Example], list[corpus.Example]]) -> dict[str, np.ndarray]:
    return classifier.train(split[0])


def test_held_out_split_accuracy(
    split: tuple[list[corpus.Example], list[corpus.Example]], small_arrays: dict[str, np.ndarray]
) -> None:
    model = classifier.from_arrays(small_arrays)
    test = split[1]
    preds = model.predict_many([e.text for e in test])
    right = sum(p.label == e.label for p, e in zip(preds, test, strict=True))
    assert right / len(test) >= 0.95
    # the costly error: a persona or unchecked line read as a rule
    none_as_rule = sum(
        p.label != corpus.NONE for p, e in zip(preds, test, strict=True) if e.label == corpus.NONE
    )
    assert none_as_rule <= 0.02 * sum(e.label == corpus.NONE for e in test)


def test_probabilities_are_a_distribution(small_arrays: dict[str, np.ndarray]) -> None:
    pred = classifier.from_arrays(small_arrays).predict("Please avoid commas.")
    assert set(lab for lab, _ in pred.ranked) == set(corpus.LABELS)
    assert sum(p for _, p in pred.ranked) == pytest.approx(1.0)
    assert [p for _, p in pred.ranked] == sorted((p for _, p in pred.ranked), reverse=True)
    assert pred.label == "no_commas" and pred.prob("no_commas") == pred.p


@pytest.mark.parametrize(
    ("analyzer", "ngram"), [("word", (1, 2)), ("char_wb", (3, 5)), ("char_wb", (2, 4))]
)
def test_analyzers_match_scikit_learn(analyzer: str, ngram: tuple[int, int]) -> None:
    sk = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram).build_analyzer()
    ours = classifier._ANALYZERS[analyzer]
    for text in [
        "Hello  World, it's a TEST: don't   panic!",
        "Ünïcode ß x\tend",
        "<<T>> *** P.S.",
        "",
    ]:
        assert ours(text, ngram) == sk(text)


def test_numpy_inference_equals_scikit_learn(
    split: tuple[list[corpus.Example], list[corpus.Example]],
) -> None:
    """The same pipeline fitted with scikit-learn end to end gives the same probabilities."""
    train, test = split
    _assert_same_as_scikit_learn(train, [e.text for e in test[:40]])


def _assert_same_as_scikit_learn(train: list[corpus.Example], sample: list[str]) -> None:
    from scipy.sparse import hstack

    texts, labels = [e.text for e in train], [e.label for e in train]
    vecs = [
        TfidfVectorizer(analyzer=a, ngram_range=n, min_df=d, sublinear_tf=True)
        for a, n, d in classifier._VIEWS
    ]
    lr = LogisticRegression(C=classifier._C, max_iter=3000, tol=1e-3)
    lr.fit(hstack([v.fit_transform(texts) for v in vecs]).tocsr(), labels)
    expected = lr.predict_proba(hstack([v.transform(sample) for v in vecs]).tocsr())
    model = classifier.from_arrays(classifier.train(train))
    assert model.classes == tuple(lr.classes_)
    for row, pred in zip(expected, model.predict_many(sample), strict=True):
        got = np.array([pred.prob(c) for c in lr.classes_])
        np.testing.assert_allclose(got, row, atol=1e-6)


def test_cache_round_trip(tmp_path: Path, small_arrays: dict[str, np.ndarray]) -> None:
    path = tmp_path / "signals" / "model.npz"
    classifier._save(path, small_arrays)
    loaded = classifier._load(path)
    assert loaded is not None
    text = "I'm a chef who writes JSON at work."
    assert loaded.predict(text) == classifier.from_arrays(small_arrays).predict(text)
    path.write_bytes(b"not an npz")
    assert classifier._load(path) is None  # a broken cache means training again, not a crash


def test_get_trains_once_and_caches_under_the_cache_dir() -> None:
    model = classifier.get()
    assert classifier.get() is model
    assert classifier.cache_path(corpus.source_fingerprint()).is_file()


def test_prune_keeps_only_the_current_model(tmp_path: Path) -> None:
    keep = tmp_path / "classifier-v1-new.npz"
    for name in ("classifier-v1-old.npz", "classifier-v0-older.npz", keep.name, "other.txt"):
        (tmp_path / name).write_bytes(b"x")
    classifier._prune(keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == [keep.name, "other.txt"]


def test_two_class_inference_equals_scikit_learn() -> None:
    """With two labels scikit-learn keeps one row of weights: the wish model's case."""
    from personaco_tui.core.signals import mood_model

    sample = ["Formal tone.", "I'm vegetarian.", "Numbers over adjectives.", "Ünïcode ß", ""]
    _assert_same_as_scikit_learn(mood_model.examples(), sample)


def test_prune_leaves_other_models_alone(tmp_path: Path) -> None:
    keep = tmp_path / "mood-v1-new.npz"
    for name in ("mood-v1-old.npz", "classifier-v1-x.npz", keep.name):
        (tmp_path / name).write_bytes(b"x")
    classifier._prune(keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classifier-v1-x.npz", keep.name]


def test_the_wish_model_is_fitted_once_and_cached() -> None:
    from personaco_tui.core.signals import mood_model

    model = mood_model.get()
    assert model is not None and mood_model.get() is model and mood_model.loaded()
    assert mood_model.cache_path().is_file()
    assert mood_model.p_wish("Formal tone.") >= mood_model.THRESHOLD > mood_model.p_wish("I'm 8.")
