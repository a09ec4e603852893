"""Names as a person reads them: "Work", "work" and "WORK" were three profiles, and so were
the NFC and NFD forms of "café"; zero-width and bidi-override characters and 10,000-character
names were accepted. Now a name is stored in NFC, compared casefolded, and hidden characters
and absurd lengths are refused in one line: for profiles, evaluation sessions and registered
model names. Clashing names already in an old database are kept and still found."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from personaco_tui.cli import main
from personaco_tui.evaluation import sessions as S
from personaco_tui.locations import Locations
from personaco_tui.store import model_registry as R
from personaco_tui.store import profiles as P
from personaco_tui.store.db import DuplicateNameError, InvalidInputError, Store

NFC, NFD = "caf\u00e9", "cafe\u0301"
HIDDEN = ["wo\u200brk", "\u202eevil", "tab\there", "a\u2028b", "zw\u2060j", "nul\x00"]
# a joiner between letters hides; inside an emoji sequence it is part of one symbol
HIDDEN += ["a\u200db", "\u200d\U0001f469", "\u0301", "\u20dd ring"]
EMOJI = ["\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f3f3\ufe0f\u200d\U0001f308 team"]
ITEM = [S.EvalItem("q", "Q?", ["Be brief."])]


@pytest.fixture
def store(loc: Locations) -> Iterator[Store]:
    with Store.open(loc) as s:
        yield s


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_profile_names_differing_in_case_or_composition_clash(capsys) -> None:
    assert run(capsys, "profile", "create", "Work")[0] == 0
    for other in ("work", "WORK", " wOrK "):
        rc, _, err = run(capsys, "profile", "create", other)
        assert rc != 0 and len(err.strip().splitlines()) == 1 and "already exists" in err
    assert run(capsys, "profile", "create", NFC)[0] == 0
    rc, _, err = run(capsys, "profile", "create", NFD.upper())
    assert rc != 0 and "already exists" in err
    rc, out, _ = run(capsys, "profile", "list")
    assert [line[2:].split("  (")[0] for line in out.splitlines()] == [NFC, "Work"]
    rc, out, _ = run(capsys, "profile", "use", "work")  # found as typed
    assert rc == 0 and "Active profile: Work" in out
    rc, out, _ = run(capsys, "profile", "use", NFD)
    assert rc == 0 and NFC in out


def test_hidden_characters_and_absurd_lengths_are_refused_in_one_line(capsys) -> None:
    for bad in [*HIDDEN, "x" * 10_000, "y" * 101]:
        rc, _, err = run(capsys, "profile", "create", bad)
        lines = err.strip().splitlines()
        assert rc != 0 and len(lines) == 1, (bad[:20], err)
        assert len(lines[0]) < 300
    assert run(capsys, "profile", "create", "z" * 100)[0] == 0
    rc, out, _ = run(capsys, "profile", "list")
    assert len(out.strip().splitlines()) == 1
    for name in EMOJI:
        assert run(capsys, "profile", "create", name)[0] == 0, name
    rc, out, _ = run(capsys, "profile", "list")
    assert all(name in out for name in EMOJI)


def test_rename_cannot_make_a_clash(store: Store) -> None:
    P.create_profile(store, "Home")
    job = P.create_profile(store, "job")
    with pytest.raises(DuplicateNameError):
        P.rename_profile(store, job.id, "HOME")
    assert P.rename_profile(store, job.id, "JOB").name == "JOB"  # its own name, recased


def test_session_names_follow_the_same_rules(store: Store) -> None:
    S.create_session(store, NFD, ITEM, {"method": "a"}, {"method": "b"})
    assert S.get_session(store, NFC).name == NFC  # stored composed
    for other in (NFC, NFC.upper(), "CAFE\u0301"):
        with pytest.raises(DuplicateNameError):
            S.create_session(store, other, ITEM, {"method": "a"}, {"method": "b"})
    for bad in [*HIDDEN, "s" * 10_000]:
        with pytest.raises(InvalidInputError):
            S.create_session(store, bad, ITEM, {"method": "a"}, {"method": "b"})
    assert [r[0] for r in store.db.execute("SELECT name FROM eval_sessions")] == [NFC]


def test_model_names_follow_the_same_rules(store: Store, tmp_path: Path) -> None:
    R.register_model(store.db, "Tiny", tmp_path / "a.gguf")
    with pytest.raises(DuplicateNameError):
        R.register_model(store.db, "tiny", tmp_path / "b.gguf")
    with pytest.raises(InvalidInputError):
        R.register_model(store.db, "ti\u200bny", tmp_path / "b.gguf")
    assert list(R.registered_models(store.db)) == ["Tiny"]


def test_clashing_names_in_an_old_database_are_kept_and_found(loc: Locations) -> None:
    with Store.open(loc) as store:
        P.create_profile(store, "seed")
    conn = sqlite3.connect(loc.db_path)
    with conn:  # as an older version could have written them
        conn.execute("INSERT INTO profiles (name) VALUES ('Work'), ('work')")
    conn.close()
    with Store.open(loc) as store:
        assert P.get_profile(store, "Work").name == "Work"
        assert P.get_profile(store, "work").name == "work"
        with pytest.raises(DuplicateNameError):
            P.create_profile(store, "WORK")
        assert len(P.list_profiles(store)) == 3
