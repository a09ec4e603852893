"""`personaco bench-masks` run tiny on the bundled model's real vocabulary: the report's
shape, and what each enforcer accepts of the replayed answers and probes (no timings are
asserted: speed is read from the ratios of one run)."""

from __future__ import annotations

import json
import sys

import pytest

from personaco_tui.benchmarks import masks
from personaco_tui.cli import main

KINDS = ["no_commas", "lowercase", "no_lists", "json", "closing_phrase", "postscript"]


@pytest.fixture(scope="module")
def report(engine) -> dict:
    return masks.run_masks(engine, steps=2).as_dict()


def _kind(report: dict, name: str) -> dict:
    return next(k for k in report["kinds"] if k["kind"] == name)


def _probe(report: dict, kind: str, what: str) -> dict:
    return next(p for p in _kind(report, kind)["probes"] if p["probe"] == what)


def test_every_kind_is_measured_by_all_three_with_ratios(report):
    assert report["n_vocab"] == 49152 and report["k"] == 8 and report["steps"] == 2
    assert [k["kind"] for k in report["kinds"]] == KINDS
    assert report["vocab_setup_ms"]["own"] > 0 and report["vocab_setup_ms"]["llguidance"] > 0
    for k in report["kinds"]:
        assert set(k["step_ms"]) >= {"own", "llguidance", "grammar", "grammar_check"}
        assert all(v > 0 for v in k["step_ms"].values()), k["kind"]
        assert set(k["setup_ms"]) == {"own", "llguidance", "grammar"}
        for name, ratio in k["ratios"].items():
            assert isinstance(ratio, float) and ratio > 0, (k["kind"], name)
    assert set(report["cannot_express"]) == {"own", "llguidance", "grammar"}


def test_answers_that_keep_the_constraint_are_accepted_by_every_enforcer(report):
    for k in report["kinds"]:
        assert k["replays"] == 8 and k["tokens"] > 8 * 20
        for method in ("own", "llguidance", "grammar"):
            assert k["accepted"][method] == 8, (k["kind"], method, k["not_accepted"][method])


def test_gbnf_read_by_llguidance_never_ends_a_body_followed_by_a_phrase(report):
    # its lexemes are greedy: `char* "phrase"` as Lark eats the phrase into the body
    for name in ("closing_phrase", "postscript"):
        k = _kind(report, name)
        assert k["accepted"]["llguidance_gbnf"] == 0
        assert k["not_accepted"]["llguidance_gbnf"] == ["cannot end there"]


def test_probes_show_where_the_enforcers_part(report):
    comma = _probe(report, "no_commas", "a comma")
    assert comma["rule"] is False
    assert all(comma[m].startswith("rejects") for m in ("own", "llguidance", "grammar"))
    capital = _probe(report, "lowercase", "an ASCII capital")
    assert capital["own"].startswith("re-cases")  # the own masks keep the model's word
    assert capital["llguidance"].startswith("rejects") and capital["grammar"].startswith("rejects")
    accent = _probe(report, "lowercase", "a non-ASCII capital")
    assert accent["rule"] is False and accent["llguidance"].startswith("rejects")
    assert accent["grammar"] == "accepts"  # gbnf.py bans A-Z only
    second = _probe(report, "json", "a second key")
    assert second["rule"] is True and second["own"].startswith("rejects")
    assert second["llguidance"] == second["grammar"] == "accepts"
    missing = _probe(report, "closing_phrase", "the phrase missing")
    assert missing["rule"] is False and missing["own"].startswith("adds")
    assert missing["llguidance"] == missing["grammar"] == "cannot end there"


def test_the_cli_prints_the_report_as_json(report, capsys, monkeypatch):
    seen = {}

    def fake(engine, steps, log=None):
        seen["steps"] = steps

        class R:
            def as_dict(self):
                return report

        return R()

    monkeypatch.setattr(masks, "run_masks", fake)
    assert main(["bench-masks", "--steps", "3", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["kinds"][0]["kind"] == "no_commas" and seen["steps"] == 3
    assert main(["bench-masks", "--steps", "2"]) == 0
    text = capsys.readouterr().out
    assert "llg/own" in text and "cannot express:" in text


def test_without_llguidance_the_command_says_so_in_one_line(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "llguidance", None)
    assert main(["bench-masks", "--steps", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "llguidance" in err and "pip install" in err
