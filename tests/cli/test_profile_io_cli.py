"""`personaco profile export` / `profile import`: a profile with everything it learned goes to
one JSON file and comes back as a new profile; an existing file or name is never replaced
without being asked, and a bad file is one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.choices import LONG, SHORT, store_picks, store_rating

from personaco_tui import learning, profile_file
from personaco_tui.cli import main
from personaco_tui.core.signals import make_reading
from personaco_tui.errors import PersonacoError
from personaco_tui.locations import resolve
from personaco_tui.store import preferences as PR
from personaco_tui.store import profiles as P
from personaco_tui.store import suggestions as S
from personaco_tui.store.db import Store

TABLES = ("profiles", "signals", "signal_suggestions", "imported_choices", "learned_preferences")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _store() -> Store:
    return Store.open(resolve().ensure())


def _fill_work() -> None:
    """Profile work: four signals (one off with a weight, one with a corrected reading),
    six picks of the short answer with reflection cells, one A/B rating, and suggestions
    in each state."""
    with _store() as s:
        p = P.create_profile(s, "work")
        P.add_signal(s, p.id, "Be brief.")
        P.add_signal(s, p.id, "I'm a geologist 🌋.", weight=0.5, enabled=False)
        P.add_signal(s, p.id, "Skip commas.", reading=make_reading("no_commas"))
        store_picks(s, p.id, 6, signals=("Be brief.",))
        store_rating(s, p.id)
        S.add_suggestion(s, p.id, "I live in Germany.", "message", "I live in Germany, so")
        gone = S.add_suggestion(s, p.id, "I'm on my phone.", "message", "on my phone")
        S.dismiss_suggestion(s, gone.id)  # type: ignore[union-attr]
        kept = S.add_suggestion(s, p.id, "Answer in English.", "message", "in English")
        S.accept_suggestion(s, kept.id)  # type: ignore[union-attr]


def _state() -> dict[str, list]:
    with _store() as s:
        return {t: sorted(map(str, s.db[t].rows)) for t in TABLES}


def _signals(s: Store, name: str) -> list[tuple]:
    p = P.get_profile(s, name)
    return [(x.text, x.enabled, x.weight, x.reading) for x in P.list_signals(s, p.id)]


def _suggestions(s: Store, name: str) -> list[tuple]:
    p = P.get_profile(s, name)
    return [(x.text, x.status, x.source, x.evidence) for x in S.list_suggestions(s, p.id, None)]


def test_export_then_import_round_trips_everything_learned(capsys, tmp_path: Path) -> None:
    _fill_work()
    out_file = tmp_path / "work.json"
    rc, out, err = run(capsys, "profile", "export", "work", "-o", str(out_file))
    assert rc == 0 and err == "" and "Wrote profile work" in out
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"], doc["profile"]) == ("personaco-profile", 1, "work")
    assert doc["learned"]["n_choices"] == 7 and "shorter answers" in doc["learned"]["summary"]
    picks = [c for c in doc["choices"] if c["kind"] == "pick"]
    (rating,) = [c for c in doc["choices"] if c["kind"] == "rating"]
    assert len(picks) == 6 and picks[0]["candidates"][1] == SHORT
    assert (picks[0]["chosen"], picks[0]["shown"], picks[0]["cells"][2]) == (1, 0, [0.5])
    assert (rating["chosen_text"], rating["other_text"]) == (SHORT, LONG)
    assert "api_key" not in out_file.read_text() and "generation" not in doc  # no config
    rc, stdout_doc, _ = run(capsys, "profile", "export", "work")  # stdout: the same document
    assert rc == 0 and {**json.loads(stdout_doc), "exported_at": 0} == {**doc, "exported_at": 0}

    rc, out, err = run(capsys, "profile", "import", str(out_file), "--name", "Work 2 ✈")
    assert rc == 0, err
    assert "Imported profile Work 2 ✈: 4 signals, 3 suggestions, what it learned from 7" in out
    with _store() as s:
        assert _signals(s, "Work 2 ✈") == _signals(s, "work")
        assert _suggestions(s, "Work 2 ✈") == _suggestions(s, "work")
        new, old = P.get_profile(s, "Work 2 ✈"), P.get_profile(s, "work")
        accepted = [x for x in S.list_suggestions(s, new.id, None) if x.status == "accepted"]
        assert P.get_signal(s, accepted[0].signal_id).profile_id == new.id  # type: ignore[arg-type]
        assert PR.get_learned(s, new.id).model == PR.get_learned(s, old.id).model
        assert learning.current(s, new.id).to_json() == doc["learned"]["model"]  # type: ignore[union-attr]
        assert learning.for_turn(s, new.id, "learned") is not None  # used in the pick at once
    _, again, _ = run(capsys, "profile", "export", "Work 2 ✈")
    assert json.loads(again)["choices"] == doc["choices"]  # refittable elsewhere, unchanged
    _, shown, _ = run(capsys, "profile", "learned", "Work 2 ✈")
    assert doc["learned"]["summary"] in shown
    rc, out, _ = run(capsys, "profile", "learned", "Work 2 ✈", "--reset")
    assert rc == 0 and "from 7 choices" in out
    with _store() as s:
        new = P.get_profile(s, "Work 2 ✈")
        assert PR.list_imported(s, new.id) == [] and learning.current(s, new.id) is None
        assert learning.current(s, P.get_profile(s, "work").id) is not None  # the original


def test_export_refuses_to_replace_a_file_unless_forced(capsys, tmp_path: Path) -> None:
    run(capsys, "profile", "create", "work")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "mine.json"
    target.write_text("keep me", encoding="utf-8")
    rc, out, err = run(capsys, "profile", "export", "work", "-o", str(target))
    assert rc != 0 and out == "" and "already exists" in err and "--force" in err
    assert err.count("\n") == 1 and target.read_text(encoding="utf-8") == "keep me"
    rc, _, err = run(capsys, "profile", "export", "work", "-o", str(folder), "--force")
    assert rc != 0 and "not a regular file" in err and err.count("\n") == 1
    rc, _, _ = run(capsys, "profile", "export", "work", "-o", str(target), "--force")
    assert rc == 0 and json.loads(target.read_text(encoding="utf-8"))["profile"] == "work"
    assert [p.name for p in folder.iterdir()] == ["mine.json"]  # no temporary file left


def test_export_to_dash_is_standard_output(capsys, tmp_path: Path, monkeypatch) -> None:
    run(capsys, "profile", "create", "work")
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(capsys, "profile", "export", "work", "-o", "-")
    assert rc == 0 and json.loads(out)["profile"] == "work"
    assert not (tmp_path / "-").exists()


def test_import_never_replaces_a_profile(capsys, tmp_path: Path) -> None:
    _fill_work()
    f = tmp_path / "work.json"
    run(capsys, "profile", "export", "work", "-o", str(f))
    before = _state()
    for name in (None, "WORK"):
        rc, _, err = run(capsys, "profile", "import", str(f), *(["--name", name] if name else []))
        assert rc != 0 and "already exists" in err and "--name NEW" in err
        assert err.count("\n") == 1
    assert _state() == before


def _doc() -> dict:
    with _store() as s:
        return profile_file.export_profile(s, P.ensure_default_profile(s))


def _bad_files(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, words the error must hold)."""
    good = _doc()

    def edited(**changes) -> bytes:
        return json.dumps({**good, **changes}).encode()

    missing = {k: v for k, v in good.items() if k != "signals"}
    pick = {"kind": "pick", "candidates": ["a", "b"], "chosen": 2}
    return {
        "not json": (b"{nope", "not JSON"),
        "not utf-8": (b'{"format": "\xff"}', "not UTF-8"),
        "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        "nan": (edited(version=float("nan")), "not JSON"),
        "another format": (b'{"signals": []}', "not a PersonaCo profile"),
        "newer": (edited(version=2), "Update PersonaCo"),
        "wrong version": (edited(version="1"), 'version is "1"'),
        "missing": (json.dumps(missing).encode(), "has no 'signals'"),
        "mistyped": (edited(signals=[{"text": 3}]), "signals[0].text is not text"),
        "surrogate": (
            edited(profile="x").replace(b'"x"', b'"\\ud800 odd"'),
            "profile holds invalid unicode",
        ),
        "nul": (edited(signals=[{"text": "a\u0000b"}]), "signals[0].text holds a NUL"),
        "reading": (
            edited(signals=[{"text": "Be brief.", "reading": {"kind": "nonsense"}}]),
            "Unknown check kind",
        ),
        "index": (edited(choices=[pick]), "choices[0].chosen is 2"),
        # numbers that parse but would break learning from the profile later
        "huge weight": (
            edited(signals=[{"text": "Be brief.", "weight": 10**400}]),
            "signals[0].weight is too large",
        ),
        "huge cell": (
            edited(choices=[{**pick, "chosen": 0, "signals": ["s"], "cells": [[10**400], [0]]}]),
            "too large",
        ),
        "cell out of range": (
            edited(choices=[{**pick, "chosen": 0, "signals": ["s"], "cells": [[1e308], [0]]}]),
            "numbers from 0 to 1",
        ),
        "model": (edited(learned={"model": {"version": 9}}), "learned.model"),
        "suggestion": (
            edited(suggestions=[{"text": "Hi.", "status": "maybe", "source": "message"}]),
            "suggestions[0]",
        ),
    }


