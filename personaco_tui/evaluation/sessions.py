"""Evaluation sessions in the store: items, each side's output, and judgments.

A run can be killed at any point and resumed: `pending_outputs` and `pending_judgments`
list only the work that has no row yet, and the schema's UNIQUE constraints make a second
write of the same output or judgment a no-op (the first write wins; pass `replace=True` to
`add_judgment` to overwrite, e.g. to re-judge INVALID verdicts).

The order the two responses are shown in is randomised per (item, signal) cell and
reproducible: `first_orders` ranks a session's cells by a SHA-256 hash of (session name, item
key, signal index) and shows the first half of that ranking "AB" and the rest "BA", so pass 1
is balanced (half the cells each way, one more "AB" when the count is odd) and the same on
every call and every machine. Pass 2, the order-swapped pass, shows each cell the other way
round from its pass 1 (from the stored pass 1 when there is one). Verdicts are stored about
the true methods (already unswapped), with the order they were shown in.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError
from ..store.db import DuplicateNameError, InvalidInputError, Store, check_text, guarded
from .verdicts import ALL_VERDICTS, INVALID, ORDERS

SIDES = ("A", "B")
JUDGE_KINDS = ("external", "human", "verifiable")
# The raw text of an INVALID judgment stored because the request failed (timeout, server
# error after retries), not because the judge's reply was unreadable.
REQUEST_FAILED = "[request failed] "


@dataclass(frozen=True)
class EvalItem:
    key: str
    query: str
    signals: list[str]


@dataclass(frozen=True)
class StoredItem:
    id: int
    key: str
    query: str
    signals: list[str]
    position: int


@dataclass(frozen=True)
class Session:
    id: int
    name: str
    config_a: dict[str, Any]
    config_b: dict[str, Any]
    created_at: str
    items: list[StoredItem]


@dataclass(frozen=True)
class PendingOutput:
    item_id: int
    item_key: str
    query: str
    signals: list[str]
    side: str


@dataclass(frozen=True)
class PendingJudgment:
    item_id: int
    signal_idx: int
    pass_no: int
    order_shown: str
    query: str
    signal: str
    response_a: str
    response_b: str


def swap(order: str) -> str:
    if order not in ORDERS:
        raise ValueError(f"order must be 'AB' or 'BA', not {order!r}")
    return "BA" if order == "AB" else "AB"


def order_for_pass(pass_no: int, first: str = "AB") -> str:
    """The order shown in a pass, given the cell's pass-1 order `first`: pass 2 swaps it."""
    if pass_no not in (1, 2):
        raise ValueError(f"pass must be 1 or 2, not {pass_no}")
    if first not in ORDERS:
        raise ValueError(f"order must be 'AB' or 'BA', not {first!r}")
    return first if pass_no == 1 else swap(first)


def _cell_rank(session_name: str, item_key: str, signal_idx: int) -> bytes:
    return hashlib.sha256(f"{session_name}\x1f{item_key}\x1f{signal_idx}".encode()).digest()


