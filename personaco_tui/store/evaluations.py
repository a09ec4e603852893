"""Evaluation sessions as stored: sessions, their items, each side's output, and judgments.

Only storage lives here; what may be stored (sides, verdicts, judge kinds, signal indexes)
and the order responses are shown in are `evaluation.sessions`' business. Writes of an
output or a judgment that already exists are no-ops (the schema's UNIQUE constraints), so a
killed run resumes without duplicates; `insert_judgment(replace=True)` overwrites instead.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import NotFoundError
from .db import DuplicateNameError, Store, guarded
from .names import clash, find_name

# A config or signals list comes back from JSON; a config's values are whatever the
# method's settings hold (numbers, text, booleans), hence Any.
Config = dict[str, Any]


class NewItem(Protocol):
    """What an item needs to be stored (evaluation.sessions.EvalItem is one)."""

    @property
    def key(self) -> str: ...

    @property
    def query(self) -> str: ...

    @property
    def signals(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class StoredItem:
    id: int
    key: str
    query: str
    signals: list[str]
    position: int


@dataclass(frozen=True)
class SessionRow:
    """A session's own row. The configs are kept as the JSON text stored, which exports
    show verbatim."""

    id: int
    name: str
    config_a_json: str
    config_b_json: str
    created_at: str

    @property
    def config_a(self) -> Config:
        return _config(self.config_a_json)

    @property
    def config_b(self) -> Config:
        return _config(self.config_b_json)


@dataclass(frozen=True)
class StoredJudgment:
    item_id: int
    signal_idx: int
    pass_no: int
    order_shown: str
    verdict: str
    raw: str | None


@dataclass(frozen=True)
class JudgmentWithContext:
    """A judgment joined with its item and both outputs (None where an output is missing)."""

    item_key: str
    query: str
    signals: list[str]
    signal_idx: int
    response_a: str | None
    response_b: str | None
    order_shown: str
    pass_no: int
    verdict: str
    judge_kind: str
    judge_model: str
    raw: str | None
    created_at: str


@dataclass(frozen=True)
class SessionProgress:
    """How far a session has got: counts only, for listing every session at once."""

    id: int
    name: str
    config_a: Config
    config_b: Config
    items: int
    pairs: int  # (item, signal) pairs
    outputs_a: int
    outputs_b: int
    judgments: dict[str, int] = field(default_factory=dict)  # by judge kind


def _config(text: str) -> Config:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _signals(text: str) -> list[str]:
    return [str(s) for s in json.loads(text)]


def _dump(config: Mapping[str, Any]) -> str:
    return json.dumps(dict(config), ensure_ascii=False, sort_keys=True)


# -- sessions and items ---------------------------------------------------------------------


@guarded
def insert_session(
    store: Store,
    name: str,
    items: Iterable[NewItem],
    config_a: Mapping[str, Any],
    config_b: Mapping[str, Any],
) -> int:
    """Store a session and its items (positions in the given order) in one transaction;
    returns the session id. DuplicateNameError when the name is taken."""
    try:
        with store.transaction() as db:
            names = [str(r[0]) for r in db.execute("SELECT name FROM eval_sessions").fetchall()]
            taken = clash(name, names)
            if taken is not None:
                raise DuplicateNameError(
                    f"An evaluation session named {taken!r} already exists"
                    + ("." if taken == name else f", and {name!r} differs only in case."),
                    "Pick another name.",
                )
            cur = db.execute(
                "INSERT INTO eval_sessions (name, config_a, config_b) VALUES (?, ?, ?)",
                [name, _dump(config_a), _dump(config_b)],
            )
            sid = cur.lastrowid
            assert sid is not None  # an INSERT that did not raise has a row id
            db.conn.executemany(
                "INSERT INTO eval_items (session_id, item_key, query, signals_json, position) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (sid, it.key, it.query, json.dumps(list(it.signals), ensure_ascii=False), i)
                    for i, it in enumerate(items)
                ),
            )
    except sqlite3.IntegrityError as e:
        if "eval_sessions.name" in str(e):
            raise DuplicateNameError(
                f"An evaluation session named {name!r} already exists.", "Pick another name."
            ) from None
        raise
    return sid


@guarded
def session_row(store: Store, session: int | str) -> SessionRow:
    """The session by id (an int) or name (a str); NotFoundError when there is none."""
    column = "id" if isinstance(session, int) else "name"
    query = f"SELECT id, name, config_a, config_b, created_at FROM eval_sessions WHERE {column} = ?"
    row = store.db.execute(query, [session]).fetchone()
    if row is None and isinstance(session, str):  # "cmp" finds "Cmp", NFD finds NFC
        names = [str(r[0]) for r in store.db.execute("SELECT name FROM eval_sessions")]
        meant = find_name(session, names)
        if meant is not None:
            row = store.db.execute(query, [meant]).fetchone()
    if row is None:
        raise NotFoundError(f"No evaluation session {session!r}.", "Check the name or id.")
    return SessionRow(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]))


def _item(row: Sequence[Any]) -> StoredItem:
    return StoredItem(int(row[0]), str(row[1]), str(row[2]), _signals(row[3]), int(row[4]))


_ITEM_COLUMNS = "id, item_key, query, signals_json, position"


@guarded
def session_items(store: Store, session_id: int) -> list[StoredItem]:
    """The session's items in their stored order."""
    rows = store.db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM eval_items WHERE session_id = ? ORDER BY position, id",
        [session_id],
    ).fetchall()
    return [_item(r) for r in rows]


