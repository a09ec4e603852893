"""CSV/JSONL export: round-trips, formula neutralisation, atomic writes, unicode."""

from __future__ import annotations

import csv
import json

import pytest

from personaco_tui.evaluation.export import COLUMNS, ExportError, write_csv, write_jsonl


def row(**kw):
    base = {
        "session": "s1",
        "item_id": 7,
        "query": "What is 2+2?",
        "signal": "I prefer rhymes.",
        "config_a": '{"method": "personaco"}',
        "config_b": '{"method": "baseline"}',
        "response_a": "four",
        "response_b": "4",
        "order_shown": "AB",
        "pass": 1,
        "verdict": "A",
        "judge_kind": "external",
        "judge_model": "gpt-4o",
        "raw": "A",
        "created_at": "2025-01-01T00:00:00.000Z",
    }
    base.update(kw)
    return base


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_csv_round_trips_field_by_field(tmp_path):
    tricky = 'comma, "quotes" and\nnewlines\r\nand\ttabs inside'
    rows = [row(), row(item_id=8, query=tricky, response_a="a,b", response_b='say "hi"')]
    out = write_csv(rows, tmp_path / "out.csv")
    got = read_csv(out)
    assert got[0] == list(COLUMNS)
    assert len(got) == 3
    assert got[1] == [str(rows[0][c]) for c in COLUMNS]
    assert got[2][COLUMNS.index("query")] == tricky
    assert got[2][COLUMNS.index("response_a")] == "a,b"
    assert got[2][COLUMNS.index("response_b")] == 'say "hi"'


def test_missing_keys_are_empty_and_unknown_keys_refused(tmp_path):
    got = read_csv(write_csv([{"session": "s", "raw": None}], tmp_path / "a.csv"))
    assert got[1][0] == "s" and got[1][1:] == [""] * (len(COLUMNS) - 1)
    with pytest.raises(ValueError, match="bogus"):
        write_csv([{"bogus": 1}], tmp_path / "b.csv")
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(tmp_path, start):
    value = f'{start}HYPERLINK("http://evil")'
    got = read_csv(write_csv([row(response_a=value)], tmp_path / "f.csv"))
    assert got[1][COLUMNS.index("response_a")] == "'" + value


def test_numbers_and_plain_text_are_not_neutralised(tmp_path):
    got = read_csv(write_csv([row(item_id=-3, raw="A = B")], tmp_path / "n.csv"))
    assert got[1][COLUMNS.index("item_id")] == "-3"
    assert got[1][COLUMNS.index("raw")] == "A = B"


def test_jsonl_keeps_values_exactly(tmp_path):
    rows = [row(response_a="=SUM(A1)", raw="nul\x00here", query="line\nbreak")]
    out = write_jsonl(rows, tmp_path / "out.jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert list(obj) == list(COLUMNS)
    assert obj == rows[0]


class Boom:
    def __str__(self):
        raise RuntimeError("boom")


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_failure_mid_write_leaves_no_partial_file(tmp_path, writer):
    target = tmp_path / "out.file"
    rows = [row(), row(), row(raw=Boom())]
    with pytest.raises(RuntimeError, match="boom"):
        writer(rows, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone too


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_failure_keeps_the_previous_file(tmp_path, writer):
    target = tmp_path / "out.file"
    writer([row(raw="old")], target)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        writer([row(raw=Boom())], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.file"]


def test_unicode_round_trips(tmp_path):
    text = "emoji 😀👩‍💻, RTL שלום עולם مرحبا, accents é ñ, CJK 你好"
    got = read_csv(write_csv([row(response_b=text)], tmp_path / "u.csv"))
    assert got[1][COLUMNS.index("response_b")] == text
    obj = json.loads(write_jsonl([row(response_b=text)], tmp_path / "u.jsonl").read_text("utf-8"))
    assert obj["response_b"] == text


def test_nul_is_replaced_in_csv(tmp_path):
    got = read_csv(write_csv([row(raw="a\x00b")], tmp_path / "nul.csv"))
    assert got[1][COLUMNS.index("raw")] == "a\ufffdb"


def test_lone_surrogate_is_a_clear_error_and_writes_nothing(tmp_path):
    with pytest.raises(ExportError, match="invalid unicode"):
        write_csv([row(raw="bad \ud800")], tmp_path / "s.csv")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="Cannot write"):
        write_csv([row()], tmp_path / "nope" / "x.csv")
