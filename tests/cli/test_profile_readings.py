"""`profile add-signal --check KIND --param k=v | --judge-by-model`, `profile set-reading`,
`profile show --json`, `signal kinds` and the conflict warnings, as a user scripts them."""

from __future__ import annotations

import json

from personaco_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _signals(capsys) -> list[dict]:
    rc, out, _ = run(capsys, "profile", "show", "work", "--json")
    assert rc == 0
    return json.loads(out)["signals"]


def test_a_chosen_check_round_trips_through_show(capsys) -> None:
    run(capsys, "profile", "create", "work", "--use")
    rc, out, err = run(
        capsys,
        "profile", "add-signal", "work", "Keep it tight.",
        "--check", "word_count", "--param", "relation=<", "--param", "n=40",
    )  # fmt: skip
    assert rc == 0 and "Added signal #" in out and err == ""
    run(capsys, "profile", "add-signal", "work", "No bullet lists", "--judge-by-model")
    run(capsys, "profile", "add-signal", "work", "Never use commas")
    tight, model, auto = _signals(capsys)
    assert tight["reading"] == {"kind": "word_count", "params": {"n": 40, "relation": "<"}}
    assert tight["checks"] == [{"kind": "word_count", "description": "fewer than 40 words"}]
    assert tight["source"] == "user"
    assert model["reading"] == {"kind": "model"} and model["checkable"] is False
    assert auto["reading"] is None and auto["source"] == "rules"
    _, out, _ = run(capsys, "profile", "show", "work")
    assert f"#{tight['id']}  Keep it tight.  (reading: word_count n=40 relation=<)" in out
    assert "(reading: judged by the model)" in out


def test_set_reading_changes_and_clears_it(capsys) -> None:
    run(capsys, "profile", "create", "work")
    run(capsys, "profile", "add-signal", "work", "Commas annoy me.")
    sid = str(_signals(capsys)[0]["id"])
    rc, out, _ = run(capsys, "profile", "set-reading", "work", sid, "--check", "no_commas")
    assert rc == 0 and "no_commas" in out
    assert _signals(capsys)[0]["reading"] == {"kind": "no_commas", "params": {}}
    assert run(capsys, "profile", "set-reading", "work", sid, "--judge-by-model")[0] == 0
    assert _signals(capsys)[0]["reading"] == {"kind": "model"}
    rc, out, _ = run(capsys, "profile", "set-reading", "work", sid, "--auto")
    assert rc == 0 and "automatic" in out and _signals(capsys)[0]["reading"] is None


def _one_line_error(capsys, *argv: str) -> str:
    rc, _, err = run(capsys, *argv)
    lines = err.strip().splitlines()
    assert rc != 0 and len(lines) == 1, err
    return lines[0]


def test_bad_kinds_and_params_are_one_line_naming_what_is_allowed(capsys) -> None:
    run(capsys, "profile", "create", "work")
    add = ("profile", "add-signal", "work", "x")
    assert "no_commas" in _one_line_error(capsys, *add, "--check", "no_comas")
    line = _one_line_error(capsys, *add, "--check", "word_count", "--param", "n=lots")
    assert "'n'" in line and "whole number" in line
    assert "name=value" in _one_line_error(capsys, *add, "--check", "word_count", "--param", "40")
    line = _one_line_error(capsys, *add, "--check", "language", "--param", "lang=xx")
    assert "en, es" in line
    assert "not both" in _one_line_error(capsys, *add, "--check", "json", "--judge-by-model")
    run(capsys, "profile", "add-signal", "work", "y")
    sid = str(_signals(capsys)[0]["id"])
    assert "exactly one" in _one_line_error(capsys, "profile", "set-reading", "work", sid)
    assert len(_signals(capsys)) == 1  # none of the refused ones was added


def test_adding_or_switching_on_a_conflicting_signal_warns_once(capsys) -> None:
    run(capsys, "profile", "create", "work")
    run(capsys, "profile", "add-signal", "work", "Keep it under 40 words.")
    rc, _, err = run(capsys, "profile", "add-signal", "work", "Be warm.")
    assert rc == 0 and err == ""
    rc, out, err = run(capsys, "profile", "add-signal", "work", "Write at least 300 words.")
    assert rc == 0 and "Added" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "under 40 words" in lines[0] and "at least 300" in lines[0]
    long_id = str(_signals(capsys)[2]["id"])
    _, _, err = run(capsys, "profile", "toggle-signal", "work", long_id)
    assert err == ""  # switched off: nothing to warn about
    _, _, err = run(capsys, "profile", "toggle-signal", "work", long_id)
    assert "conflicts with" in err and len(err.strip().splitlines()) == 1


def test_signal_kinds_lists_what_may_be_chosen(capsys) -> None:
    rc, out, _ = run(capsys, "signal", "kinds")
    assert rc == 0 and "no_commas" in out and "word_count" in out and "judge-by-model" in out
    rc, out, _ = run(capsys, "signal", "kinds", "--json")
    data = json.loads(out)
    assert [p["name"] for p in data["word_count"]["params"]] == ["relation", "n", "m"]
    assert data["language"]["params"][0]["choices"][:2] == ["en", "es"]