@guarded
def get_item(store: Store, item_id: int) -> StoredItem:
    row = store.db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM eval_items WHERE id = ?", [item_id]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No evaluation item with id {item_id}.")
    return _item(row)


# -- outputs --------------------------------------------------------------------------------


@guarded
def insert_output(
    store: Store, item_id: int, side: str, response: str, generation_id: int | None = None
) -> bool:
    """Store a side's response; False if that side already had one (the first is kept)."""
    with store.transaction() as db:
        cur = db.execute(
            "INSERT OR IGNORE INTO eval_outputs (item_id, side, generation_id, response) "
            "VALUES (?, ?, ?, ?)",
            [item_id, side, generation_id, response],
        )
        return cur.rowcount == 1


@guarded
def session_outputs(store: Store, session_id: int) -> dict[tuple[int, str], str]:
    """Every stored response of the session by (item id, side)."""
    rows = store.db.execute(
        "SELECT o.item_id, o.side, o.response FROM eval_outputs o "
        "JOIN eval_items i ON i.id = o.item_id WHERE i.session_id = ?",
        [session_id],
    ).fetchall()
    return {(int(r[0]), str(r[1])): str(r[2]) for r in rows}


# -- judgments ------------------------------------------------------------------------------


@guarded
def insert_judgment(
    store: Store,
    item_id: int,
    signal_idx: int,
    *,
    judge_kind: str,
    judge_model: str,
    pass_no: int,
    order_shown: str,
    verdict: str,
    raw: str | None,
    replace: bool = False,
) -> bool:
    """Store one verdict; False if that judgment existed and `replace` is false."""
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    with store.transaction() as db:
        cur = db.execute(
            f"{verb} INTO judgments (item_id, signal_idx, judge_kind, judge_model, pass, "
            "order_shown, verdict, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [item_id, signal_idx, judge_kind, judge_model, pass_no, order_shown, verdict, raw],
        )
        return cur.rowcount >= 1


@guarded
def judge_judgments(
    store: Store, session_id: int, judge_kind: str, judge_model: str
) -> list[StoredJudgment]:
    """Every judgment one judge (kind and model) has stored in the session."""
    rows = store.db.execute(
        "SELECT j.item_id, j.signal_idx, j.pass, j.order_shown, j.verdict, j.raw FROM judgments j "
        "JOIN eval_items i ON i.id = j.item_id "
        "WHERE i.session_id = ? AND j.judge_kind = ? AND j.judge_model = ?",
        [session_id, judge_kind, judge_model],
    ).fetchall()
    return [
        StoredJudgment(int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), r[5]) for r in rows
    ]


