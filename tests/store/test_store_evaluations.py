"""store/evaluations.py: the rows behind evaluation sessions, read and written directly."""

from __future__ import annotations

import pytest

from personaco_tui.errors import NotFoundError
from personaco_tui.evaluation.sessions import EvalItem
from personaco_tui.store import evaluations as E
from personaco_tui.store.db import DuplicateNameError, Store

ITEMS = [EvalItem("q1", "Hello?", ["Be brief.", "No emoji."]), EvalItem("q2", "Why?", ["Cite."])]


def _judge(store: Store, item_id: int, signal_idx: int, kind: str, model: str, p: int) -> None:
    E.insert_judgment(
        store,
        item_id,
        signal_idx,
        judge_kind=kind,
        judge_model=model,
        pass_no=p,
        order_shown="AB",
        verdict="A",
        raw=None,
    )


def test_session_rows_round_trip_and_names_are_unique(store: Store) -> None:
    sid = E.insert_session(store, "s", ITEMS, {"method": "baseline"}, {"k": 4, "é": "ü"})
    row = E.session_row(store, "s")
    assert row == E.session_row(store, sid)
    assert (row.config_a, row.config_b) == ({"method": "baseline"}, {"k": 4, "é": "ü"})
    items = E.session_items(store, sid)
    assert [(it.key, it.signals, it.position) for it in items] == [
        ("q1", ["Be brief.", "No emoji."], 0),
        ("q2", ["Cite."], 1),
    ]
    assert E.get_item(store, items[1].id) == items[1]
    with pytest.raises(DuplicateNameError, match="'s' already exists"):
        E.insert_session(store, "s", ITEMS, {}, {})
    with pytest.raises(NotFoundError):
        E.session_row(store, "nope")
    with pytest.raises(NotFoundError):
        E.get_item(store, 9999)


def test_session_progress_counts_every_session_newest_first(store: Store) -> None:
    old = E.insert_session(store, "old", ITEMS, {}, {})
    new = E.insert_session(store, "new", ITEMS[:1], {"k": 2}, {})
    q1, q2 = E.session_items(store, old)
    assert E.insert_output(store, q1.id, "A", "a1")
    assert not E.insert_output(store, q1.id, "A", "again")  # the first output is kept
    E.insert_output(store, q2.id, "A", "a2")
    E.insert_output(store, q2.id, "B", "b2")
    _judge(store, q1.id, 0, "external", "jm", 1)
    _judge(store, q1.id, 1, "external", "jm", 1)
    _judge(store, q2.id, 0, "human", "you", 1)
    progress = E.session_progress(store)
    assert [p.id for p in progress] == [new, old]
    latest, first = progress
    assert (latest.items, latest.pairs, latest.outputs_a, latest.outputs_b) == (1, 2, 0, 0)
    assert latest.config_a == {"k": 2} and latest.judgments == {}
    assert (first.items, first.pairs, first.outputs_a, first.outputs_b) == (2, 3, 2, 1)
    assert first.judgments == {"external": 2, "human": 1}
    assert E.session_outputs(store, old) == {
        (q1.id, "A"): "a1",
        (q2.id, "A"): "a2",
        (q2.id, "B"): "b2",
    }


def test_delete_last_judgment_takes_only_that_judges_newest_in_the_passes(store: Store) -> None:
    sid = E.insert_session(store, "s", ITEMS, {}, {})
    q1, q2 = E.session_items(store, sid)
    _judge(store, q1.id, 0, "human", "you", 1)
    _judge(store, q1.id, 1, "human", "you", 2)
    _judge(store, q2.id, 0, "human", "someone else", 1)
    _judge(store, q2.id, 0, "external", "you", 1)
    gone = E.delete_last_judgment(store, sid, "human", "you", [1])
    assert gone is not None and (gone.item_id, gone.signal_idx, gone.pass_no) == (q1.id, 0, 1)
    assert E.delete_last_judgment(store, sid, "human", "you", [1]) is None
    assert E.delete_last_judgment(store, sid, "human", "you", []) is None
    left = {
        (j.item_id, j.signal_idx, j.pass_no) for j in E.judge_judgments(store, sid, "human", "you")
    }
    assert left == {(q1.id, 1, 2)}
    assert len(E.judge_judgments(store, sid, "human", "someone else")) == 1
    assert len(E.judge_judgments(store, sid, "external", "you")) == 1
