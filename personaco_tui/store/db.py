"""The SQLite store: one file, one sqlite3 connection per thread, explicit transactions.

Textual workers run in threads and a sqlite3 connection must not be shared between threads
mid-statement, so `Store.db` hands each thread its own connection wrapped in a
`sqlite_utils.Database`. Connections run in autocommit mode; `Store.transaction()` issues
BEGIN IMMEDIATE so a writer waits for the lock up front (busy_timeout) instead of failing
half-way. Every failure a person can act on becomes a one-line `StoreError` (failures.py).
A file that fails to open is never deleted, truncated or overwritten.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar, cast

import sqlite_utils

from ..errors import PersonacoError, StoreError
from ..locations import Locations
from . import migrate, recovery
from .failures import (
    BUSY_TIMEOUT_MS,
    damaged,
    disk_full,
    emptied,
    error_code,
    full_disk_error,
    stray_wal,
    translate,
)

log = logging.getLogger(__name__)
# The longest text one field holds. A 10 MB paste is fine; past this it is surely a file
# pasted by mistake, and SQLite's own limit (1 GB) would fail with a less helpful message.
MAX_TEXT_BYTES = 32 * 1024 * 1024

P = ParamSpec("P")
R = TypeVar("R")


class DuplicateNameError(PersonacoError):
    """A profile (or other named thing) with that name already exists."""


class InvalidInputError(PersonacoError):
    """A value cannot be stored: empty text, invalid unicode, an index out of range."""


def sqlite_version() -> tuple[str, tuple[int, int, int]]:
    """The SQLite library the store runs on (Python's, not a system one), as text and as
    numbers to compare."""
    return sqlite3.sqlite_version, sqlite3.sqlite_version_info


def utc_now() -> str:
    """Now in the schema's format (matches strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def check_text(text: str) -> str:
    """`text` unchanged, or InvalidInputError if it cannot be stored as UTF-8 or is longer
    than MAX_TEXT_BYTES.

    Lone surrogates (from broken clipboards or surrogateescape'd bytes) are refused rather
    than silently replaced, so what is stored is always exactly what the user saw.
    """
    if len(text) > MAX_TEXT_BYTES:  # each character is at least one byte: no need to encode
        raise too_long(len(text))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        code = ord(text[e.start])
        # U+DC80..U+DCFF: how Python keeps a byte of a command-line argument or file name
        # that is not UTF-8 (surrogateescape)
        byte = f" (the byte 0x{code - 0xDC00:02x}, not UTF-8?)" if 0xDC80 <= code <= 0xDCFF else ""
        raise InvalidInputError(
            f"Text contains invalid unicode (lone surrogate) at position {e.start}{byte}.",
            "Remove that character, or pass the text as UTF-8, and try again.",
        ) from None
    if size > MAX_TEXT_BYTES:
        raise too_long(size)
    return text


def too_long(size: int) -> InvalidInputError:
    mib = 1024 * 1024
    return InvalidInputError(
        f"The text is {size / mib:.1f} MB; PersonaCo stores at most {MAX_TEXT_BYTES // mib} MB "
        "in one message, signal or answer.",
        "Shorten it, or ask about a long document a part at a time.",
    )


def check_finite(value: float | None, what: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise InvalidInputError(f"The {what} must be a finite number, not {value}.")
    return value


class _Connection(sqlite3.Connection):
    """A connection whose transactions nest by joining the outermost one.

    `with conn:` (used by code that takes a raw connection) goes through the same
    begin/end as `Store.transaction()`, so it never commits an enclosing transaction early.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owns: list[bool] = []  # one entry per open level; True where we issued BEGIN

    @property
    def depth(self) -> int:
        return len(self._owns)

    def begin(self) -> None:
        owns = not self.in_transaction
        if owns:
            self.execute("BEGIN IMMEDIATE")
        self._owns.append(owns)

    def end(self, ok: bool) -> None:
        owns = self._owns.pop()
        if not owns or not self.in_transaction:
            return  # joined someone else's transaction, or an error already ended it
        if not ok:
            with contextlib.suppress(sqlite3.Error):  # the original error is the one to report
                self.execute("ROLLBACK")
            return
        try:
            self.execute("COMMIT")
        except BaseException:
            if self.in_transaction:
                self.execute("ROLLBACK")
            raise

    def __enter__(self) -> _Connection:
        self.begin()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        self.end(exc_type is None)
        return False


class _Database(sqlite_utils.Database):
    """sqlite_utils' own transactions (every `db[table].insert/update/delete` outside
    `Store.transaction()`) begin DEFERRED. In WAL mode a deferred transaction that must wait
    for another writer fails at once with "database is locked" instead of waiting: its
    snapshot is stale by the time it gets the lock. Here the outermost one is BEGIN
    IMMEDIATE, like `Store.transaction()`; nested ones keep sqlite_utils' savepoints."""

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        conn = cast(_Connection, self.conn)
        if conn.in_transaction:
            with super().atomic():
                yield self
            return
        conn.begin()
        ok = False
        try:
            yield self
            ok = True
        finally:
            conn.end(ok)


class Store:
    """The database file, migrated to the newest schema on open."""

    def __init__(
        self,
        path: str | Path,
        backups_dir: str | Path,
        *,
        migrations_dir: Path | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        migrate_now: bool = True,
    ) -> None:
        self.path = Path(path)
        self.backups_dir = Path(backups_dir)
        self.migrations_dir = migrations_dir
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: dict[int, tuple[threading.Thread, _Connection]] = {}
        self._closed = False
        # set when the disk is full and the file could be opened only to read: see
        # _open_read_only; every write then fails with the full-disk message
        self.read_only_uri: str | None = None
        self._preflight()
        try:
            with self.errors():
                self._open_first_waiting(migrate_now)
        except StoreError:
            if not (disk_full(self.path) and self._open_read_only()):
                self.close()
                raise
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, loc: Locations, *, migrations_dir: Path | None = None) -> Store:
        """Open (creating if needed) and migrate the database under `loc`."""
        try:
            loc.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"Cannot create the data folder {loc.data_dir} ({e.strerror}).",
                "Check its permissions, or use another --home.",
            ) from e
        return cls(loc.db_path, loc.backups_dir, migrations_dir=migrations_dir)

    # -- opening ----------------------------------------------------------------------------

    def _preflight(self) -> None:
        """Refuse files that are not SQLite or are too new before SQLite touches them."""
        latest = migrate.latest_version(self.migrations_dir)
        try:
            version = migrate.header_version(self.path)
        except ValueError:
            raise damaged(self.path, self.backups_dir) from None
        except OSError as e:
            raise StoreError(
                f"Cannot read {self.path} ({e.strerror}).",
                "Check the file's permissions, or use another --home.",
            ) from e
        if version is not None and version > latest:
            raise migrate.newer_error(self.path, version, latest)
        if version is not None and recovery.stray_wal(self.path):
            raise stray_wal(self.path)
        if version is None and self._emptied():
            newest = recovery.newest_backup(self.backups_dir)
            if newest is not None:
                raise emptied(self.path, newest)

    def _emptied(self) -> bool:
        """A zero-byte file with no WAL to recover it from (SQLite would start afresh)."""
        try:
            if not self.path.is_file() or self.path.stat().st_size:
                return False
            wal = recovery.sidecar(self.path, "-wal")
            return not wal.exists() or wal.stat().st_size == 0
        except OSError:
            return False

    def _open_first_waiting(self, migrate_now: bool) -> None:
        """`_open_first`, tried again until the busy timeout while another process holds the
        file in one of the ways SQLite answers SQLITE_BUSY at once instead of calling the
        busy handler (4 processes opening one new home together met one about once in 30
        starts). Every step of the first open can run twice: the migrations re-check the
        version under the write lock, and the rest is idempotent."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                return self._open_first(migrate_now)
            except sqlite3.OperationalError as e:
                if error_code(e) not in (5, 6) or time.monotonic() >= deadline:
                    raise
                log.info("%s busy on first open (%s); trying again", self.path, e)
                self._drop_connections()
                time.sleep(0.02 + random.random() * 0.05)

    def _open_first(self, migrate_now: bool) -> None:
        conn = self.db.conn
        # Reads first: a damaged file fails here, before anything could write to it. One
        # statement, so one snapshot: another process may be creating the schema right now.
        version, objects = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), "
            "(SELECT count(*) FROM sqlite_master)"
        ).fetchone()
        if version == 0 and objects:
            raise StoreError(
                f"{self.path} is an SQLite database, but not a PersonaCo one.",
                "Move it aside, or use another --home.",
            )
        latest = migrate.latest_version(self.migrations_dir)
        if version > latest:  # the header was stale: the newer version sat in the -wal file
            raise migrate.newer_error(self.path, version, latest)
        # WAL is a property of the file, so setting it once here covers every connection.
        conn.execute("PRAGMA journal_mode=WAL")
        if migrate_now:
            migrate.apply_all(conn, self.backups_dir, self.migrations_dir)
            _stamp_identity(cast(_Connection, conn))

    def _open_read_only(self) -> bool:
        """After a full disk refused the normal open: open the file to read only, so reads
        and exports still work. With no -wal file the database is whole in the main file,
        and `immutable` needs no -shm (which cannot be created); with a -wal, `mode=ro`
        still needs one. False if that fails too, or a migration is pending (it cannot run
        without space, and older tables would not answer this version's queries)."""
        self._drop_connections()
        wal = recovery.sidecar(self.path, "-wal")
        try:
            has_wal = wal.exists() and wal.stat().st_size > 0
        except OSError:
            return False
        query = "mode=ro" if has_wal else "immutable=1"
        self.read_only_uri = f"{self.path.absolute().as_uri()}?{query}"
        try:
            with self.errors():
                version = migrate.current_version(self.db.conn)
        except StoreError:
            version = -1
        if version != migrate.latest_version(self.migrations_dir):
            self._drop_connections()
            self.read_only_uri = None
            return False
        return True

    def _drop_connections(self) -> None:
        with self._lock:
            conns = [conn for _thread, conn in self._conns.values()]
            self._conns.clear()
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def _connect(self) -> _Connection:
        target: str | Path = self.path if self.read_only_uri is None else self.read_only_uri
        conn = sqlite3.connect(
            target,
            timeout=self.busy_timeout_ms / 1000,
            isolation_level=None,
            check_same_thread=False,  # so close() can close other threads' connections
            factory=_Connection,
            uri=self.read_only_uri is not None,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's database handle (opened on first use in each thread)."""
        if self._closed:
            raise StoreError(f"The store for {self.path} is closed.", "Open it again.")
        db = getattr(self._local, "db", None)
        if db is None:
            with self.errors():
                conn = self._connect()
            db = _Database(conn)
            self._local.db = db
            with self._lock:
                self._forget_dead_threads()
                self._conns[id(conn)] = (threading.current_thread(), conn)
        return db

    def _forget_dead_threads(self) -> None:
        # Workers come and go; without this each finished thread would keep a file open.
        for key, (thread, conn) in list(self._conns.items()):
            if not thread.is_alive():
                conn.close()
                del self._conns[key]

    # -- use --------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (re-raised). Used inside
        another transaction on the same thread, it joins that one."""
        db = self.db
        conn = cast(_Connection, db.conn)
        with self.errors():
            conn.begin()
        ok = False
        try:
            with self.errors():
                yield db
            ok = True
        finally:
            with self.errors():
                conn.end(ok)

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn failures of the file or the machine into one-line StoreErrors."""
        try:
            yield
        except sqlite3.Error as e:
            if self.read_only_uri is not None and error_code(e) == 8:  # SQLITE_READONLY
                raise full_disk_error(self.path, ": it was opened only to read") from e
            mapped = translate(e, self.path, self.backups_dir, self.busy_timeout_ms)
            if mapped is None:
                raise
            raise mapped from e

    @property
    def schema_version(self) -> int:
        with self.errors():
            return migrate.current_version(self.db.conn)

    @property
    def in_transaction(self) -> bool:
        return self.db.conn.in_transaction

    def close(self) -> None:
        """Close every connection this store opened, in any thread."""
        with self._lock:
            self._closed = True
        self._drop_connections()  # best effort; commits are already durable

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stamp_identity(conn: _Connection) -> None:
    """Give the file a random nonzero `application_id` once: the only mark of identity a
    WAL frame carries, so a -wal left by another file can be refused (recovery.stray_wal)."""
    if conn.execute("PRAGMA application_id").fetchone()[0]:
        return
    with conn:
        if not conn.execute("PRAGMA application_id").fetchone()[0]:
            stamp = int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF or 1
            conn.execute(f"PRAGMA application_id = {stamp}")


def guarded(fn: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Run a repository function with the store's error mapping."""

    @functools.wraps(fn)
    def wrapper(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with store.errors():
            return fn(store, *args, **kwargs)

    return wrapper


def insert_row(table: sqlite_utils.db.Table, record: dict[str, Any]) -> int:
    """Insert one row into a table with an integer primary key and return that key."""
    pk = table.insert(record).last_pk
    if not isinstance(pk, int):
        raise TypeError(f"{table.name} has no integer primary key (got {pk!r}).")
    return pk