def first_orders(session_name: str, cells: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Pass 1's order for each (item key, signal index) cell of a session: a reproducible,
    balanced pseudo-random split (see the module docstring). Pure: depends only on the
    session's name and its cells."""
    ranked = sorted(set(cells), key=lambda c: (_cell_rank(session_name, *c), c))
    half = (len(ranked) + 1) // 2
    return {c: ("AB" if i < half else "BA") for i, c in enumerate(ranked)}


def _session_first_orders(store: Store, row: Mapping[str, Any]) -> dict[tuple[int, int], str]:
    items = _items(store, row["id"])
    by_key = first_orders(
        row["name"], ((it.key, si) for it in items for si in range(len(it.signals)))
    )
    return {(it.id, si): by_key[(it.key, si)] for it in items for si in range(len(it.signals))}


@guarded
def cell_orders(store: Store, session: int | str) -> dict[tuple[int, int], str]:
    """Pass 1's shown order for every (item id, signal index) cell of the session."""
    return _session_first_orders(store, _session_row(store, session))


def _as_item(item: EvalItem | Mapping[str, Any], position: int) -> EvalItem:
    if isinstance(item, EvalItem):
        it = item
    else:
        key = item.get("key", item.get("item_key", item.get("id", position)))
        it = EvalItem(str(key), item.get("query", ""), list(item.get("signals", [])))
    if not isinstance(it.query, str) or not it.query.strip():
        raise InvalidInputError(f"Item {it.key!r} has an empty query.")
    if not it.signals or not all(isinstance(s, str) and s.strip() for s in it.signals):
        raise InvalidInputError(f"Item {it.key!r} needs at least one non-empty signal.")
    for text in (it.key, it.query, *it.signals):
        check_text(text)
    return it


def _session_row(store: Store, session: int | str) -> dict[str, Any]:
    where, arg = ("id = ?", session) if isinstance(session, int) else ("name = ?", session)
    row = next(iter(store.db["eval_sessions"].rows_where(where, [arg], limit=1)), None)
    if row is None:
        raise NotFoundError(f"No evaluation session {session!r}.", "Check the name or id.")
    return row


def _items(store: Store, session_id: int) -> list[StoredItem]:
    rows = store.db["eval_items"].rows_where(
        "session_id = ?", [session_id], order_by="position, id"
    )
    return [
        StoredItem(r["id"], r["item_key"], r["query"], json.loads(r["signals_json"]), r["position"])
        for r in rows
    ]


@guarded
def create_session(
    store: Store,
    name: str,
    items: Iterable[EvalItem | Mapping[str, Any]],
    config_a: Mapping[str, Any],
    config_b: Mapping[str, Any],
) -> int:
    """Store a session with its items (in the given order); returns the session id."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("A session needs a name.")
    check_text(name)
    its = [_as_item(it, i) for i, it in enumerate(items)]
    if not its:
        raise InvalidInputError("A session needs at least one item.")
    keys = [it.key for it in its]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise InvalidInputError(f"Item keys must be unique; repeated: {', '.join(dupes[:5])}.")
    try:
        with store.transaction() as db:
            sid = int(
                db["eval_sessions"]
                .insert(
                    {
                        "name": name.strip(),
                        "config_a": json.dumps(dict(config_a), ensure_ascii=False, sort_keys=True),
                        "config_b": json.dumps(dict(config_b), ensure_ascii=False, sort_keys=True),
                    }
                )
                .last_pk
            )
            db["eval_items"].insert_all(
                {
                    "session_id": sid,
                    "item_key": it.key,
                    "query": it.query,
                    "signals_json": json.dumps(it.signals, ensure_ascii=False),
                    "position": i,
                }
                for i, it in enumerate(its)
            )
    except sqlite3.IntegrityError as e:
        if "eval_sessions.name" in str(e):
            raise DuplicateNameError(
                f"An evaluation session named {name.strip()!r} already exists.",
                "Pick another name.",
            ) from None
        raise
    return sid


@guarded
def get_session(store: Store, session: int | str) -> Session:
    """The session by id or name, with its items in order."""
    r = _session_row(store, session)
    return Session(
        r["id"],
        r["name"],
        json.loads(r["config_a"]),
        json.loads(r["config_b"]),
        r["created_at"],
        _items(store, r["id"]),
    )


def _item(store: Store, item_id: int) -> dict[str, Any]:
    row = next(iter(store.db["eval_items"].rows_where("id = ?", [item_id], limit=1)), None)
    if row is None:
        raise NotFoundError(f"No evaluation item with id {item_id}.")
    return row


@guarded
def add_output(
    store: Store, item_id: int, side: str, response: str, generation_id: int | None = None
) -> bool:
    """Store side A's or B's response for an item; False if one was already stored (kept)."""
    if side not in SIDES:
        raise InvalidInputError(f"Side must be 'A' or 'B', not {side!r}.")
    check_text(response)
    _item(store, item_id)
    with store.transaction() as db:
        cur = db.execute(
            "INSERT OR IGNORE INTO eval_outputs (item_id, side, generation_id, response) "
            "VALUES (?, ?, ?, ?)",
            [item_id, side, generation_id, response],
        )
        return cur.rowcount == 1


@guarded
def add_judgment(
    store: Store,
    item_id: int,
    signal_idx: int,
    *,
    judge_kind: str,
    verdict: str,
    order_shown: str,
    judge_model: str = "",
    pass_no: int = 1,
    raw: str | None = None,
    replace: bool = False,
) -> bool:
    """Store one verdict (about the true methods); False if that judgment existed and
    `replace` is false (the stored one is kept)."""
    if judge_kind not in JUDGE_KINDS:
        raise InvalidInputError(f"Unknown judge kind {judge_kind!r}.")
    if verdict not in ALL_VERDICTS:
        raise InvalidInputError(f"Unknown verdict {verdict!r}.")
    if order_shown not in ORDERS:
        raise InvalidInputError(f"order_shown must be 'AB' or 'BA', not {order_shown!r}.")
    if raw is not None:
        check_text(raw)
    signals = json.loads(_item(store, item_id)["signals_json"])
    if not 0 <= signal_idx < len(signals):
        raise InvalidInputError(
            f"Signal index {signal_idx} is out of range (item has {len(signals)})."
        )
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    with store.transaction() as db:
        cur = db.execute(
            f"{verb} INTO judgments (item_id, signal_idx, judge_kind, judge_model, pass, "
            "order_shown, verdict, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [item_id, signal_idx, judge_kind, judge_model, pass_no, order_shown, verdict, raw],
        )
        return cur.rowcount >= 1


def _outputs(store: Store, session_id: int) -> dict[tuple[int, str], str]:
    rows = store.db.execute(
        "SELECT o.item_id, o.side, o.response FROM eval_outputs o "
        "JOIN eval_items i ON i.id = o.item_id WHERE i.session_id = ?",
        [session_id],
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


@guarded
def pending_outputs(store: Store, session: int | str) -> list[PendingOutput]:
    """(item, side) pairs with no stored response yet, in item order, A before B."""
    sid = _session_row(store, session)["id"]
    done = _outputs(store, sid)
    return [
        PendingOutput(it.id, it.key, it.query, it.signals, side)
        for it in _items(store, sid)
        for side in SIDES
        if (it.id, side) not in done
    ]


@guarded
def pending_judgments(
    store: Store,
    session: int | str,
    judge_kind: str,
    judge_model: str = "",
    passes: int | Sequence[int] = 1,
    *,
    retry_errors: bool = False,
) -> list[PendingJudgment]:
    """(item, signal, pass) cells this judge has not judged yet, for items whose two
    outputs both exist, with the order to show them in. `passes` = 2 means passes 1 and 2.
    `retry_errors` also lists cells stored as INVALID because the request failed (their raw
    text starts with `REQUEST_FAILED`), to be judged again and replaced."""
    pass_list = list(range(1, passes + 1)) if isinstance(passes, int) else list(passes)
    for p in pass_list:
        order_for_pass(p)  # validates
    row = _session_row(store, session)
    sid = row["id"]
    outputs = _outputs(store, sid)
    first = _session_first_orders(store, row)
    stored = store.db.execute(
        "SELECT j.item_id, j.signal_idx, j.pass, j.order_shown, j.verdict, j.raw FROM judgments j "
        "JOIN eval_items i ON i.id = j.item_id "
        "WHERE i.session_id = ? AND j.judge_kind = ? AND j.judge_model = ?",
        [sid, judge_kind, judge_model],
    ).fetchall()
    done = {
        (r[0], r[1], r[2])
        for r in stored
        if not (retry_errors and r[4] == INVALID and (r[5] or "").startswith(REQUEST_FAILED))
    }
    # a pass 1 stored earlier (e.g. by an older version, always "AB") decides pass 2's order
    first.update({(r[0], r[1]): r[3] for r in stored if r[2] == 1})
    out = []
    for it in _items(store, sid):
        a, b = outputs.get((it.id, "A")), outputs.get((it.id, "B"))
        if a is None or b is None:
            continue
        for si, signal in enumerate(it.signals):
            for p in pass_list:
                if (it.id, si, p) not in done:
                    order = order_for_pass(p, first[(it.id, si)])
                    out.append(PendingJudgment(it.id, si, p, order, it.query, signal, a, b))
    return out


@guarded
def judgment_rows(
    store: Store,
    session: int | str,
    judge_kind: str | None = None,
    judge_model: str | None = None,
) -> list[dict[str, Any]]:
    """Every judgment of the session as a row for `export.py` (its COLUMNS), in item,
    signal, judge and pass order. `item_id` is the item's key as given at creation."""
    s = _session_row(store, session)
    sql = (
        "SELECT i.item_key, i.query, i.signals_json, j.signal_idx, oa.response, ob.response, "
        "j.order_shown, j.pass, j.verdict, j.judge_kind, j.judge_model, j.raw, j.created_at "
        "FROM judgments j JOIN eval_items i ON i.id = j.item_id "
        "LEFT JOIN eval_outputs oa ON oa.item_id = i.id AND oa.side = 'A' "
        "LEFT JOIN eval_outputs ob ON ob.item_id = i.id AND ob.side = 'B' "
        "WHERE i.session_id = ?"
    )
    args: list[Any] = [s["id"]]
    if judge_kind is not None:
        sql += " AND j.judge_kind = ?"
        args.append(judge_kind)
    if judge_model is not None:
        sql += " AND j.judge_model = ?"
        args.append(judge_model)
    sql += " ORDER BY i.position, i.id, j.signal_idx, j.judge_kind, j.judge_model, j.pass"
    rows = []
    for r in store.db.execute(sql, args).fetchall():
        signals = json.loads(r[2])
        rows.append(
            {
                "session": s["name"],
                "item_id": r[0],
                "query": r[1],
                "signal": signals[r[3]] if 0 <= r[3] < len(signals) else "",
                "config_a": s["config_a"],
                "config_b": s["config_b"],
                "response_a": r[4],
                "response_b": r[5],
                "order_shown": r[6],
                "pass": r[7],
                "verdict": r[8],
                "judge_kind": r[9],
                "judge_model": r[10],
                "raw": r[11],
                "created_at": r[12],
            }
        )
    return rows
