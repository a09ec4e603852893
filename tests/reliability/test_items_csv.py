"""`eval create --items file.csv`: README says items may be CSV, but only `--queries` read CSV
and an items CSV failed with "Expecting value: line 1 column 1". Signals in a cell are a JSON
list, or one per line, or separated by |."""

from __future__ import annotations

import csv
from pathlib import Path

from personaco_tui.cli import main
from personaco_tui.evaluation import sessions as S
from personaco_tui.runtime import Runtime


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_eval_create_reads_items_from_csv(capsys, tmp_path: Path) -> None:
    items = _write(
        tmp_path / "items.csv",
        [
            ["ID", "Query", "Signals"],
            ["q1", "Name a fruit, please.", '["Answer in one word", "Use | freely"]'],
            ["q2", "Say hi.", "Be formal\nMention the weather"],
            ["", "Count to three.", "Use digits | Be brief"],
        ],
    )
    rc, _, err = run(
        capsys, "eval", "create", "c", "--items", str(items), "--a", "baseline", "--b", "personaco"
    )
    assert rc == 0, err
    rt = Runtime.open()
    try:
        got = [(it.key, it.query, it.signals) for it in S.get_session(rt.store, "c").items]
    finally:
        rt.close()
    assert got == [
        ("q1", "Name a fruit, please.", ["Answer in one word", "Use | freely"]),
        ("q2", "Say hi.", ["Be formal", "Mention the weather"]),
        ("q3", "Count to three.", ["Use digits", "Be brief"]),
    ]


def test_a_bad_items_csv_is_one_line_and_creates_nothing(capsys, tmp_path: Path) -> None:
    cases = {
        "nosignals.csv": ([["id", "query"], ["q1", "Hi"]], "'signals'"),
        "empty_cell.csv": ([["id", "query", "signals"], ["q1", "Hi", " | "]], "line 2"),
        "badjson.csv": ([["id", "query", "signals"], ["q1", "Hi", '["a", 3]']], "JSON list"),
        "dupes.csv": ([["id", "query", "signals"], ["a", "Hi", "x"], ["a", "Yo", "y"]], "repeats"),
    }
    for name, (rows, words) in cases.items():
        path = _write(tmp_path / name, rows)
        rc, _, err = run(
            capsys,
            "eval",
            "create",
            "e",
            "--items",
            str(path),
            "--a",
            "baseline",
            "--b",
            "personaco",
        )
        lines = err.strip().splitlines()
        assert rc != 0 and len(lines) == 1 and words in lines[0], (name, err)
        assert "Expecting value" not in err
    assert run(capsys, "eval", "status", "e")[0] != 0
