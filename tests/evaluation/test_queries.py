"""Reading a file of queries alone: JSONL, CSV and plain text; bad files fail as one line."""

from __future__ import annotations

import csv
import json

import pytest

from personaco_tui.errors import PersonacoError
from personaco_tui.evaluation.queries import read_queries


def test_jsonl(tmp_path):
    p = tmp_path / "q.jsonl"
    lines = [
        {"id": "a", "query": "What is a river?"},
        {"query": "Say hi."},
        {"id": 7, "query": "x"},
    ]
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    assert read_queries(p) == [("a", "What is a river?"), ("q2", "Say hi."), ("7", "x")]


def test_jsonl_detected_without_the_suffix(tmp_path):
    p = tmp_path / "queries"
    p.write_text('{"id": "a", "query": "Q?", "signals": ["ignored"]}\n', encoding="utf-8")
    assert read_queries(p) == [("a", "Q?")]


def test_csv_with_quoting_bom_and_any_header_case(tmp_path):
    p = tmp_path / "q.csv"
    with p.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ID", "Query", "note"])
        w.writerow(["r1", 'Commas, "quotes"\nand a newline', "n"])
        w.writerow(["", "No id here", ""])
        w.writerow(["", "", ""])
    assert read_queries(p) == [("r1", 'Commas, "quotes"\nand a newline'), ("q2", "No id here")]


def test_csv_without_id_column(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("query\nFirst?\nSecond?\n", encoding="utf-8")
    assert read_queries(p) == [("q1", "First?"), ("q2", "Second?")]


def test_plain_text(tmp_path):
    p = tmp_path / "q.txt"
    p.write_text("What is a river?\n\n  Say hi.  \n", encoding="utf-8")
    assert read_queries(p) == [("q1", "What is a river?"), ("q2", "Say hi.")]


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("q.jsonl", '{"id": "a", "query": "ok"}\nnot json\n', "line 2"),
        ("q.jsonl", '{"id": "a"}\n', '"query"'),
        ("q.jsonl", '{"id": "q7", "query": "x"}\n{"id": "q7", "query": "y"}\n', "the id(s) q7."),
        ("q.csv", "id,text\n1,hello\n", '"query" column'),
        ("q.csv", "id,query\n1,\n", "empty query"),
        ("q.txt", "\n\n", "no queries"),
    ],
)
def test_bad_files_are_one_line(tmp_path, name, text, needle):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PersonacoError) as ei:
        read_queries(p)
    assert needle in ei.value.message and "\n" not in ei.value.message


def test_unreadable_files(tmp_path):
    with pytest.raises(PersonacoError, match="Cannot read"):
        read_queries(tmp_path / "missing.txt")
    p = tmp_path / "latin1.txt"
    p.write_bytes("caf\xe9?\n".encode("latin-1"))
    with pytest.raises(PersonacoError, match="UTF-8"):
        read_queries(p)
