"""Numbered schema migrations: `NNNN_name.sql` files applied in order, each in one transaction.

`schema_migrations` records what ran and `PRAGMA user_version` always equals the newest
applied version, so a half-applied migration can never be recorded. Before a database that
already holds data is changed, a copy is written to the backups folder with the SQLite backup
API. Migration files must not contain BEGIN/COMMIT themselves: the runner owns the transaction.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..locations import package_data_dir

SQLITE_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger(__name__)
_NAME_RE = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")

# Failures of the machine rather than of the migration's SQL: the caller maps these to their
# own messages (disk full, locked, damaged…) instead of blaming the migration file.
ENVIRONMENT_CODES = frozenset({3, 5, 6, 8, 10, 11, 13, 14, 23, 26})

_RECORD_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
);"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def migrations_dir(directory: Path | None = None) -> Path:
    return Path(directory) if directory is not None else package_data_dir("migrations")


def discover(directory: Path | None = None) -> list[Migration]:
    """The migrations in `directory` (default: the shipped ones), oldest first."""
    folder = migrations_dir(directory)
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        m = _NAME_RE.match(path.name)
        if not m or int(m.group(1)) == 0:
            raise StoreError(
                f"Migration file {path} is not named NNNN_name.sql (NNNN from 0001).",
                "Rename it or remove it from the migrations folder.",
            )
        version = int(m.group(1))
        if version in found:
            raise StoreError(
                f"Two migrations share version {version}: {found[version].path.name} and "
                f"{path.name}.",
                "Renumber one of them.",
            )
        found[version] = Migration(version, m.group(2), path)
    return [found[v] for v in sorted(found)]


def latest_version(directory: Path | None = None) -> int:
    """The newest schema version this install knows (0 if there are no migrations)."""
    known = discover(directory)
    return known[-1].version if known else 0


def _conn(db: Any) -> sqlite3.Connection:
    # sqlite_utils.Database keeps its sqlite3 connection in `.conn`.
    return db if isinstance(db, sqlite3.Connection) else db.conn


def current_version(db: Any) -> int:
    return int(_conn(db).execute("PRAGMA user_version").fetchone()[0])


def pending(db: Any, directory: Path | None = None) -> list[Migration]:
    """Migrations newer than the database's schema version, oldest first."""
    version = current_version(db)
    return [m for m in discover(directory) if m.version > version]