@guarded
def judgments_with_context(
    store: Store,
    session_id: int,
    judge_kind: str | None = None,
    judge_model: str | None = None,
) -> list[JudgmentWithContext]:
    """The session's judgments (of one judge kind and/or model when given) with their items
    and outputs, in item, signal, judge and pass order."""
    sql = (
        "SELECT i.item_key, i.query, i.signals_json, j.signal_idx, oa.response, ob.response, "
        "j.order_shown, j.pass, j.verdict, j.judge_kind, j.judge_model, j.raw, j.created_at "
        "FROM judgments j JOIN eval_items i ON i.id = j.item_id "
        "LEFT JOIN eval_outputs oa ON oa.item_id = i.id AND oa.side = 'A' "
        "LEFT JOIN eval_outputs ob ON ob.item_id = i.id AND ob.side = 'B' "
        "WHERE i.session_id = ?"
    )
    args: list[int | str] = [session_id]
    if judge_kind is not None:
        sql += " AND j.judge_kind = ?"
        args.append(judge_kind)
    if judge_model is not None:
        sql += " AND j.judge_model = ?"
        args.append(judge_model)
    sql += " ORDER BY i.position, i.id, j.signal_idx, j.judge_kind, j.judge_model, j.pass"
    return [
        JudgmentWithContext(
            item_key=str(r[0]),
            query=str(r[1]),
            signals=_signals(r[2]),
            signal_idx=int(r[3]),
            response_a=r[4],
            response_b=r[5],
            order_shown=str(r[6]),
            pass_no=int(r[7]),
            verdict=str(r[8]),
            judge_kind=str(r[9]),
            judge_model=str(r[10]),
            raw=r[11],
            created_at=str(r[12]),
        )
        for r in store.db.execute(sql, args).fetchall()
    ]


@guarded
def delete_last_judgment(
    store: Store, session_id: int, judge_kind: str, judge_model: str, passes: Sequence[int]
) -> StoredJudgment | None:
    """Delete one judge's most recent judgment in the session (among `passes`) and return
    it, or None when there is none. "Most recent" is the highest row id: ids only grow, and
    a replaced judgment is re-inserted with a new one."""
    if not passes:
        return None
    marks = ",".join("?" for _ in passes)
    with store.transaction() as db:
        row = db.execute(
            "SELECT j.id, j.item_id, j.signal_idx, j.pass, j.order_shown, j.verdict, j.raw "
            "FROM judgments j JOIN eval_items i ON i.id = j.item_id "
            "WHERE i.session_id = ? AND j.judge_kind = ? AND j.judge_model = ? "
            f"AND j.pass IN ({marks}) ORDER BY j.id DESC LIMIT 1",
            [session_id, judge_kind, judge_model, *passes],
        ).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM judgments WHERE id = ?", [row[0]])
    return StoredJudgment(int(row[1]), int(row[2]), int(row[3]), str(row[4]), str(row[5]), row[6])


# -- listing --------------------------------------------------------------------------------


@guarded
def session_progress(store: Store) -> list[SessionProgress]:
    """Every session with its counts, newest first: three aggregate queries in all, not
    one per session, so a long list opens at once."""
    db = store.db
    per_items: dict[int, tuple[int, int, int, int]] = {
        int(r[0]): (int(r[1]), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
        for r in db.execute(
            "SELECT i.session_id, count(*), sum(json_array_length(i.signals_json)), "
            "sum(EXISTS (SELECT 1 FROM eval_outputs o WHERE o.item_id = i.id AND o.side = 'A')), "
            "sum(EXISTS (SELECT 1 FROM eval_outputs o WHERE o.item_id = i.id AND o.side = 'B')) "
            "FROM eval_items i GROUP BY i.session_id"
        ).fetchall()
    }
    judged: dict[int, dict[str, int]] = {}
    for sid, kind, n in db.execute(
        "SELECT i.session_id, j.judge_kind, count(*) FROM judgments j "
        "JOIN eval_items i ON i.id = j.item_id GROUP BY i.session_id, j.judge_kind"
    ).fetchall():
        judged.setdefault(int(sid), {})[str(kind)] = int(n)
    out = []
    for sid, name, cfg_a, cfg_b in db.execute(
        "SELECT id, name, config_a, config_b FROM eval_sessions ORDER BY id DESC"
    ).fetchall():
        items, pairs, out_a, out_b = per_items.get(sid, (0, 0, 0, 0))
        out.append(
            SessionProgress(
                int(sid),
                str(name),
                _config(cfg_a),
                _config(cfg_b),
                items,
                pairs,
                out_a,
                out_b,
                judged.get(sid, {}),
            )
        )
    return out
