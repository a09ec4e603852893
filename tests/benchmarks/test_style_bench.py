"""The writing-sample benchmark's independent measures (char 3-gram TF-IDF cosine and the
function-word profile) and its summary, on fixed rows; the model run itself is `personaco
style-bench` (a benchmark, not a timed test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from personaco_tui.benchmarks.style import (
    CharTfidf,
    Row,
    function_word_similarity,
    load_samples,
    measures,
    table,
)

SAMPLES = load_samples(Path(__file__).resolve().parents[1] / "data" / "writing_samples")


def test_the_measures_find_each_sample_closest_to_itself() -> None:
    tfidf = CharTfidf(list(SAMPLES.values()))
    for name, text in SAMPLES.items():
        others = {o: tfidf.similarity(text, t) for o, t in SAMPLES.items()}
        assert max(others, key=lambda o: others[o]) == name
        assert others[name] == pytest.approx(1.0)
        assert function_word_similarity(text, text) == pytest.approx(1.0)
    assert function_word_similarity("", SAMPLES["legal"]) == 0.0


def test_the_summary_counts_where_the_pick_is_closer() -> None:
    legal, texting = SAMPLES["legal"], SAMPLES["texting"]
    near = "The Licensee shall, within thirty days, notify the Licensor in writing thereof."
    far = "lol ok gonna go now, text me later u know"
    rows = [
        Row("legal", legal, "q1", pick=near, baseline=far, candidates=[near, far]),
        Row("texting", texting, "q2", pick=far, baseline=near, candidates=[near, far]),
    ]
    report = measures(rows)
    char = report["char3_tfidf"]
    assert (
        char["all"]["pick_beats_baseline"] == 1.0 and char["all"]["pick"] > char["all"]["baseline"]
    )
    assert set(char) == {"all", "legal", "texting"}
    assert any("char3_tfidf" in line for line in table(report))