def header_version(path: Path) -> int | None:
    """`user_version` read straight from the file header, without SQLite opening the file.

    Opening even with `mode=ro` makes SQLite create -wal/-shm files beside a WAL database, so
    a file that must be refused untouched is judged from its first 100 bytes. None for a
    missing or empty file (a new database); raises ValueError if it is not an SQLite file.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return None
    if not head:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise ValueError("not an SQLite database")
    return int.from_bytes(head[60:64], "big", signed=True)


def newer_error(path: Path | str, version: int, latest: int) -> StoreError:
    return StoreError(
        f"{path} was written by a newer PersonaCo (schema {version}, this version knows {latest}).",
        "Upgrade personaco or use another --home.",
    )


def db_file(conn: sqlite3.Connection) -> str:
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file or ":memory:"
    return ":memory:"


def backup(conn: sqlite3.Connection, backups_dir: Path, version: int) -> Path:
    """Copy the whole database to backups_dir/personaco-v{version}-{UTC time}.db.

    Written under a temporary name and renamed when complete, so a file with the final name
    is always a whole, consistent copy (a rollback-journal database, one self-contained file).
    """
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = backups_dir / f"personaco-v{version}-{stamp}.db"
    n = 1
    while dest.exists():
        dest = backups_dir / f"personaco-v{version}-{stamp}-{n}.db"
        n += 1
    # per process: several processes opening one old database in the same second pick the
    # same final name, and one must never unlink or write over another's copy in progress
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.partial")
    tmp.unlink(missing_ok=True)
    try:
        out = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
        tmp.replace(dest)
        log.info("backed up %s to %s", db_file(conn), dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def _backup_when_free(conn: sqlite3.Connection, backups_dir: Path, version: int) -> Path:
    """`backup`, retried while another process holds the database for its own upgrade (the
    backup reads every page, and a writer's commit locks readers out for a moment)."""
    deadline = time.monotonic() + 10.0
    while True:
        try:
            return backup(conn, backups_dir, version)
        except sqlite3.OperationalError as e:
            busy = "locked" in str(e) or "busy" in str(e)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def statements(sql: str) -> list[str]:
    """`sql` cut into single statements; strings, comments and trigger bodies stay whole.

    Migrations run statement by statement inside a transaction the runner already holds:
    `executescript()` would COMMIT it first, giving up the write lock between reading the
    schema version and changing the schema (two processes opening a new home at once would
    both apply 0001). A trailing piece that is only comments is a harmless no-op; an
    unfinished statement fails when run, like any other SQL error.
    """
    out: list[str] = []
    start = 0
    for at, ch in enumerate(sql):
        if ch == ";" and sqlite3.complete_statement(sql[start : at + 1]):
            out.append(sql[start : at + 1].strip())
            start = at + 1
    rest = sql[start:].strip()
    if rest:
        out.append(rest)
    return out


def _read(m: Migration) -> str:
    try:
        return m.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StoreError(
            f"Cannot read migration {m.path} ({e}).",
            "Reinstall personaco; nothing was changed.",
        ) from e


def _apply_one(conn: sqlite3.Connection, m: Migration, latest: int) -> bool:
    """Apply `m` in one transaction unless the database already has it; True if applied.

    The version is read again under the write lock (BEGIN IMMEDIATE): another process may
    have applied this very migration since the caller looked.
    """
    sql = _read(m)
    conn.execute("BEGIN IMMEDIATE")
    version = 0
    try:
        version = current_version(conn)
        if version > latest:
            raise newer_error(db_file(conn), version, latest)
        if version >= m.version:
            conn.execute("ROLLBACK")
            return False
        conn.execute(_RECORD_TABLE)
        for stmt in statements(sql):
            conn.execute(stmt)
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            (m.version, m.name),
        )
        conn.execute(f"PRAGMA user_version = {int(m.version)}")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise sqlite3.IntegrityError(f"{len(broken)} rows break a foreign key")
        conn.execute("COMMIT")
        log.info("applied migration %s to %s", m.path.name, db_file(conn))
        return True
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not isinstance(e, sqlite3.Error) or (
            getattr(e, "sqlite_errorcode", 0) & 0xFF in ENVIRONMENT_CODES
        ):
            raise
        detail = str(e).rstrip(".").replace("\n", " ")
        raise StoreError(
            f"Migration {m.path.name} failed ({detail}) and was rolled back; the database "
            f"stays at schema {version}.",
            "Report this as a bug; PersonaCo cannot run until it is fixed.",
        ) from e


def apply_all(
    conn: sqlite3.Connection, backups_dir: Path, directory: Path | None = None
) -> list[Migration]:
    """Apply every pending migration in order and return those applied.

    `conn` must be in autocommit mode (isolation_level=None) with no transaction open.
    Foreign keys are off while a migration runs (SQLite's advice for schema changes, which
    may rebuild tables) and the whole database is checked before each COMMIT. Several
    processes may call this on one file at once: each migration is applied exactly once.
    """
    known = discover(directory)
    latest = known[-1].version if known else 0
    version = current_version(conn)
    if version > latest:
        raise newer_error(db_file(conn), version, latest)
    if not any(m.version > version for m in known):
        return []
    if version > 0:
        # Outside the write lock: the backup API cannot copy from a connection that holds
        # one. If another process upgrades meanwhile, this is simply one backup too many.
        try:
            _backup_when_free(conn, backups_dir, version)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(
                f"Could not back up {db_file(conn)} into {backups_dir} before upgrading it "
                f"({str(e).rstrip('.')}).",
                "Free some space or fix that folder's permissions; nothing was changed.",
            ) from e
    fk_on = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        return [m for m in known if m.version > version and _apply_one(conn, m, latest)]
    finally:
        if fk_on:
            conn.execute("PRAGMA foreign_keys=ON")
