"""`personaco adherence --set` and `personaco style-bench --samples` on bad input: one clear
line that names the file (and line) and what to do, before any model loads; no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fake_engine import FakeEngine

from personaco_tui.benchmarks.adherence import DevItem, SetJudge, load_dev_set, run_adherence
from personaco_tui.benchmarks.style import load_samples
from personaco_tui.cli import main
from personaco_tui.errors import PersonacoError

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "writing_samples"
ROW = {"id": "a", "query": "What causes rain?", "signals": ["Use lowercase only."]}
ROW["checks"] = [{"instruction_id": "change_case:english_lowercase", "kwargs": {}}]


def _set(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_an_empty_set_holds_no_items(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    with pytest.raises(PersonacoError, match=f"{path} holds no items"):
        load_dev_set(path)


def test_a_set_that_is_not_utf8_says_so(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_bytes(b"\xff" + json.dumps(ROW).encode())
    with pytest.raises(PersonacoError, match="is not UTF-8 text"):
        load_dev_set(path)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ([1], "is a JSON array, not an object"),
        ("text", "is a JSON string, not an object"),
        (None, "is a JSON null, not an object"),
        ({**ROW, "query": 5}, '"query" that is not a non-empty string'),
        ({**ROW, "query": "  "}, '"query" that is not a non-empty string'),
        ({**ROW, "signals": "Use lowercase only."}, '"signals" that are not a list of strings'),
        ({**ROW, "signals": [1]}, '"signals" that are not a list of strings'),
        ({**ROW, "checks": "bad"}, '"checks" that are not a list of objects'),
        ({**ROW, "checks": ["bad"]}, '"checks" that are not a list of objects'),
        ({**ROW, "checks": []}, "1 signals but 0 checks"),
        ({**ROW, "checks": [{"kwargs": {}}]}, 'neither an "instruction_id" nor a "kind"'),
        ({**ROW, "checks": [{"kind": "x", "kwargs": [1]}]}, '"kwargs" is not an object'),
        ({**ROW, "answer": "(unclosed"}, '"answer" that is not a valid regex'),
        ({"id": "a", "query": "q"}, "has no 'signals', 'checks'"),
    ],
)
def test_a_bad_line_is_refused_with_its_number(tmp_path, line, says):
    path = _set(tmp_path, ROW, line)
    with pytest.raises(PersonacoError) as got:
        load_dev_set(path)
    assert got.value.what.startswith(f"{path}:2 ") and says in got.value.what
    assert "\n" not in got.value.message


def test_a_good_set_still_loads(tmp_path):
    (item,) = load_dev_set(_set(tmp_path, {**ROW, "id": 7, "answer": "rain"}))
    assert item == DevItem("7", ROW["query"], ROW["signals"], ROW["checks"], "rain")


def test_an_unknown_ifeval_check_is_refused_before_any_work():
    pytest.importorskip("if_verifiable")
    item = DevItem("a", "q", ["s"], [{"instruction_id": "no:such_check", "kwargs": {}}])
    with pytest.raises(PersonacoError, match="unknown IFEval instruction_id 'no:such_check'"):
        SetJudge([item])


def test_missing_nltk_data_is_named_with_how_to_get_it():
    nltk = pytest.importorskip("nltk")
    try:  # NLTK's own banner, for a resource nobody has
        nltk.data.find("tokenizers/personaco_no_such_data/english/")
    except LookupError as e:
        banner = e

    class MissingData:
        def passed(self, answer, check):
            raise banner

    judge = SetJudge([])
    judge._ifeval = MissingData()  # type: ignore[assignment]
    check = {"instruction_id": "length_constraints:number_sentences", "kwargs": {}}
    with pytest.raises(PersonacoError) as got:
        judge.passed("Some answer.", check)
    message = got.value.message
    assert "length_constraints:number_sentences" in message and "\n" not in message
    assert "python -m nltk.downloader personaco_no_such_data" in message


def test_a_set_of_answers_only_reports_without_dividing_by_zero():
    item = DevItem("g", "Capital of Spain?", [], [], "madrid")
    engine = FakeEngine(["Madrid."])
    report = run_adherence(engine, [item], {}, k=2, max_tokens=4).as_dict()
    assert report["signals"] == 0 and report["adherence"]["baseline"] is None
    assert report["correct"]["plain"] == 1.0


def test_the_cli_refuses_an_empty_set_in_one_line(tmp_path, capsys):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    err = _one_line_error(capsys, ["adherence", "--set", str(path), "--reflectors", "rules"])
    assert "holds no items" in err


@pytest.mark.parametrize("reflectors", [",", " , ", "rules,bogus"])
def test_the_cli_refuses_reflectors_it_does_not_know(tmp_path, capsys, reflectors):
    path = _set(tmp_path, ROW)
    err = _one_line_error(capsys, ["adherence", "--set", str(path), "--reflectors", reflectors])
    assert "auto, rules, persona" in err


def test_samples_that_are_not_utf8_name_the_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff" + (SAMPLES / "legal.txt").read_bytes())
    with pytest.raises(PersonacoError, match=r"a\.txt is not UTF-8 text"):
        load_samples(tmp_path)


def test_a_sample_too_short_names_the_file(tmp_path):
    (tmp_path / "short.txt").write_text("Hello.")
    with pytest.raises(PersonacoError, match=r"short\.txt: A writing sample needs at least 20"):
        load_samples(tmp_path)


def test_folders_among_the_samples_are_skipped(tmp_path):
    (tmp_path / "x.txt").mkdir()
    (tmp_path / "legal.txt").write_text((SAMPLES / "legal.txt").read_text("utf-8"), "utf-8")
    assert list(load_samples(tmp_path)) == ["legal"]


def test_a_samples_folder_that_does_not_exist_says_so(tmp_path, capsys):
    missing = tmp_path / "nope"
    err = _one_line_error(capsys, ["style-bench", "--samples", str(missing)])
    assert f"{missing} does not exist" in err
    (tmp_path / "file.txt").write_text("x")
    err = _one_line_error(capsys, ["style-bench", "--samples", str(tmp_path / "file.txt")])
    assert "is not a folder" in err
