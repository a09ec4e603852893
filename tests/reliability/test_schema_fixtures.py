"""Every schema PersonaCo ever shipped, kept as a frozen fixture, migrates to the newest one:
the same schema as a fresh database, every row kept, the pre-migration backup readable.

tests/fixtures/schemas/vNNNN.sql is a text dump of a database as version NNNN left it. A
schema version without a fixture fails `test_every_schema_version_has_a_fixture`: when you
add migrations/NNNN_name.sql, add its sample rows to tests/fixtures/make_schema_fixture.py
and run `.venv/bin/python tests/fixtures/make_schema_fixture.py` (its docstring says more).
The newest version needs one too, because it is the oldest the next migration must upgrade.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from personaco_tui.locations import package_data_dir
from personaco_tui.store import conversations as C
from personaco_tui.store import migrate
from personaco_tui.store.db import Store

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
FIXTURES = sorted(SCHEMAS.glob("v*.sql"))
LATEST = migrate.latest_version()


def _version(fixture: Path) -> int:
    m = re.fullmatch(r"v(\d{4})\.sql", fixture.name)
    assert m, f"{fixture.name} is not named vNNNN.sql"
    return int(m.group(1))


def _load(fixture: Path, db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        # one transaction: a commit (and fsync) per INSERT would take a second
        conn.executescript("BEGIN;\n" + fixture.read_text(encoding="utf-8") + "\nCOMMIT;")
    finally:
        conn.close()


def _ordinary_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for name, kind in conn.execute("SELECT name, type FROM pragma_table_list")
        if kind == "table" and not name.startswith("sqlite_")
    ]


def _rows(db: Path) -> dict[str, tuple[list[str], Counter]]:
    """Each ordinary table's columns and its rows (as a multiset)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        for table in _ordinary_tables(conn):
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            out[table] = (cols, Counter(conn.execute(f'SELECT * FROM "{table}"').fetchall()))
        return out
    finally:
        conn.close()


def _schema(db: Path) -> set[tuple[str, str, str, str]]:
    """sqlite_master without root pages, whitespace normalised."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master")
        return {(t, n, tb, " ".join(sql.split())) for t, n, tb, sql in rows}
    finally:
        conn.close()


def _project(rows: Counter, cols: list[str], keep: list[str]) -> Counter:
    out: Counter = Counter()
    for row, n in rows.items():
        out[tuple(row[cols.index(c)] for c in keep)] += n
    return out


def _kept(old: dict, new: dict) -> None:
    """Every old row is still there, read through the columns both schemas have."""
    for table, (cols, rows) in old.items():
        assert table in new, f"table {table} was dropped"
        new_cols, new_rows = new[table]
        common = [c for c in cols if c in new_cols]
        before, after = _project(rows, cols, common), _project(new_rows, new_cols, common)
        missing = before - after
        assert not missing, f"{table}: rows lost or changed: {list(missing)[:3]}"


def test_every_schema_version_has_a_fixture() -> None:
    have = {_version(f) for f in FIXTURES}
    missing = sorted(set(range(1, LATEST + 1)) - have)
    assert not missing, (
        f"No fixture for schema version(s) {missing}: add SAMPLE_ROWS for it to "
        "tests/fixtures/make_schema_fixture.py and run that script."
    )
    assert max(have) <= LATEST, "a fixture is newer than the newest migration"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_fixture_migrates_to_the_newest_schema_with_every_row(
    fixture: Path, tmp_path: Path
) -> None:
    db, backups = tmp_path / "personaco.db", tmp_path / "backups"
    _load(fixture, db)
    old = _rows(db)
    assert sum(sum(rows.values()) for _c, rows in old.values()) > 0
    assert all(rows for t, (_c, rows) in old.items() if t != "schema_migrations"), (
        "a fixture must have rows in every table"
    )
    with Store(db, backups) as s:
        assert s.schema_version == LATEST
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        # the full-text index came along: a word of a fixture message is found
        hits = C.search_messages(s, "hypothesis")
        assert [m.id for m, _snippet in hits] == [2]
        versions = [r[0] for r in s.db.execute("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in migrate.discover()]
    with Store(tmp_path / "fresh.db", tmp_path / "fresh-backups"):
        pass
    assert _schema(db) == _schema(tmp_path / "fresh.db")
    _kept(old, _rows(db))
    made = sorted(backups.glob("*.db")) if backups.exists() else []
    assert len(made) == (1 if _version(fixture) < LATEST else 0)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_the_backup_made_before_an_upgrade_opens_with_the_old_rows(
    fixture: Path, tmp_path: Path
) -> None:
    # One migration past the newest, so every fixture (the newest too) is upgraded and
    # backed up first.
    folder = tmp_path / "migrations"
    shutil.copytree(package_data_dir("migrations"), folder)
    (folder / f"{LATEST + 1:04d}_probe.sql").write_text(
        "CREATE TABLE reliability_probe (x INTEGER);\n", encoding="utf-8"
    )
    db, backups = tmp_path / "personaco.db", tmp_path / "backups"
    _load(fixture, db)
    old = _rows(db)
    with Store(db, backups, migrations_dir=folder) as s:
        assert s.schema_version == LATEST + 1
    (backup,) = backups.glob("*.db")
    assert backup.name.startswith(f"personaco-v{_version(fixture)}-")
    assert _rows(backup) == old  # every table, every column, exactly
    conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == _version(fixture)
    finally:
        conn.close()
    # Restoring it (a copy in a new home) gives a working database with the same rows.
    restored = tmp_path / "restored" / "personaco.db"
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    with Store(restored, tmp_path / "restored" / "backups") as s:
        assert s.schema_version == LATEST
        assert [m.id for m, _ in C.search_messages(s, "שלום")] == [3]
    _kept(old, _rows(restored))
