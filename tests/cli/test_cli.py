"""The CLI as a user scripts it: exit codes, one-line errors, nothing stored lost."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from personaco_tui import __version__
from personaco_tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_version(capsys):
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and __version__ in out


def test_profile_and_signals_round_trip(capsys):
    assert run(capsys, "profile", "create", "work", "--use")[0] == 0
    rc, out, _ = run(capsys, "profile", "add-signal", "work", "No bullet lists")
    assert rc == 0
    sid = out.split("#")[1].split()[0]
    run(capsys, "profile", "add-signal", "work", "I have a PhD in epidemiology")
    rc, out, _ = run(capsys, "profile", "show", "work")
    assert "[x] #" + sid + "  No bullet lists" in out
    assert run(capsys, "profile", "toggle-signal", "work", sid)[0] == 0
    _, out, _ = run(capsys, "profile", "show", "work")
    assert "[ ] #" + sid in out
    assert run(capsys, "profile", "remove-signal", "work", sid)[0] == 0
    _, out, _ = run(capsys, "profile", "show", "work")
    assert "No bullet lists" not in out and "epidemiology" in out
    _, out, _ = run(capsys, "profile", "list")
    assert "* work  (1/1 signals on)" in out


def test_unknown_profile_is_one_clear_line(capsys):
    rc, out, err = run(capsys, "profile", "add-signal", "nobody", "x")
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "nobody" in lines[0] and "personaco profile create" in lines[0]


def test_empty_signal_is_refused(capsys):
    run(capsys, "profile", "create", "p")
    rc, _, err = run(capsys, "profile", "add-signal", "p", "   ")
    assert rc != 0 and len(err.strip().splitlines()) == 1


def test_config_set_persists_and_rejects_bad_values(capsys):
    assert run(capsys, "config", "set", "generation.k", "4")[0] == 0
    _, out, _ = run(capsys, "config", "show")
    assert "generation.k = 4" in out
    rc, _, err = run(capsys, "config", "set", "generation.k", "99")
    assert rc != 0 and "between 1 and 32" in err
    rc, _, err = run(capsys, "config", "set", "generation.nope", "1")
    assert rc != 0 and "Unknown setting" in err
    _, out, _ = run(capsys, "config", "show")
    assert "generation.k = 4" in out  # the bad value did not replace the good one


def test_models_list_shows_bundled_and_recommended(capsys):
    rc, out, _ = run(capsys, "models", "list")
    assert rc == 0
    lines = {
        line.split()[1] if line.startswith("*") else line.split()[0]: line
        for line in out.splitlines()
    }
    assert "smollm2-135m" in lines and lines["smollm2-135m"].startswith("*")
    assert "Q4_1" in lines["smollm2-135m"] and " yes " in lines["smollm2-135m"]
    assert "llama-3.2-1b" in lines and " no " in lines["llama-3.2-1b"]


def test_models_add_and_use_a_local_file(capsys, tmp_path, bundled_gguf):
    copy = tmp_path / "MyModel.gguf"
    copy.symlink_to(bundled_gguf)  # registering never copies or moves the file
    assert run(capsys, "models", "add", str(copy))[0] == 0
    assert run(capsys, "models", "use", "mymodel")[0] == 0
    _, out, _ = run(capsys, "models", "list")
    assert any(line.startswith("*") and "mymodel" in line for line in out.splitlines())


def test_models_add_refuses_a_text_file(capsys, tmp_path):
    fake = tmp_path / "notes.gguf"
    fake.write_text("hello, I am not a model")
    rc, _, err = run(capsys, "models", "add", str(fake))
    assert rc != 0 and "not a GGUF" in err and len(err.strip().splitlines()) == 1
    _, out, _ = run(capsys, "models", "list")
    assert "notes" not in out


def test_ask_answers_with_the_bundled_model_and_stores_the_turn(capsys):
    rc, out, _ = run(
        capsys,
        "ask",
        "Say hi",
        "--method",
        "baseline",
        "--max-tokens",
        "6",
        "--seed",
        "1",
        "--json",
        "--signal",
        "Be brief",
    )
    assert rc == 0
    data = json.loads(out)
    assert data["method"] == "baseline" and data["chosen"] == 0 and len(data["candidates"]) == 1
    assert data["response"] == data["candidates"][0] and data["seed"] == 1
    assert isinstance(data["id"], int)
    # the bundled model's measured sampling (models/smollm2-135m.toml), as the turn used it
    assert data["sampling"] == {"temperature": 0.7, "top_p": 1.0, "min_p": 0.1, "top_k": 40}


def test_ask_personaco_returns_the_matrix(capsys):
    rc, out, _ = run(
        capsys,
        "ask",
        "Name a colour",
        "--k",
        "2",
        "--max-tokens",
        "6",
        "--seed",
        "2",
        "--json",
        "--signal",
        "Be brief",
        "--signal",
        "Use lowercase",
    )
    assert rc == 0
    data = json.loads(out)
    assert len(data["candidates"]) == 2 and len(data["matrix"]) == 2
    assert all(len(row) == 2 for row in data["matrix"])


def test_ask_tells_what_steering_did_on_stderr_but_not_with_json(capsys):
    argv = ["ask", "Describe the sea in detail.", "--k", "2", "--max-tokens", "24", "--seed", "4"]
    argv += ["--signal", "Answer in fewer than 5 words."]
    argv += ["--signal", "Wrap your whole reply in double quotation marks."]
    rc, out, err = run(capsys, *argv)
    assert rc == 0 and out.strip()
    told = [line for line in err.splitlines() if line.startswith("personaco: steering: #")]
    assert any("closed early at the limit of at most 4 words" in line for line in told), err
    assert not any("(the opening)" in line for line in told)  # routine structure is not told
    rc, out, err = run(capsys, *argv, "--json")
    assert rc == 0 and "steering:" not in err
    assert any(e["kind"] == "closed" for e in json.loads(out)["steering"]["events"])


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_corrupt_database_is_refused_and_left_untouched(tmp_path):
    home = tmp_path / "h"
    db = home / "data" / "personaco.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(8192))
    before = _sha(db)
    proc = subprocess.run(
        [sys.executable, "-m", "personaco_tui", "--home", str(home), "profile", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "personaco.db" in proc.stderr
    assert _sha(db) == before


def test_missing_model_file_is_one_clear_line(capsys, tmp_path):
    rc, _, err = run(
        capsys, "ask", "hi", "--model", str(tmp_path / "gone.gguf"), "--max-tokens", "2"
    )
    assert rc != 0 and "gone.gguf" in err and len(err.strip().splitlines()) == 1


def test_doctor_reports_every_line_ok(capsys):
    rc, out, _ = run(capsys, "doctor")
    assert rc == 0, out
    for label in (
        "llama-cpp-python",
        "llama.cpp",
        "data dir",
        "database",
        "bundled model",
        "default model",
    ):
        assert label in out
    assert "All good." in out


def test_home_option_moves_everything(tmp_path, capsys):
    home = tmp_path / "elsewhere"
    assert run(capsys, "--home", str(home), "profile", "create", "x")[0] == 0
    assert (home / "data" / "personaco.db").exists()


@pytest.mark.parametrize("argv", [["--help"], ["profile", "--help"], ["models", "--help"]])
def test_help_works(capsys, argv):
    assert run(capsys, *argv)[0] == 0


def test_history_lists_shows_and_searches_with_odd_input(capsys):
    rc, out, _ = run(
        capsys,
        "ask",
        "Tell me about lighthouses",
        "--method",
        "baseline",
        "--max-tokens",
        "4",
        "--seed",
        "1",
    )
    assert rc == 0
    _, out, _ = run(capsys, "history", "list")
    cid = out.split()[0].lstrip("#")
    assert "Tell me about lighthouses" in out
    _, out, _ = run(capsys, "history", "show", cid)
    assert "[user]\nTell me about lighthouses" in out
    _, out, _ = run(capsys, "history", "search", "lighthouses")
    assert f"#{cid}" in out
    for odd in ['"', "*", "NEAR", "OR", "a AND (", "🙂"]:
        rc, out, _ = run(capsys, "history", "search", odd)
        assert rc == 0
