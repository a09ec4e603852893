"""`personaco eval` and `personaco export` end to end: the bundled model generates, a scripted
judge on 127.0.0.1 judges, the export reads back field for field, and the API key is never
written anywhere."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from personaco_tui.cli import main
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.plots import FILES as FIGURE_FILES
from personaco_tui.evaluation.plots import SUMMARY_HEADER
from personaco_tui.runtime import Runtime
from tests.evaluation.test_judge import error_reply
from tests.evaluation.test_judge_session import InFlight
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
    monkeypatch.chdir(tmp_path)  # `eval report` writes its figures under the current folder
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

    rc, out, err = run(capsys, "eval", "report", "exp1")
    assert rc == 0
    assert "A win rate" in out and "95% CI" in out and "sign test p" in out
    assert "By signal length" in out and "Clusters:" in out
    report_dir = tmp_path / "exp1-report"  # the documented default
    assert sorted(p.name for p in report_dir.iterdir()) == sorted(FIGURE_FILES)
    assert str(report_dir) in err
    rc, out, _ = run(capsys, "eval", "report", "exp1", "--json", "--no-files")
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
    files += [p for p in report_dir.iterdir()]
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


def create_with_outputs(capsys, tmp_path, name: str, items: list[dict]) -> None:
    """A session made by the CLI whose outputs are already stored (no generation needed)."""
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(it) + "\n" for it in items), encoding="utf-8")
    rc, _, err = run(
        capsys, "eval", "create", name, "--items", str(path), "--a", "baseline", "--b", "personaco"
    )
    assert rc == 0, err
    rt = Runtime.open()
    try:
        for it in S.get_session(rt.store, name).items:
            S.add_output(rt.store, it.id, "A", f"A river is water {it.key}")
            S.add_output(rt.store, it.id, "B", f"Well, a river, is water {it.key}")
    finally:
        rt.close()


ITEMS6 = [
    {"id": f"i{n}", "query": f"What is river {n}?", "signals": ["Please never use commas."]}
    for n in range(6)
]


def test_run_concurrency_option_shows_on_the_server(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    create_with_outputs(capsys, tmp_path, "conc", ITEMS6)
    server = InFlight(0.3)
    with scripted_server(server) as (url, seen):
        args = ("eval", "run", "conc", "--judge-base-url", url, "--judge-model", "jm")
        rc, _, err = run(capsys, *args, "--concurrency", "3")
    assert rc == 0, err
    assert "Generated 0 output(s)" in err and "Judged 6 pair(s)" in err
    assert len(seen) == 6 and server.max == 3


def test_run_401_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    create_with_outputs(capsys, tmp_path, "auth", ITEMS6)
    with scripted_server(lambda p, b: error_reply(401, f"bad key {SENTINEL}")) as (url, _):
        rc, _, err = run(
            capsys, "eval", "run", "auth", "--judge-base-url", url, "--judge-model", "m"
        )
    lines = err.strip().splitlines()
    assert rc != 0 and "401" in lines[-1] and SENTINEL not in err
    assert lines[-1].startswith("personaco: ")


def test_run_failed_requests_are_reported_and_retried(capsys, tmp_path, monkeypatch):
    create_with_outputs(capsys, tmp_path, "flaky", ITEMS6[:3])
    state = {"fail": True}

    def answer(path, body):
        return error_reply(503, "overloaded") if state["fail"] else alternating()(path, body)

    with scripted_server(answer) as (url, _):
        args = ("eval", "run", "flaky", "--judge-base-url", url, "--judge-model", "m")
        rc, _, err = run(capsys, *args, "--concurrency", "1")
        assert rc == 0, err
        assert "3 request(s) failed and were stored as INVALID" in err and "--retry-errors" in err
        state["fail"] = False
        rc, _, err = run(capsys, *args, "--retry-errors")
        assert rc == 0 and "Judged 3 pair(s)" in err
    rc, out, _ = run(capsys, "eval", "status", "flaky")
    assert "INVALID 0" in out


def test_verifiable_judge_and_report_files(capsys, tmp_path):
    items = [
        {
            "id": "r1",
            "query": "What is a river?",
            "signals": ["Please never use commas.", "Be kind."],
        },
        {"id": "r2", "query": "Say hi.", "signals": ["Keep answers under 10 words."]},
    ]
    create_with_outputs(capsys, tmp_path, "ver", items)
    out_dir = tmp_path / "figs"
    rc, out, err = run(capsys, "eval", "report", "ver", "--out", str(out_dir))
    assert rc == 0 and "no judgments yet" in err and not out_dir.exists()

    rc, _, err = run(capsys, "eval", "run", "ver", "--judge", "verifiable")
    assert rc == 0, err
    assert "Judged 3 pair(s) with ifeval" in err
    rt = Runtime.open()
    try:
        rows = S.judgment_rows(rt.store, "ver")
    finally:
        rt.close()
    got = {(r["item_id"], r["signal"]): (r["verdict"], r["judge_kind"]) for r in rows}
    assert got == {
        ("r1", "Please never use commas."): ("A", "verifiable"),
        ("r1", "Be kind."): ("N/A", "verifiable"),
        ("r2", "Keep answers under 10 words."): ("SAME", "verifiable"),
    }

    rc, out, err = run(capsys, "eval", "report", "ver", "--out", str(out_dir))
    assert rc == 0, err
    for name in FIGURE_FILES[:3]:
        data = (out_dir / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    with (out_dir / "summary.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert tuple(table[0]) == SUMMARY_HEADER
    overall = dict(zip(table[0], table[1], strict=True))
    assert (overall["section"], overall["judgments"], overall["A"], overall["N/A"]) == (
        "overall",
        "3",
        "1",
        "1",
    )


def test_verifiable_without_the_package_is_one_line(capsys, tmp_path, monkeypatch):
    import sys

    create_with_outputs(capsys, tmp_path, "nopkg", ITEMS6[:1])
    monkeypatch.setitem(sys.modules, "if_verifiable.ifeval", None)
    rc, _, err = run(capsys, "eval", "run", "nopkg", "--judge", "verifiable")
    lines = err.strip().splitlines()
    assert rc != 0 and len(lines) == 1
    assert "pip install 'personaco-tui[eval]'" in lines[0]


@pytest.mark.parametrize("which", [(), ("--items", "x.jsonl", "--queries", "y.txt")])
def test_create_needs_exactly_one_source(capsys, which):
    rc, _, err = run(capsys, "eval", "create", "e", *which, "--a", "baseline", "--b", "personaco")
    assert rc != 0 and "exactly one of --items" in err


def test_create_from_queries_with_the_real_model(capsys, tmp_path, monkeypatch, engine):
    open_ = Runtime.open.__func__

    def shared(cls, home=None, **_kw):
        return open_(cls, home, engine=engine)  # the session's loaded model, not a second one

    monkeypatch.setattr(Runtime, "open", classmethod(shared))
    queries = tmp_path / "queries.txt"
    queries.write_text("How do volcanoes form?\nWrite a poem about the sea.\n", encoding="utf-8")
    args = ["eval", "create", "gen", "--queries", str(queries), "--a", "baseline", "--b"]
    rc, out, err = run(
        capsys, *args, "personaco:k=2", "--signals-per-query", "2", "--signal-max-tokens", "40"
    )
    assert rc == 0, err
    assert "Created session 'gen'" in out
    rt = Runtime.open()
    try:
        items = S.get_session(rt.store, "gen").items
    finally:
        rt.close()
    assert items and all(1 <= len(it.signals) <= 2 for it in items)
    assert {it.key for it in items} <= {"q1", "q2"}
    assert len(items) + err.count("warning: skipped query") == 2
    # the name is taken now: refused before the model runs again
    rc, _, err = run(capsys, *args, "personaco", "--signal-max-tokens", "40")
    assert rc != 0 and "already exists" in err
