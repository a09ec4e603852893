"""`personaco eval` and `personaco export` end to end: the bundled model generates, a scripted
judge on 127.0.0.1 judges, the export reads back field for field, and the API key is never
written anywhere."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from personaco_tui.cli import main
from tests.evaluation.test_runner import alternating
from tests.support.servers import scripted_server

SENTINEL = "sk-SENTINEL-eval-cli-0987654321"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def write_items(path: Path) -> Path:
    items = [
        {"id": "q1", "query": "Name a fruit.", "signals": ["Answer in one word"]},
        {"id": "q2", "query": "Say hi.", "signals": ["=Be formal", "Mention the weather today"]},
    ]
    path.write_text("".join(json.dumps(it) + "\n" for it in items), encoding="utf-8")
    return path


def test_eval_end_to_end_and_the_key_is_never_written(capsys, tmp_path, monkeypatch, isolated_home):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    items = write_items(tmp_path / "items.jsonl")
    rc, out, err = run(
        capsys,
        "eval",
        "create",
        "exp1",
        "--items",
        str(items),
        "--a",
        "baseline:max_tokens=4,seed=0",
        "--b",
        "personaco:k=2,max_tokens=6,seed=0,reflector=rules",
    )
    assert rc == 0, err
    assert "2 items" in out

    with scripted_server(alternating()) as (url, requests):
        args = ("eval", "run", "exp1", "--judge-base-url", url, "--judge-model", "jm")
        rc, _, err = run(capsys, *args, "--passes", "2")
        assert rc == 0, err
        assert "Generated 4 output(s)" in err and "Judged 6 pair(s)" in err
        assert len(requests) == 6
        assert all(r["_headers"]["authorization"] == f"Bearer {SENTINEL}" for r in requests)
        rc, _, err = run(capsys, *args, "--passes", "2")  # resume: nothing left to do
        assert rc == 0, err
        assert "Generated 0 output(s)" in err and "Judged 0 pair(s)" in err
        assert len(requests) == 6

    rc, out, _ = run(capsys, "eval", "status", "exp1")
    assert rc == 0
    assert "Items: 2 (3 signals)" in out
    assert "Outputs A: 2/2" in out and "Outputs B: 2/2" in out
    assert "Judgments: 6" in out and "INVALID 0" in out

    rc, out, _ = run(capsys, "eval", "report", "exp1")
    assert rc == 0
    assert "A win rate" in out and "95% CI" in out and "sign test p" in out
    assert "By signal length" in out and "Clusters:" in out
    rc, out, _ = run(capsys, "eval", "report", "exp1", "--json")
    data = json.loads(out)
    assert data["judgments"] == 6 and sum(data["counts"].values()) == 6
    assert data["win"]["wins_a"] + data["win"]["wins_b"] == 6

    csv_path, jsonl_path = tmp_path / "out.csv", tmp_path / "out.jsonl"
    rc, _, err = run(capsys, "export", "exp1", "--csv", str(csv_path), "--jsonl", str(jsonl_path))
    assert rc == 0, err
    jrows = [json.loads(line) for line in jsonl_path.read_text(encoding="utf-8").splitlines()]
    with csv_path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    assert header[:4] == ["session", "item_id", "query", "signal"]
    assert len(body) == len(jrows) == 6
    for cells, j in zip(body, jrows, strict=True):
        row = dict(zip(header, cells, strict=True))
        assert row["session"] == "exp1"
        assert row["item_id"] == j["item_id"]
        assert row["verdict"] == j["verdict"] and row["order_shown"] == j["order_shown"]
        assert row["pass"] == str(j["pass"]) and row["judge_model"] == "jm"
        assert row["response_a"].lstrip("'") == j["response_a"]
        want_signal = j["signal"]
        assert row["signal"] == ("'" + want_signal if want_signal.startswith("=") else want_signal)
        assert json.loads(row["config_b"])["k"] == 2

    # the key was sent to the judge, yet stored nowhere
    needle = SENTINEL.encode()
    files = [p for p in isolated_home.rglob("*") if p.is_file()] + [csv_path, jsonl_path]
    assert any(p.suffix in (".db", ".sqlite", ".sqlite3") or "db" in p.name for p in files)
    for p in files:
        assert needle not in p.read_bytes(), p


def test_unknown_session_is_one_line(capsys, tmp_path):
    for argv in (
        ("eval", "status", "nope"),
        ("eval", "report", "nope"),
        ("eval", "run", "nope"),
        ("export", "nope", "--csv", str(tmp_path / "x.csv")),
    ):
        rc, _, err = run(capsys, *argv)
        lines = err.strip().splitlines()
        assert rc != 0 and len(lines) == 1 and "nope" in lines[0], (argv, err)
    assert not (tmp_path / "x.csv").exists()


def test_config_with_unknown_key_is_one_line(capsys, tmp_path):
    items = write_items(tmp_path / "items.jsonl")
    rc, _, err = run(
        capsys,
        "eval",
        "create",
        "e",
        "--items",
        str(items),
        "--a",
        "baseline",
        "--b",
        "personaco:kay=3",
    )
    lines = err.strip().splitlines()
    assert rc != 0 and len(lines) == 1 and "'kay'" in lines[0]
    rc, _, err = run(capsys, "eval", "status", "e")
    assert rc != 0  # nothing was created


def test_bad_items_file_creates_nothing(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "query": "q", "signals": ["s"]}\nnot json\n', encoding="utf-8")
    rc, _, err = run(
        capsys, "eval", "create", "e", "--items", str(bad), "--a", "baseline", "--b", "personaco"
    )
    assert rc != 0 and len(err.strip().splitlines()) == 1 and "line 2" in err
    assert run(capsys, "eval", "status", "e")[0] != 0
