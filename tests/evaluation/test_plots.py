"""Figure 2 as data, PNG files and summary.csv: files are valid, reproducible, and small or
odd sessions draw without crashing."""

from __future__ import annotations

import csv
import random

import pytest

from personaco_tui.evaluation import analysis, plot_data, plots
from personaco_tui.evaluation.export import ExportError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TOPICS = [
    "python code function bug",
    "family holiday trip kids",
    "music guitar chords song",
    "cake recipe baking oven",
]
WORDS = ["use", "short", "formal", "bullets", "citations", "humor", "examples", "simple"]


def rows_for(n: int, seed: int = 0) -> list[dict]:
    r = random.Random(seed)
    out = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        signal = " ".join(r.choice(WORDS) for _ in range(r.randint(2, 25)))
        for p in (1, 2):
            out.append(
                {
                    "item_id": f"q{i}",
                    "query": f"A question about {topic}",
                    "signal": signal,
                    "pass": p,
                    "verdict": r.choice(["A", "A", "B", "SAME", "N/A", "INVALID"]),
                }
            )
    return out


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 5000, (path, len(data))  # a drawn figure, not an empty canvas
    return data


def test_files_are_valid_and_the_summary_reads_back(tmp_path):
    rows = rows_for(40)
    rep = analysis.analyse(rows)
    paths = plots.write_report_files(rep, tmp_path / "out", title="exp")
    assert [p.name for p in paths] == list(plots.FILES)
    for p in paths[:3]:
        check_png(p)
    table = read_csv(tmp_path / "out" / "summary.csv")
    header, body = table[0], table[1:]
    assert tuple(header) == plots.SUMMARY_HEADER
    recs = [dict(zip(header, r, strict=True)) for r in body]
    sections = [r["section"] for r in recs]
    assert sections == ["overall"] + ["length"] * 4 + ["cluster"] * len(rep.clustering.clusters)
    overall = recs[0]
    assert overall["key"] == "all" and int(overall["judgments"]) == len(rows) == 80
    for v in ("A", "B", "SAME", "N/A", "INVALID"):
        assert int(overall[v]) == rep.counts[v]
    assert int(overall["decisive"]) == rep.win.n
    assert float(overall["a_win_rate"]) == pytest.approx(rep.win.rate, abs=1e-4)
    assert float(overall["ci_low"]) <= float(overall["a_win_rate"]) <= float(overall["ci_high"])
    assert [r["key"] for r in recs[1:5]] == ["0-5", "6-10", "11-20", "21+"]
    assert sum(int(r["judgments"]) for r in recs[1:5]) == len(rows)
    clusters = recs[5:]
    assert sum(int(r["pairs"]) for r in clusters) == 40
    assert all(r["top_terms"] for r in clusters)
    assert not list((tmp_path / "out").glob(".*.tmp"))  # no temporary file left behind


def test_same_judgments_same_files(tmp_path):
    rep = analysis.analyse(rows_for(25, seed=3))
    a = plots.write_report_files(rep, tmp_path / "a")
    b = plots.write_report_files(analysis.analyse(rows_for(25, seed=3)), tmp_path / "b")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


@pytest.mark.parametrize(
    "rows",
    [
        [],  # no judgments
        [{"item_id": "x", "query": "A river", "signal": "Be brief", "verdict": "A"}],  # 1 pair
        [  # fewer pairs than clusters
            {"item_id": "x", "query": "A river", "signal": "Be brief", "verdict": "A"},
            {"item_id": "y", "query": "A cat", "signal": "No jargon", "verdict": "B"},
        ],
        [  # empty vocabulary: only stop words
            {"item_id": "x", "query": "the a", "signal": "of it", "verdict": "SAME"},
            {"item_id": "y", "query": "and or", "signal": "to be", "verdict": "N/A"},
        ],
        [{"item_id": "x", "query": "q", "signal": "s", "verdict": "INVALID"}],  # no decisive
    ],
    ids=["empty", "one-pair", "few-pairs", "empty-vocabulary", "no-decisive"],
)
def test_small_sessions_draw(tmp_path, rows):
    rep = analysis.analyse(rows)
    paths = plots.write_report_files(rep, tmp_path)
    for p in paths[:3]:
        assert p.read_bytes()[:8] == PNG_MAGIC
    table = read_csv(paths[3])
    assert table[1][:3] == ["overall", "all", str(len(rows))]
    assert len(table) == 1 + 1 + 4 + len(rep.clustering.clusters)


def test_plot_data():
    rows = [
        {"item_id": "x", "query": "rivers", "signal": "Be brief", "verdict": "A"},
        {"item_id": "x", "query": "rivers", "signal": "Be brief", "verdict": "B"},  # pass 2
        {"item_id": "y", "query": "cats purr", "signal": "No jargon at all please", "verdict": "A"},
        {"item_id": "z", "query": "dogs bark", "signal": "Use a poem", "verdict": "SAME"},
    ]
    rep = analysis.analyse(rows, k=2)
    bars = plot_data.verdict_bars(rep)
    assert bars.labels == ["A", "B", "SAME", "N/A", "INVALID"] and bars.values == [2, 1, 1, 0, 0]
    lr = plot_data.length_rows(rep)
    assert [r.label for r in lr] == ["0-5", "6-10", "11-20", "21+"]
    assert lr[0].judgments == 4 and lr[0].decisive == 3
    assert lr[0].win_rate == pytest.approx(2 / 3) and lr[1].win_rate is None
    groups = {g.verdict: g for g in plot_data.scatter_groups(rep)}
    assert set(groups) == {"mixed", "A", "SAME"}  # x's two passes disagree
    assert groups["mixed"].signals == ["Be brief"]
    assert sum(len(g.xs) for g in groups.values()) == 3
    labels = plot_data.cluster_labels(rep)
    assert [lab.index for lab in labels] == [c.index for c in rep.clustering.clusters]
    assert all(lab.text.startswith(f"#{lab.index} ") for lab in labels)


def test_pair_verdict():
    assert plot_data.pair_verdict(["A"]) == "A"
    assert plot_data.pair_verdict(["B", "B"]) == "B"
    assert plot_data.pair_verdict(["A", "SAME"]) == plot_data.MIXED
    # two passes agreeing and a second judge disagreeing: a disagreement, not a majority
    assert plot_data.pair_verdict(["A", "A", "B"]) == plot_data.MIXED


def test_out_dir_that_is_a_file_is_one_line(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    with pytest.raises(ExportError) as ei:
        plots.write_report_files(analysis.analyse(rows_for(3)), f)
    assert "\n" not in ei.value.message and "--out" in ei.value.message
