"""`personaco adherence --set`: any shared set's format, judged by the checks file the user
names for persona checks, with each reflector's AUC and correctness against a plain answer;
logic on the deterministic fake engine, the CLI's refusals as one clear line."""

from __future__ import annotations

import json

import pytest
from support.fake_engine import LikesWord

from personaco_tui.benchmarks.adherence import (
    DevItem,
    SetJudge,
    auc_pairs,
    load_dev_set,
    run_adherence,
)
from personaco_tui.cli import main
from personaco_tui.core.reflectors.persona import PersonaReflector
from personaco_tui.errors import PersonacoError

CHECKS = "def check(c, text):\n    return c['kind'] == 'no_meat' and 'steak' not in text\n"
ITEM = DevItem("p-1", "Suggest a dinner.", ["I'm vegetarian."], [{"kind": "no_meat"}], "beans")


def test_auc_counts_passing_above_failing_and_ties_as_half():
    assert auc_pairs([0.9, 0.1, 0.5], [True, False, False]) == (2.0, 2)
    assert auc_pairs([0.5, 0.5], [True, False]) == (0.5, 1)
    assert auc_pairs([None, 0.2], [True, False]) == (1.0, 1)
    assert auc_pairs([0.3, 0.2], [True, True]) == (0.0, 0)


def test_a_persona_set_is_judged_by_the_named_checks_file(tmp_path):
    checks = tmp_path / "checks.py"
    checks.write_text(CHECKS)
    engine = LikesWord(["Grill steak tonight.", "Cook beans and rice, quick and vegetarian."])
    report = run_adherence(
        engine,
        [ITEM],
        {"persona": PersonaReflector(engine)},
        k=2,
        max_tokens=16,
        checkers=SetJudge([ITEM], checks),
    ).as_dict()
    assert report["adherence"]["persona"] == 1.0 == report["adherence"]["oracle"]
    assert report["auc"] == {"persona": 1.0}
    # the plain answer (no signals) and each pick are checked against the answer regex
    assert set(report["correct"]) == {"plain", "baseline", "persona"}
    assert report["correct"]["persona"] == 1.0


def test_persona_checks_without_a_checks_file_are_refused():
    with pytest.raises(PersonacoError, match="need a checks file"):
        SetJudge([ITEM], None)


def test_a_checks_file_without_check_is_refused(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n")
    with pytest.raises(PersonacoError, match="no check"):
        SetJudge([ITEM], bad)


def test_sets_with_answers_load_them(tmp_path):
    path = tmp_path / "set.jsonl"
    row = {"id": "g", "query": "Capital of Spain?", "answer": "madrid", "signals": [], "checks": []}
    path.write_text(json.dumps(row) + "\n")
    (item,) = load_dev_set(path)
    assert item.answer == "madrid"


def test_the_cli_says_what_is_missing_in_one_line(tmp_path, capsys):
    path = tmp_path / "persona.jsonl"
    row = {"id": "p", "query": "Dinner?", "signals": ["I'm vegetarian."], "checks": [{"kind": "x"}]}
    path.write_text(json.dumps(row) + "\n")
    assert main(["adherence", "--set", str(path)]) != 0
    err = capsys.readouterr().err
    assert "need a checks file" in err and "Traceback" not in err
