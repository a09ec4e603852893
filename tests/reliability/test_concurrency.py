"""Many writers on one home: worker threads (as the TUI runs turns) and other `personaco`
processes. No "database is locked" reaches anyone, no connection crosses threads, every
write lands exactly once, foreign keys hold in every connection, and a home opened for the
first time by several processes at once is migrated once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell
from personaco_tui.locations import Locations
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import migrate
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store

WRITERS, TURNS = 8, 8
PROCESSES, SIGNALS_EACH = 2, 10

# A CLI process: waits for the go file, then runs `personaco profile add-signal` N times,
# each call a whole CLI invocation (its own runtime and store, opened and closed).
CLI_WRITER = """
import sys, time
from pathlib import Path
from personaco_tui.cli import main
home, tag, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
Path(f"{go}.{tag}.ready").touch()
while not go.exists():
    time.sleep(0.005)
failed = 0
for i in range(n):
    failed += main(["--home", home, "profile", "add-signal", "work", f"{tag} signal {i}"]) != 0
sys.exit(1 if failed else 0)
"""

# A process that opens a home for the first time the moment the go file appears.
FIRST_OPEN = """
import sys, time
from pathlib import Path
from personaco_tui.locations import resolve
from personaco_tui.store.db import Store
from personaco_tui.store import profiles as P
from personaco_tui.errors import PersonacoError
home, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
Path(f"{go}.{name}.ready").touch()
while not go.exists():
    time.sleep(0.0005)
try:
    with Store.open(resolve(home).ensure()) as s:
        P.create_profile(s, name)
except PersonacoError as e:
    print(e.message, file=sys.stderr)
    sys.exit(1)
