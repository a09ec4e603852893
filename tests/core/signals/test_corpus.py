"""The generated paraphrase corpus: deterministic, sized and balanced as declared, and kept
apart from the phrasings it is measured on."""

from __future__ import annotations

from collections import Counter
from typing import Any

from personaco_tui.core.signals import corpus


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    a, b = corpus.build(), corpus.build()
    assert corpus.fingerprint(a) == corpus.fingerprint(b)
    assert [e.text for e in a] == [e.text for e in b]
    other = corpus.build(seed=corpus.SEED + 1)
    assert corpus.fingerprint(other) != corpus.fingerprint(a)


def test_sizes_and_label_balance() -> None:
    examples = corpus.build()
    counts = Counter(e.label for e in examples)
    assert set(counts) == set(corpus.LABELS)
    for kind in corpus.KINDS:
        assert counts[kind] == corpus.PER_KIND, kind
    # misses are cheaper than false positives: "none" outweighs every kind
    assert counts[corpus.NONE] == corpus.PER_NONE
    assert counts[corpus.NONE] > 3 * max(counts[k] for k in corpus.KINDS)
    texts = [e.text.lower() for e in examples]
    assert len(set(texts)) == len(texts)


def test_small_sizes_are_respected() -> None:
    examples = corpus.build(per_kind=10, per_none=25)
    counts = Counter(e.label for e in examples)
    assert all(counts[k] == 10 for k in corpus.KINDS) and counts[corpus.NONE] == 25


def test_persona_sentences_that_mention_formats_are_negatives() -> None:
    none = [e.text for e in corpus.build() if e.label == corpus.NONE]
    formats = ("bullet points", "commas", "JSON", "lowercase", "capital letters")
    assert sum(1 for t in none if t.startswith(("I'm a", "I'm an", "As a", "As an"))) > 50
    assert all(any(f in t for t in none) for f in formats)


def test_measured_phrasings_are_not_in_the_corpus(
    heldout_rows: list[dict[str, Any]], dev_rows: list[dict[str, Any]]
) -> None:
    texts = {e.text.lower().strip() for e in corpus.build()}
    for row in heldout_rows + dev_rows:
        assert row["signal"].lower().strip() not in texts, row["signal"]


def test_the_source_fingerprint_names_the_defaults() -> None:
    assert corpus.source_fingerprint() == corpus.source_fingerprint()
    assert len(corpus.source_fingerprint()) == 16