def test_bad_files_are_one_line_and_write_nothing(capsys, tmp_path: Path) -> None:
    run(capsys, "profile", "create", "work")
    cases = _bad_files(tmp_path)
    before = _state()
    for name, (data, words) in cases.items():
        f = tmp_path / f"{name}.json"
        f.write_bytes(data)
        rc, out, err = run(capsys, "profile", "import", str(f), "--name", "new")
        assert rc != 0 and out == "", name
        assert words in err and err.count("\n") == 1, (name, err)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:
        fh.truncate(33 * 1024 * 1024)  # sparse: over the 32 MB limit without writing it
    rc, _, err = run(capsys, "profile", "import", str(huge))
    assert rc != 0 and "over 32 MB" in err
    rc, _, err = run(capsys, "profile", "import", str(tmp_path / "absent.json"))
    assert rc != 0 and "Cannot read" in err and err.count("\n") == 1
    assert _state() == before


def test_a_failure_late_in_an_import_leaves_nothing_behind(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill_work()
    f = tmp_path / "work.json"
    run(capsys, "profile", "export", "work", "-o", str(f))
    before = _state()

    def fails(*_a, **_k) -> None:
        raise PersonacoError("The disk is full.")

    monkeypatch.setattr(PR, "save_model", fails)  # the last write of an import
    rc, _, err = run(capsys, "profile", "import", str(f), "--name", "copy")
    assert rc != 0 and "disk is full" in err
    assert _state() == before
