"""Figure 2 analysis on small synthetic data with known answers."""

from __future__ import annotations

import math

import pytest

from personaco_tui.evaluation import analysis as A


def test_counts_has_every_key():
    assert A.counts(["A", "A", "B", "N/A", "INVALID"]) == {
        "A": 2,
        "B": 1,
        "SAME": 0,
        "N/A": 1,
        "INVALID": 1,
    }
    with pytest.raises(ValueError):
        A.counts(["maybe"])


def test_sign_test_known_values():
    assert A.sign_test_p(9, 10) == pytest.approx(0.021484375)
    assert A.sign_test_p(1, 10) == pytest.approx(0.021484375)
    assert A.sign_test_p(5, 10) == 1.0
    assert A.sign_test_p(0, 0) == 1.0
    assert A.sign_test_p(10, 10) == pytest.approx(2 / 1024)
    # the paper's 289 vs 212 is significant
    assert A.sign_test_p(289, 289 + 212) < 0.001


def test_wilson_known_values():
    lo, hi = A.wilson_interval(9, 10)
    assert lo == pytest.approx(0.5958, abs=1e-4) and hi == pytest.approx(0.9821, abs=1e-4)
    assert A.wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = A.wilson_interval(0, 5)
    assert lo == 0.0 and 0 < hi < 1


def test_win_rate_ignores_indecisive():
    w = A.win_rate(["A"] * 9 + ["B"] + ["SAME", "N/A", "INVALID"] * 3)
    assert (w.wins_a, w.wins_b, w.n) == (9, 1, 10)
    assert w.rate == pytest.approx(0.9) and w.p_value == pytest.approx(0.0215, abs=1e-4)
    empty = A.win_rate(["SAME"])
    assert empty.rate is None and empty.p_value == 1.0


def row(item, signal, verdict, query="q"):
    return {"item_id": item, "signal": signal, "verdict": verdict, "query": query}


def test_by_signal_length_bins():
    rows = [
        row(1, "short one", "A"),  # 2 words
        row(2, "six words in this signal here", "B"),  # 6
        row(3, " ".join(["w"] * 25), "A"),  # 25
        row(4, " ".join(["w"] * 25), "A"),
    ]
    bins = A.by_signal_length(rows)
    assert [b.label for b in bins] == ["0-5", "6-10", "11-20", "21+"]
    assert [b.win.n for b in bins] == [1, 1, 0, 2]
    assert bins[3].win.rate == 1.0 and bins[1].win.rate == 0.0 and bins[2].win.rate is None


def test_clusters_separate_topics_with_known_win_rates():
    code = [
        row(i, f"Use python code examples with functions {i}", "A", "write python code")
        for i in range(4)
    ]
    family = [
        row(10 + i, "Mention family holidays and leisure", "B", "plan a family holiday")
        for i in range(4)
    ]
    c = A.cluster_pairs(code + family, k=2)
    assert len(c.clusters) == 2 and c.note == ""
    by_top = {("python" in cl.top_terms): cl for cl in c.clusters}
    assert by_top[True].size == 4 and by_top[True].win.rate == 1.0
    assert by_top[False].size == 4 and by_top[False].win.rate == 0.0
    assert "family" in by_top[False].top_terms
    assert len(c.points) == 8 and all(math.isfinite(p.x) and math.isfinite(p.y) for p in c.points)


def test_both_passes_of_a_pair_are_one_point():
    rows = [row(1, "Use rhymes", "A", "poem"), row(1, "Use rhymes", "B", "poem")]
    rows += [row(2, "Use bullet lists", "A", "recipe")]
    c = A.cluster_pairs(rows, k=4)
    assert len(c.points) == 2
    assert len(c.clusters) == 2 and "2 cluster(s) instead of 4" in c.note
    assert sorted(len(p.verdicts) for p in c.points) == [1, 2]


def test_tiny_inputs():
    one = A.cluster_pairs([row(1, "Use rhymes", "A", "poem")], k=4)
    assert len(one.clusters) == 1 and one.clusters[0].size == 1
    assert (one.points[0].x, one.points[0].y) == (0.0, 0.0) and "PCA" in one.note
    empty = A.cluster_pairs([], k=3)
    assert empty.clusters == [] and "No judgments" in empty.note
    stop = A.cluster_pairs([row(1, "the a", "A", "it is"), row(2, "and of", "B", "to")], k=2)
    assert stop.clusters == [] and "empty vocabulary" in stop.note and len(stop.points) == 2


def test_analyse_report():
    rows = [row(i, f"signal number {i}", "A" if i % 3 else "B", "query") for i in range(9)]
    r = A.analyse(rows, k=3)
    assert r.counts["A"] == 6 and r.counts["B"] == 3
    assert r.win.n == 9 and sum(b.win.n for b in r.by_length) == 9
    assert sum(cl.size for cl in r.clustering.clusters) == 9
