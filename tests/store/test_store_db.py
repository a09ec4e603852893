"""Opening the database: pragmas, per-thread connections, transactions, and every way a file
can be unusable (each a one-line StoreError, the file left exactly as it was)."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from support.files import sha256, sidecars

from personaco_tui.errors import StoreError
from personaco_tui.locations import Locations
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store
from personaco_tui.store.migrate import discover, latest_version
from tests.support.unreadable import unopenable_file


def _in_thread(fn):
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["value"]


def _one_line(e: pytest.ExceptionInfo[StoreError]) -> str:
    msg = str(e.value)
    assert "\n" not in msg and msg.strip() == msg
    return msg


# -- a fresh database ---------------------------------------------------------------------------


def test_fresh_open_is_migrated_to_the_latest_schema(store: Store, loc: Locations) -> None:
    assert loc.db_path.is_file()
    assert store.schema_version == latest_version() >= 1
    rows = store.db.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert rows[0] == (1, "init") and [v for v, _ in rows] == [m.version for m in discover()]
    assert not loc.backups_dir.exists()  # nothing to back up in a new database


def test_a_connection_made_in_another_thread_has_the_pragmas(store: Store) -> None:
    main_conn = store.db.conn

    def pragmas() -> tuple:
        db = store.db
        q = lambda p: db.execute(f"PRAGMA {p}").fetchone()[0]  # noqa: E731
        return (
            db.conn is not main_conn,
            q("journal_mode"),
            q("foreign_keys"),
            q("busy_timeout"),
            q("synchronous"),
            db.conn.isolation_level,
        )

    assert _in_thread(pragmas) == (True, "wal", 1, 10000, 1, None)


def test_each_thread_keeps_its_own_connection_and_close_closes_them_all(store: Store) -> None:
    assert store.db is store.db
    other = _in_thread(lambda: store.db.conn)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        other.execute("SELECT 1")
    with pytest.raises(StoreError, match="closed"):
        store.db  # noqa: B018


def test_connections_of_finished_threads_are_closed(store: Store) -> None:
    old = [_in_thread(lambda: store.db.conn) for _ in range(5)]
    _in_thread(lambda: store.db)  # opening one more forgets the dead threads' connections
    for conn in old:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_reopening_keeps_the_data_and_makes_no_backup(loc: Locations) -> None:
    with Store.open(loc) as s:
        P.create_profile(s, "kept")
    with Store.open(loc) as s:
        assert [p.name for p in P.list_profiles(s)] == ["kept"]
    assert not loc.backups_dir.exists()
    assert sidecars(loc.db_path) == []  # the last close checkpoints and removes the WAL


# -- transactions ----------------------------------------------------------------------------


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        P.create_profile(store, "ghost")
        raise RuntimeError("boom")
    assert P.list_profiles(store) == []
    assert not store.in_transaction


def test_nested_transactions_join_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as db:
        with store.transaction():
            P.create_profile(store, "inner")
        assert db.conn.in_transaction  # the inner block did not commit
        with db.conn:  # code holding the raw connection joins too
            db.execute("INSERT INTO profiles (name) VALUES ('raw')")
        assert db.conn.in_transaction
        raise RuntimeError("boom")
    assert P.list_profiles(store) == []


def test_transaction_commits(store: Store) -> None:
    with store.transaction() as db:
        db["profiles"].insert({"name": "a"})
        db["profiles"].insert({"name": "b"})
    assert [p.name for p in P.list_profiles(store)] == ["a", "b"]


def test_concurrent_writers_in_four_threads_all_succeed(store: Store) -> None:
    conv = C.create_conversation(store, None, "busy").id
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    conns: set[int] = set()

    def writer(n: int) -> None:
        try:
            conns.add(id(store.db.conn))
            barrier.wait()
            for i in range(50):
                C.add_message(store, conv, "user", f"thread {n} message {i}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(conns) == 4
    contents = {m.content for m in C.list_messages(store, conv)}
    assert contents == {f"thread {n} message {i}" for n in range(4) for i in range(50)}


# -- files that cannot be used ---------------------------------------------------------------


def _truncated_db(tmp: Path) -> bytes:
    with Store(tmp / "full.db", tmp / "b") as s:
        conv = C.create_conversation(s, None, "x").id
        with s.transaction():
            for i in range(200):
                C.add_message(s, conv, "user", f"{i} " + "lorem ipsum " * 80)
    data = (tmp / "full.db").read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize("kind", ["random", "truncated", "text", "short"])
def test_unusable_file_is_refused_and_left_untouched(
    kind: str, loc: Locations, tmp_path: Path
) -> None:
    content = {
        "random": lambda: os.urandom(8192),
        "truncated": lambda: _truncated_db(tmp_path),
        "text": lambda: b"name,notes\nalice,not a database\n" * 50,
        "short": lambda: b"SQLite format 3\x00",
    }[kind]()
    loc.db_path.write_bytes(content)
    before = sha256(loc.db_path)
    with pytest.raises(StoreError) as e:
        Store.open(loc)
    msg = _one_line(e)
    assert f"{loc.db_path} is not a PersonaCo database or is damaged." in msg
    assert str(loc.backups_dir) in msg
    assert sha256(loc.db_path) == before
    assert sidecars(loc.db_path) == []


def test_empty_file_is_treated_as_a_new_database(loc: Locations) -> None:
    loc.db_path.write_bytes(b"")
    with Store.open(loc) as s:
        assert s.schema_version == latest_version()


def test_another_programs_sqlite_database_is_refused(loc: Locations) -> None:
    conn = sqlite3.connect(loc.db_path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = sha256(loc.db_path)
    with pytest.raises(StoreError, match="not a PersonaCo one") as e:
        Store.open(loc)
    _one_line(e)
    assert sha256(loc.db_path) == before


@pytest.mark.parametrize("wal", [True, False])
def test_newer_schema_is_refused_untouched(wal: bool, loc: Locations) -> None:
    with Store.open(loc) as s:
        P.create_profile(s, "mine")
    conn = sqlite3.connect(loc.db_path, isolation_level=None)
    if not wal:
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA user_version=7")
    conn.close()
    assert sidecars(loc.db_path) == []
    before = sha256(loc.db_path)
    with pytest.raises(StoreError) as e:
        Store.open(loc)
    assert _one_line(e) == (
        f"{loc.db_path} was written by a newer PersonaCo (schema 7, this version knows "
        f"{latest_version()}). "
        "Upgrade personaco or use another --home."
    )
    assert sha256(loc.db_path) == before
    assert sidecars(loc.db_path) == []


def test_newer_schema_still_in_the_wal_is_refused(loc: Locations) -> None:
    Store.open(loc).close()
    other = sqlite3.connect(loc.db_path, isolation_level=None)
    try:
        other.execute("PRAGMA user_version=9")  # committed to the WAL, header still says 1
        with pytest.raises(StoreError, match=f"schema 9, this version knows {latest_version()}"):
            Store.open(loc)
        assert other.execute("PRAGMA user_version").fetchone()[0] == 9
    finally:
        other.close()


def test_stray_garbage_wal_does_not_break_opening(loc: Locations) -> None:
    with Store.open(loc) as s:
        P.create_profile(s, "survivor")
    Path(str(loc.db_path) + "-wal").write_bytes(os.urandom(4096))
    with Store.open(loc) as s:
        assert [p.name for p in P.list_profiles(s)] == ["survivor"]


def test_wal_left_by_a_crash_is_recovered(loc: Locations, tmp_path: Path) -> None:
    s = Store.open(loc)
    P.create_profile(s, "in-the-wal")
    # Copy the files while the store is open: what a crash would leave (db + -wal, no -shm).
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(loc.db_path, crashed / "personaco.db")
    shutil.copy(str(loc.db_path) + "-wal", crashed / "personaco.db-wal")
    s.close()
    with Store(crashed / "personaco.db", crashed / "backups") as r:
        assert [p.name for p in P.list_profiles(r)] == ["in-the-wal"]


def test_disk_full_is_one_line_and_loses_nothing(store: Store) -> None:
    conv = C.create_conversation(store, None, "c").id
    C.add_message(store, conv, "user", "before")
    conn = store.db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")  # a "disk" with no room left
    with pytest.raises(StoreError) as e:
        C.add_message(store, conv, "user", "x" * 200_000)
    assert _one_line(e) == (
        f"Disk full while writing {store.path}. Free some space and try again; "
        "nothing stored was lost."
    )
    assert not store.in_transaction
    assert [m.content for m in C.list_messages(store, conv)] == ["before"]


def test_locked_beyond_the_busy_timeout(loc: Locations) -> None:
    Store.open(loc).close()
    s = Store(loc.db_path, loc.backups_dir, busy_timeout_ms=50)
    holder = sqlite3.connect(loc.db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="is locked by another program") as e:
            P.create_profile(s, "waits")
        _one_line(e)
        holder.execute("ROLLBACK")
        assert P.create_profile(s, "waits").name == "waits"
    finally:
        holder.close()
        s.close()


def _busy_at_once(times: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first open answers SQLITE_BUSY at once `times` times (as SQLite does where its
    busy handler does not wait), then opens for real."""
    real, calls = Store._open_first, []

    def flaky(self: Store, migrate_now: bool) -> None:
        calls.append(1)
        if len(calls) <= times:
            err = sqlite3.OperationalError("database is locked")
            err.sqlite_errorcode = 5  # type: ignore[attr-defined]
            raise err
        real(self, migrate_now)

    monkeypatch.setattr(Store, "_open_first", flaky)
    return calls


def test_a_busy_first_open_is_tried_again(loc: Locations, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _busy_at_once(3, monkeypatch)
    with Store.open(loc) as s:
        assert P.create_profile(s, "opened").name == "opened"
    assert len(calls) == 4


def test_a_first_open_busy_past_the_timeout_fails_in_one_line(
    loc: Locations, monkeypatch: pytest.MonkeyPatch
) -> None:
    _busy_at_once(10**6, monkeypatch)
    with pytest.raises(StoreError, match="is locked by another program") as e:
        Store(loc.db_path, loc.backups_dir, busy_timeout_ms=150)
    _one_line(e)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs UNIX sockets")
def test_unreadable_file(loc: Locations) -> None:
    Store.open(loc).close()
    with unopenable_file(loc.db_path), pytest.raises(StoreError) as e:
        Store.open(loc)
    assert e.value.message.startswith(f"Cannot read {loc.db_path} (")
    _one_line(e)
