"""Numbered migrations: each one whole or not at all, a backup before data is changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from personaco_tui.errors import StoreError
from personaco_tui.locations import Locations
from personaco_tui.store import migrate
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store

GOOD = """-- adds tags
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO tags (name) SELECT name FROM profiles;
"""

HALF_WAY = """CREATE TABLE half_done (x INTEGER);
INSERT INTO half_done VALUES (1);
CREATE TABLE oops (;
"""

BAD = {
    "syntax": HALF_WAY,
    "constraint": "CREATE TABLE half_done (x);\nINSERT INTO profiles (name) VALUES ('   ');\n",
    "foreign_key": (
        "CREATE TABLE half_done (x);\n"
        "INSERT INTO signals (profile_id, text) VALUES (999, 'orphan');\n"
    ),
}


# The extra migrations these tests add come after the shipped ones, whatever their number.
SHIPPED = migrate.latest_version()
NEXT, AFTER = SHIPPED + 1, SHIPPED + 2
TAGS, BROKEN = f"{NEXT:04d}_tags.sql", f"{NEXT:04d}_broken.sql"
MORE, BROKEN_AFTER = f"{AFTER:04d}_more.sql", f"{AFTER:04d}_broken.sql"


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def _v1_with_data(loc: Locations) -> None:
    with Store.open(loc) as s:
        P.create_profile(s, "alice")


def test_discover_and_latest(migrations_with: Callable[..., Path]) -> None:
    folder = migrations_with(**{TAGS: GOOD})
    found = [(m.version, m.name) for m in migrate.discover(folder)]
    assert found[0] == (1, "init") and found[-1] == (NEXT, "tags")
    versions = [v for v, _ in found]
    assert versions == sorted(set(versions))  # oldest first, each once
    assert migrate.latest_version(folder) == NEXT
    assert migrate.latest_version() == SHIPPED


def test_a_misnamed_migration_file_is_reported(migrations_with: Callable[..., Path]) -> None:
    folder = migrations_with(**{"2_tags.sql": GOOD})
    with pytest.raises(StoreError, match="2_tags.sql"):
        migrate.discover(folder)


def test_good_migration_applies_after_a_backup(
    loc: Locations, migrations_with: Callable[..., Path]
) -> None:
    _v1_with_data(loc)
    folder = migrations_with(**{TAGS: GOOD})
    with Store.open(loc, migrations_dir=folder) as s:
        assert s.schema_version == NEXT
        assert [r["name"] for r in s.db["tags"].rows] == ["alice"]
        rows = s.db.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        assert rows[0] == (1, "init") and rows[-1] == (NEXT, "tags")
        assert migrate.pending(s.db, folder) == []
    backups = sorted(loc.backups_dir.iterdir())
    assert len(backups) == 1
    assert backups[0].name.startswith(f"personaco-v{SHIPPED}-") and backups[0].suffix == ".db"
    old = sqlite3.connect(backups[0])
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == SHIPPED
        assert old.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert old.execute("SELECT name FROM profiles").fetchall() == [("alice",)]
        assert "tags" not in _tables(backups[0])
    finally:
        old.close()


@pytest.mark.parametrize("kind", sorted(BAD))
def test_failing_migration_rolls_back_entirely_and_stays_pending(
    kind: str, loc: Locations, migrations_with: Callable[..., Path]
) -> None:
    _v1_with_data(loc)
    folder = migrations_with(**{BROKEN: BAD[kind]})
    for _attempt in range(2):  # and again: still pending, still refused the same way
        with pytest.raises(StoreError) as e:
            Store.open(loc, migrations_dir=folder)
        msg = str(e.value)
        assert BROKEN in msg and f"stays at schema {SHIPPED}" in msg and "\n" not in msg
        assert "half_done" not in _tables(loc.db_path)
    with Store.open(loc) as s:  # the shipped migrations still open it, data intact
        assert s.schema_version == SHIPPED
        assert [p.name for p in P.list_profiles(s)] == ["alice"]
        assert [m.version for m in migrate.pending(s.db, folder)] == [NEXT]
        assert s.db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == SHIPPED
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_two_pending_migrations_apply_in_order(
    loc: Locations, migrations_with: Callable[..., Path]
) -> None:
    folder = migrations_with(
        **{
            MORE: "ALTER TABLE tags ADD COLUMN colour TEXT;",
            TAGS: GOOD,
        }
    )
    with Store.open(loc, migrations_dir=folder) as s:
        assert s.schema_version == AFTER
        assert "colour" in s.db["tags"].columns_dict
    assert not loc.backups_dir.exists()  # a brand-new database has nothing to back up


def test_the_second_of_two_migrations_failing_keeps_the_first(
    loc: Locations, migrations_with: Callable[..., Path]
) -> None:
    _v1_with_data(loc)
    folder = migrations_with(**{TAGS: GOOD, BROKEN_AFTER: HALF_WAY})
    with pytest.raises(StoreError, match=f"{BROKEN_AFTER}.*stays at schema {NEXT}"):
        Store.open(loc, migrations_dir=folder)
    conn = sqlite3.connect(loc.db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == NEXT
    finally:
        conn.close()


def test_apply_all_on_a_raw_connection(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "raw.db", isolation_level=None)
    try:
        assert [m.version for m in migrate.pending(conn)] == [m.version for m in migrate.discover()]
        applied = migrate.apply_all(conn, tmp_path / "backups")
        assert [m.name for m in applied][0] == "init" and len(applied) == len(migrate.discover())
        assert migrate.current_version(conn) == SHIPPED and migrate.pending(conn) == []
        assert migrate.apply_all(conn, tmp_path / "backups") == []
    finally:
        conn.close()
