"""Files that are not what they seem, with backups at hand: a -wal left by another database,
an emptied database, damaged bytes. Each is refused in one line before anything is written,
and following the message's own advice gets the data back.

(tests/store/test_store_db.py covers these files when there is no backup, garbage in a -wal,
newer and foreign databases.)"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from personaco_tui.errors import StoreError
from personaco_tui.locations import Locations
from personaco_tui.store import conversations as C
from personaco_tui.store import migrate
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _one_line(e: pytest.ExceptionInfo[StoreError]) -> str:
    msg = str(e.value)
    assert "\n" not in msg and msg == msg.strip()
    return msg


def _names(loc: Locations) -> list[str]:
    with Store.open(loc) as s:
        return [p.name for p in P.list_profiles(s)]


def _with_backup(loc: Locations) -> Path:
    """A database holding profile 'alice', closed cleanly, and a backup of it."""
    with Store.open(loc) as s:
        P.create_profile(s, "alice")
        return migrate.backup(s.db.conn, loc.backups_dir, s.schema_version)


def _crash_copy(store: Store, dest: Path) -> None:
    """What a kill -9 leaves: the file and its -wal as they are while `store` is open."""
    shutil.copy(store.path, dest)
    shutil.copy(_side(store.path, "-wal"), _side(dest, "-wal"))


def _other_database_wal(tmp: Path) -> Path:
    """The -wal of another PersonaCo database that crashed with work in it."""
    other = tmp / "other"
    other.mkdir()
    s = Store(other / "personaco.db", other / "backups")
    s.close()  # its own identity reaches its file header
    s = Store(other / "personaco.db", other / "backups")
    P.create_profile(s, "bob")
    conv = C.create_conversation(s, None, "x").id
    for i in range(30):
        C.add_message(s, conv, "user", f"{i} " + "bob's words " * 50)
    _crash_copy(s, tmp / "crashed.db")
    s.close()
    return _side(tmp / "crashed.db", "-wal")


def _restore_as_told(msg: str, loc: Locations) -> None:
    """Do what the message says: move the file (and sidecars) aside, copy the backup."""
    newest = max(loc.backups_dir.glob("personaco-v*.db"), key=lambda p: p.stat().st_mtime)
    assert f"copy {newest} to {loc.db_path}" in msg, msg
    aside = loc.data_dir / "aside"
    aside.mkdir()
    for p in [loc.db_path, _side(loc.db_path, "-wal"), _side(loc.db_path, "-shm")]:
        if p.exists():
            shutil.move(p, aside / p.name)
    shutil.copy(newest, loc.db_path)


@pytest.mark.parametrize("origin", ["another database", "a restored backup"])
def test_a_wal_that_belongs_to_another_file_is_refused_untouched(
    origin: str, loc: Locations, tmp_path: Path
) -> None:
    backup = _with_backup(loc)
    if origin == "another database":
        stray = _other_database_wal(tmp_path)
    else:
        # The database crashed with new work in its -wal; the user copied the backup over
        # the file but left the -wal: SQLite would replay the newer pages onto the old file.
        s = Store.open(loc)
        P.create_profile(s, "after the backup")
        _crash_copy(s, tmp_path / "crashed.db")
        s.close()
        stray = _side(tmp_path / "crashed.db", "-wal")
        shutil.copy(backup, loc.db_path)
    wal = _side(loc.db_path, "-wal")
    shutil.copy(stray, wal)
    before = (_sha(loc.db_path), _sha(wal))
    for _ in range(2):  # and still the same the second time
        with pytest.raises(StoreError) as e:
            Store.open(loc)
        msg = _one_line(e)
        assert f"{wal} does not belong to {loc.db_path}" in msg
        assert f"Move {wal.name} and {loc.db_path.name}-shm aside" in msg
        assert (_sha(loc.db_path), _sha(wal)) == before
    wal.unlink()  # as the message says
    assert _names(loc) == ["alice"]


def test_the_wal_a_crash_leaves_is_still_replayed(loc: Locations, tmp_path: Path) -> None:
    """The guard must not refuse a database's own -wal, also once its identity is on disk."""
    _with_backup(loc)
    s = Store.open(loc)
    P.create_profile(s, "only in the wal")
    conv = C.create_conversation(s, None, "c").id
    for i in range(30):
        C.add_message(s, conv, "user", f"message {i} " * 40)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    _crash_copy(s, crashed / "personaco.db")
    s.close()
    with Store(crashed / "personaco.db", crashed / "backups") as r:
        assert [p.name for p in P.list_profiles(r)] == ["alice", "only in the wal"]
        assert len(C.list_messages(r, conv)) == 30
        assert r.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_second_process_with_the_wal_in_use_opens_normally(loc: Locations) -> None:
    _with_backup(loc)
    first = Store.open(loc)
    try:
        P.create_profile(first, "live")  # the -wal now holds this, in use by `first`
        with Store.open(loc) as second:
            assert [p.name for p in P.list_profiles(second)] == ["alice", "live"]
    finally:
        first.close()


def test_an_emptied_database_is_refused_and_the_backup_restores_it(loc: Locations) -> None:
    _with_backup(loc)
    loc.db_path.write_bytes(b"")  # what a failing disk or a careless copy can leave
    with pytest.raises(StoreError) as e:
        Store.open(loc)
    msg = _one_line(e)
    assert f"{loc.db_path} is empty, yet PersonaCo has backed it up before" in msg
    assert loc.db_path.stat().st_size == 0
    assert not _side(loc.db_path, "-wal").exists()
    _restore_as_told(msg, loc)
    assert _names(loc) == ["alice"]


@pytest.mark.parametrize("kind", ["truncated", "random bytes", "zeroed header"])
def test_a_damaged_database_names_the_backup_that_restores_it(kind: str, loc: Locations) -> None:
    _with_backup(loc)
    with Store.open(loc) as s:  # more rows, so the file is worth truncating
        conv = C.create_conversation(s, None, "c").id
        with s.transaction():
            for i in range(100):
                C.add_message(s, conv, "user", f"{i} " + "lorem ipsum " * 60)
    data = loc.db_path.read_bytes()
    damaged = {
        "truncated": data[: len(data) // 3],
        "random bytes": os.urandom(len(data)),
        "zeroed header": b"\x00" * 100 + data[100:],
    }[kind]
    loc.db_path.write_bytes(damaged)
    with pytest.raises(StoreError) as e:
        Store.open(loc)
    msg = _one_line(e)
    assert f"{loc.db_path} is not a PersonaCo database or is damaged." in msg
    assert loc.db_path.read_bytes() == damaged
    _restore_as_told(msg, loc)
    assert _names(loc) == ["alice"]
