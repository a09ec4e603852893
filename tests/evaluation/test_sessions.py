"""Evaluation sessions on a real SQLite file: create, outputs, judgments, resume, export rows."""

from __future__ import annotations

import csv

import pytest

from personaco_tui.errors import NotFoundError
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.export import COLUMNS, write_csv
from personaco_tui.store.db import DuplicateNameError, InvalidInputError, Store

ITEMS = [
    S.EvalItem("q1", "What is a river?", ["No commas.", "Be brief."]),
    {"key": "q2", "query": "Explain recursion.", "signals": ["Use a poem."]},
]
CA = {"method": "personaco", "k": 4}
CB = {"method": "baseline", "k": 1}


@pytest.fixture
def store(loc):
    s = Store.open(loc)
    yield s
    s.close()


@pytest.fixture
def sid(store):
    return S.create_session(store, "run-1", ITEMS, CA, CB)


def test_create_and_get(store, sid):
    s = S.get_session(store, "run-1")
    assert s.id == sid and S.get_session(store, sid).name == "run-1"
    assert s.config_a == CA and s.config_b == CB
    assert [(i.key, i.query, i.signals, i.position) for i in s.items] == [
        ("q1", "What is a river?", ["No commas.", "Be brief."], 0),
        ("q2", "Explain recursion.", ["Use a poem."], 1),
    ]


def test_create_refuses_bad_input(store, sid):
    with pytest.raises(DuplicateNameError):
        S.create_session(store, "run-1", ITEMS, CA, CB)
    with pytest.raises(InvalidInputError):
        S.create_session(store, "run-2", [], CA, CB)
    with pytest.raises(InvalidInputError):
        S.create_session(store, "run-2", [S.EvalItem("x", "q", [])], CA, CB)
    with pytest.raises(InvalidInputError, match="repeated"):
        S.create_session(store, "run-2", [ITEMS[0], ITEMS[0]], CA, CB)
    with pytest.raises(NotFoundError):
        S.get_session(store, "run-2")  # nothing half-created
    with pytest.raises(NotFoundError):
        S.get_session(store, 999)


def test_outputs_and_resume(store, sid):
    items = S.get_session(store, sid).items
    pending = S.pending_outputs(store, sid)
    want = [("q1", "A"), ("q1", "B"), ("q2", "A"), ("q2", "B")]
    assert [(p.item_key, p.side) for p in pending] == want
    assert S.add_output(store, items[0].id, "A", "rivers flow")
    assert not S.add_output(store, items[0].id, "A", "second write")  # first wins
    assert [(p.item_key, p.side) for p in S.pending_outputs(store, sid)] == [
        ("q1", "B"),
        ("q2", "A"),
        ("q2", "B"),
    ]
    with pytest.raises(InvalidInputError):
        S.add_output(store, items[0].id, "C", "x")
    with pytest.raises(NotFoundError):
        S.add_output(store, 12345, "A", "x")


def _fill_outputs(store, sid):
    for it in S.get_session(store, sid).items:
        S.add_output(store, it.id, "A", f"A says {it.key}")
        S.add_output(store, it.id, "B", f"B says {it.key}")


def test_pending_judgments_skip_items_without_both_outputs(store, sid):
    it = S.get_session(store, sid).items[0]
    S.add_output(store, it.id, "A", "only A")
    assert S.pending_judgments(store, sid, "external", "m") == []


def test_judgments_resume_without_redoing(store, sid):
    _fill_outputs(store, sid)
    todo = S.pending_judgments(store, sid, "external", "gpt", passes=2)
    assert len(todo) == 3 * 2  # 3 (item, signal) cells x 2 passes
    by_cell = {(p.item_id, p.signal_idx, p.pass_no): p.order_shown for p in todo}
    for (item, si, p), order in by_cell.items():
        if p == 1:
            assert by_cell[(item, si, 2)] == S.swap(order)
    first = todo[0]
    assert (first.query, first.signal, first.response_a, first.response_b) == (
        "What is a river?",
        "No commas.",
        "A says q1",
        "B says q1",
    )
    # judge half, then "crash"
    for p in todo[:3]:
        S.add_judgment(
            store,
            p.item_id,
            p.signal_idx,
            judge_kind="external",
            judge_model="gpt",
            pass_no=p.pass_no,
            order_shown=p.order_shown,
            verdict="A",
            raw="A",
        )
    left = S.pending_judgments(store, sid, "external", "gpt", passes=2)
    assert left == todo[3:]
    # another judge model has its own pending work
    assert len(S.pending_judgments(store, sid, "external", "other", passes=2)) == 6
    # writing a finished cell again keeps the first verdict unless replace=True
    p = todo[0]
    kw = dict(judge_kind="external", judge_model="gpt", pass_no=1, order_shown=p.order_shown)
    assert not S.add_judgment(store, p.item_id, 0, verdict="B", **kw)
    assert S.judgment_rows(store, sid)[0]["verdict"] == "A"
    assert S.add_judgment(store, p.item_id, 0, verdict="INVALID", raw="??", replace=True, **kw)
    assert S.judgment_rows(store, sid)[0]["verdict"] == "INVALID"


def test_add_judgment_validates(store, sid):
    _fill_outputs(store, sid)
    it = S.get_session(store, sid).items[1]
    kw = dict(judge_kind="external", order_shown="AB")
    with pytest.raises(InvalidInputError, match="out of range"):
        S.add_judgment(store, it.id, 1, verdict="A", **kw)
    with pytest.raises(InvalidInputError):
        S.add_judgment(store, it.id, 0, verdict="maybe", **kw)
    with pytest.raises(InvalidInputError):
        S.add_judgment(store, it.id, 0, verdict="A", judge_kind="robot", order_shown="AB")
    with pytest.raises(InvalidInputError):
        S.add_judgment(store, it.id, 0, verdict="A", judge_kind="human", order_shown="BB")


def test_judgment_rows_feed_the_export(store, sid, tmp_path):
    _fill_outputs(store, sid)
    for p in S.pending_judgments(store, sid, "external", "gpt", passes=2):
        S.add_judgment(
            store,
            p.item_id,
            p.signal_idx,
            judge_kind="external",
            judge_model="gpt",
            pass_no=p.pass_no,
            order_shown=p.order_shown,
            verdict="SAME",
            raw=" same ",
        )
    rows = S.judgment_rows(store, "run-1")
    assert len(rows) == 6
    assert all(set(r) == set(COLUMNS) for r in rows)
    assert [(r["item_id"], r["signal"], r["pass"]) for r in rows[:2]] == [
        ("q1", "No commas.", 1),
        ("q1", "No commas.", 2),
    ]
    assert rows[-1]["response_b"] == "B says q2" and rows[-1]["session"] == "run-1"
    assert S.judgment_rows(store, sid, judge_model="nobody") == []
    out = write_csv(rows, tmp_path / "x.csv")
    with open(out, encoding="utf-8", newline="") as f:
        assert len(list(csv.reader(f))) == 7


def test_order_for_pass():
    assert S.order_for_pass(1) == "AB" and S.order_for_pass(2) == "BA"
    assert S.order_for_pass(1, "BA") == "BA" and S.order_for_pass(2, "BA") == "AB"
    with pytest.raises(ValueError):
        S.order_for_pass(3)
    with pytest.raises(ValueError):
        S.order_for_pass(1, "AA")