"""


def _generation(tag: str) -> Generation:
    gen = Generation(
        settings=GenerationSettingsUsed("personaco", "smollm2-135m", 2, 1.0, 7, 16, "rules"),
        query=f"question {tag}",
        signals=["Never use commas."],
        prompt="p",
    )
    gen.candidates = [Candidate(0, f"answer {tag} a", 3, "stop"), Candidate(1, "b", 1, "stop")]
    gen.cells = [ReflectionCell(0, 0, 1.0, "rules"), ReflectionCell(1, 0, 0.0, "rules")]
    gen.chosen_index = 0
    return gen


def _turn(store: Store, profile_id: int, conv: int, tag: str) -> None:
    """What chat.ask stores for one turn, in one transaction."""
    with store.transaction():
        gen_id = G.save_generation(store, _generation(tag), profile_id=profile_id)
        C.add_message(store, conv, "user", f"question {tag}")
        C.add_message(store, conv, "assistant", f"answer {tag} a", generation_id=gen_id)


def _start_together(procs: list[subprocess.Popen], tags: list[str], go: Path) -> None:
    """Release the child processes at once, after each has finished importing."""
    deadline = time.monotonic() + 120
    while not all(Path(f"{go}.{t}.ready").exists() for t in tags):
        failed = [p for p in procs if p.poll() is not None]
        assert not failed, failed[0].stderr.read() if failed[0].stderr else "a child died"
        assert time.monotonic() < deadline, "the child processes never got ready"
        time.sleep(0.02)
    go.touch()


def _threads(fns: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def test_threads_and_cli_processes_write_one_home_at_once(loc: Locations, tmp_path: Path) -> None:
    store = Store.open(loc)
    work = P.create_profile(store, "work").id
    convs = [C.create_conversation(store, work, f"worker {n}").id for n in range(WRITERS)]
    go, home = tmp_path / "go", loc.data_dir.parent
    script = tmp_path / "cli_writer.py"
    script.write_text(CLI_WRITER, encoding="utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(home), f"proc{p}", str(SIGNALS_EACH), str(go)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(PROCESSES)
    ]
    done = threading.Event()
    seen_by_reader: list[int] = []
    foreign_key_failures: list[str] = []
    connections: list[object] = []  # kept alive, so their ids cannot be reused

    def writer(n: int) -> Callable[[], None]:
        def work_() -> None:
            connections.append(store.db.conn)
            # a raw insert breaking a foreign key fails in this thread's own connection
            try:
                row = {"conversation_id": 10**9, "role": "user", "content": "x"}
                store.db["messages"].insert(row)
            except sqlite3.IntegrityError as e:
                foreign_key_failures.append(str(e))
            for i in range(TURNS):
                _turn(store, work, convs[n], f"w{n}-{i}")
                if i % 4 == 0:
                    P.add_signal(store, work, f"thread {n} signal {i}")

        return work_

    def reader() -> None:
        connections.append(store.db.conn)
        while not done.is_set():
            hits = C.search_messages(store, "answer")
            seen_by_reader.append(len(hits))
            for m, _ in hits[:3]:
                assert m.role == "assistant"
            P.list_signals(store, work)
            C.list_conversations(store, work)

    _start_together(procs, [f"proc{p}" for p in range(PROCESSES)], go)
    reader_errors: list[BaseException] = []
    reading = threading.Thread(target=lambda: reader_errors.extend(_threads([reader])))
    reading.start()
    errors = _threads([writer(n) for n in range(WRITERS)])
    outs = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    done.set()
    reading.join(timeout=60)
    assert errors == [] and reader_errors == []
    for rc, err in outs:
        assert rc == 0 and "locked" not in err, err
    assert len(foreign_key_failures) == WRITERS
    assert len({id(c) for c in connections}) == WRITERS + 1  # none shared across threads
    assert all("FOREIGN KEY" in e for e in foreign_key_failures)
    assert seen_by_reader and max(seen_by_reader) > 0
    for n, conv in enumerate(convs):
        msgs = C.list_messages(store, conv)
        assert [m.content for m in msgs] == [
            t for i in range(TURNS) for t in (f"question w{n}-{i}", f"answer w{n}-{i} a")
        ]
        assert all(m.generation_id for m in msgs if m.role == "assistant")
    signals = P.list_signals(store, work)
    want = {f"proc{p} signal {i}" for p in range(PROCESSES) for i in range(SIGNALS_EACH)}
    want |= {f"thread {n} signal {i}" for n in range(WRITERS) for i in range(0, TURNS, 4)}
    assert sorted(s.text for s in signals) == sorted(want)  # each exactly once
    assert sorted(s.position for s in signals) == list(range(len(want)))  # no position twice
    db = store.db
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM generations").fetchone()[0] == WRITERS * TURNS
    store.close()


def test_processes_opening_a_new_home_at_once_all_succeed(tmp_path: Path) -> None:
    """Before the fix, about every other such start failed in one of the processes with
    "Migration 0001_init.sql failed (table profiles already exists)"."""
    script = tmp_path / "first_open.py"
    script.write_text(FIRST_OPEN, encoding="utf-8")
    home, go = tmp_path / "home", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(home), f"p{i}", str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    _start_together(procs, [f"p{i}" for i in range(4)], go)
    outs = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert all(rc == 0 for rc, _ in outs), [err for _, err in outs]
    with Store(home / "data" / "personaco.db", home / "data" / "backups") as s:
        assert sorted(p.name for p in P.list_profiles(s)) == [f"p{i}" for i in range(4)]
        rows = s.db.execute("SELECT version FROM schema_migrations").fetchall()
        assert rows == [(m.version,) for m in migrate.discover()]


def _migrate_by_hand(holder: sqlite3.Connection) -> None:
    """Another process's migration of an empty file, left uncommitted: the write lock held."""
    holder.execute("BEGIN IMMEDIATE")
    for m in migrate.discover():
        sql, start = m.path.read_text(encoding="utf-8"), 0
        for at in (i for i, ch in enumerate(sql) if ch == ";"):
            if sqlite3.complete_statement(sql[start : at + 1]):
                holder.execute(sql[start : at + 1])
                start = at + 1
    holder.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    for m in migrate.discover():
        holder.execute("INSERT INTO schema_migrations VALUES (?, ?, 'x')", (m.version, m.name))
    holder.execute(f"PRAGMA user_version = {migrate.latest_version()}")


@pytest.mark.parametrize(
    "pause_at",
    [
        pytest.param("sqlite_master", id="between reading the version and the tables"),
        pytest.param("BEGIN IMMEDIATE", id="between reading the version and migrating"),
    ],
)
def test_a_schema_another_process_commits_meanwhile_is_not_applied_twice(
    pause_at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic version of the race above: the opening store is paused at a statement
    while another connection commits the whole schema, then goes on."""
    db = tmp_path / "personaco.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    _migrate_by_hand(holder)
    paused, committed = threading.Event(), threading.Event()
    real_connect = Store._connect

    def connect(self: Store):  # noqa: ANN202
        conn = real_connect(self)

        def trace(sql: str) -> None:
            if pause_at in sql and not paused.is_set():
                paused.set()
                committed.wait(30)

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(Store, "_connect", connect)
    out: dict[str, object] = {}

    def open_store() -> None:
        try:
            with Store(db, tmp_path / "backups") as s:
                out["version"] = s.schema_version
                P.create_profile(s, "works")
        except BaseException as e:  # noqa: BLE001
            out["error"] = e

    t = threading.Thread(target=open_store)
    t.start()
    assert paused.wait(30), f"the store never ran {pause_at!r}"
    holder.execute("COMMIT")
    committed.set()
    t.join(60)
    holder.close()
    assert "error" not in out, out.get("error")
    assert out["version"] == migrate.latest_version()
    check = sqlite3.connect(db)
    try:
        assert check.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(
            migrate.discover()
        )
        assert check.execute("SELECT name FROM profiles").fetchall() == [("works",)]
    finally:
        check.close()
