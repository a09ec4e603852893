"""Evaluation sessions: items, each side's output, and judgments. This module holds the
rules (what may be stored, which work is pending, which order a pair is shown in); the rows
themselves are read and written by `store.evaluations`.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..store import evaluations as E
from ..store.db import InvalidInputError, Store, check_text
from ..store.evaluations import StoredItem as StoredItem
from ..store.names import clean_name
from .verdicts import ALL_VERDICTS, INVALID, ORDERS
from .verdicts import JUDGE_KINDS as JUDGE_KINDS

SIDES = ("A", "B")
# The raw text of an INVALID judgment stored because the request failed (timeout, server
# error after retries), not because the judge's reply was unreadable.
REQUEST_FAILED = "[request failed] "


@dataclass(frozen=True)
class EvalItem:
    key: str
    query: str
    signals: list[str]


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


def _session_first_orders(store: Store, row: E.SessionRow) -> dict[tuple[int, int], str]:
    items = E.session_items(store, row.id)
    by_key = first_orders(row.name, ((it.key, si) for it in items for si in range(len(it.signals))))
    return {(it.id, si): by_key[(it.key, si)] for it in items for si in range(len(it.signals))}


def cell_orders(store: Store, session: int | str) -> dict[tuple[int, int], str]:
    """Pass 1's shown order for every (item id, signal index) cell of the session."""
    return _session_first_orders(store, E.session_row(store, session))


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
    name = clean_name(name, "evaluation session")
    its = [_as_item(it, i) for i, it in enumerate(items)]
    if not its:
        raise InvalidInputError("A session needs at least one item.")
    keys = [it.key for it in its]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise InvalidInputError(f"Item keys must be unique; repeated: {', '.join(dupes[:5])}.")
    return E.insert_session(store, name, its, config_a, config_b)


def get_session(store: Store, session: int | str) -> Session:
    """The session by id or name, with its items in order."""
    r = E.session_row(store, session)
    return Session(r.id, r.name, r.config_a, r.config_b, r.created_at, E.session_items(store, r.id))


def add_output(
    store: Store, item_id: int, side: str, response: str, generation_id: int | None = None
) -> bool:
    """Store side A's or B's response for an item; False if one was already stored (kept)."""
    if side not in SIDES:
        raise InvalidInputError(f"Side must be 'A' or 'B', not {side!r}.")
    check_text(response)
    E.get_item(store, item_id)  # an unknown item is a NotFoundError, not a foreign-key error
    return E.insert_output(store, item_id, side, response, generation_id)


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
    signals = E.get_item(store, item_id).signals
    if not 0 <= signal_idx < len(signals):
        raise InvalidInputError(
            f"Signal index {signal_idx} is out of range (item has {len(signals)})."
        )
    return E.insert_judgment(
        store,
        item_id,
        signal_idx,
        judge_kind=judge_kind,
        judge_model=judge_model,
        pass_no=pass_no,
        order_shown=order_shown,
        verdict=verdict,
        raw=raw,
        replace=replace,
    )


def pending_outputs(store: Store, session: int | str) -> list[PendingOutput]:
    """(item, side) pairs with no stored response yet, in item order, A before B."""
    sid = E.session_row(store, session).id
    done = E.session_outputs(store, sid)
    return [
        PendingOutput(it.id, it.key, it.query, it.signals, side)
        for it in E.session_items(store, sid)
        for side in SIDES
        if (it.id, side) not in done
    ]


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
    row = E.session_row(store, session)
    outputs = E.session_outputs(store, row.id)
    first = _session_first_orders(store, row)
    stored = E.judge_judgments(store, row.id, judge_kind, judge_model)
    done = {
        (j.item_id, j.signal_idx, j.pass_no)
        for j in stored
        if not (retry_errors and j.verdict == INVALID and (j.raw or "").startswith(REQUEST_FAILED))
    }
    # a pass 1 stored earlier (e.g. by an older version, always "AB") decides pass 2's order
    first.update({(j.item_id, j.signal_idx): j.order_shown for j in stored if j.pass_no == 1})
    out = []
    for it in E.session_items(store, row.id):
        a, b = outputs.get((it.id, "A")), outputs.get((it.id, "B"))
        if a is None or b is None:
            continue
        for si, signal in enumerate(it.signals):
            for p in pass_list:
                if (it.id, si, p) not in done:
                    order = order_for_pass(p, first[(it.id, si)])
                    out.append(PendingJudgment(it.id, si, p, order, it.query, signal, a, b))
    return out


def judgment_rows(
    store: Store,
    session: int | str,
    judge_kind: str | None = None,
    judge_model: str | None = None,
) -> list[dict[str, Any]]:
    """Every judgment of the session as a row for `export.py` (its COLUMNS), in item,
    signal, judge and pass order. `item_id` is the item's key as given at creation."""
    s = E.session_row(store, session)
    return [
        {
            "session": s.name,
            "item_id": j.item_key,
            "query": j.query,
            "signal": j.signals[j.signal_idx] if 0 <= j.signal_idx < len(j.signals) else "",
            "config_a": s.config_a_json,
            "config_b": s.config_b_json,
            "response_a": j.response_a,
            "response_b": j.response_b,
            "order_shown": j.order_shown,
            "pass": j.pass_no,
            "verdict": j.verdict,
            "judge_kind": j.judge_kind,
            "judge_model": j.judge_model,
            "raw": j.raw,
            "created_at": j.created_at,
        }
        for j in E.judgments_with_context(store, s.id, judge_kind, judge_model)
    ]
