"""The A/B order shown to a judge: randomised per (item, signal) cell, balanced, the same on
every call, and swapped in pass 2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personaco_tui.evaluation import sessions as S
from personaco_tui.store.db import Store

ITEMS = [
    S.EvalItem(f"q{i}", f"Question number {i}?", [f"Signal {i}.{j}" for j in range(1 + i % 3)])
    for i in range(12)
]
N_CELLS = sum(len(it.signals) for it in ITEMS)  # 24


@pytest.fixture
def store(loc):
    s = Store.open(loc)
    yield s
    s.close()


def _session(store, name: str = "orders") -> int:
    sid = S.create_session(store, name, ITEMS, {"method": "baseline"}, {"method": "personaco"})
    for it in S.get_session(store, sid).items:
        S.add_output(store, it.id, "A", f"A on {it.key}")
        S.add_output(store, it.id, "B", f"B on {it.key}")
    return sid


def test_pass_one_orders_are_mixed_balanced_and_stable(store):
    sid = _session(store)
    first = S.pending_judgments(store, sid, "external", "m")
    assert len(first) == N_CELLS
    orders = [p.order_shown for p in first]
    assert orders.count("AB") == orders.count("BA") == N_CELLS // 2
    # not a simple alternation or block either
    assert orders != ["AB", "BA"] * (N_CELLS // 2) and orders != sorted(orders)
    # the same on every call, and for every judge
    assert [p.order_shown for p in S.pending_judgments(store, sid, "external", "m")] == orders
    assert [p.order_shown for p in S.pending_judgments(store, sid, "human", "")] == orders
    cells = S.cell_orders(store, sid)
    assert [cells[(p.item_id, p.signal_idx)] for p in first] == orders


def test_pass_two_is_the_swap_of_pass_one(store):
    sid = _session(store)
    todo = S.pending_judgments(store, sid, "external", "m", passes=2)
    assert len(todo) == 2 * N_CELLS
    by = {(p.item_id, p.signal_idx, p.pass_no): p.order_shown for p in todo}
    for (item, si, p), order in by.items():
        if p == 1:
            assert by[(item, si, 2)] == S.swap(order)
    only_two = S.pending_judgments(store, sid, "external", "m", passes=[2])
    assert [p.order_shown for p in only_two] == [p.order_shown for p in todo if p.pass_no == 2]


def test_pass_two_swaps_the_stored_pass_one(store):
    """A pass 1 stored in another order (an older version showed every cell "AB") decides
    pass 2's order, so the two passes of a cell are always opposite."""
    sid = _session(store)
    ba = [p for p in S.pending_judgments(store, sid, "external", "m") if p.order_shown == "BA"]
    p = ba[0]
    S.add_judgment(
        store, p.item_id, p.signal_idx, judge_kind="external", judge_model="m",
        verdict="A", order_shown="AB", raw="A",
    )  # fmt: skip
    two = {
        (q.item_id, q.signal_idx): q.order_shown
        for q in S.pending_judgments(store, sid, "external", "m", passes=2)
        if q.pass_no == 2
    }
    assert two[(p.item_id, p.signal_idx)] == "BA"


def test_orders_depend_on_the_session_not_the_database(store, tmp_path):
    a = [p.order_shown for p in S.pending_judgments(store, _session(store, "s1"), "external", "")]
    b = [p.order_shown for p in S.pending_judgments(store, _session(store, "s2"), "external", "")]
    assert a != b  # another session, another draw
    # the same session name and items in another database: the same orders
    from personaco_tui import locations

    other = Store.open(locations.resolve(tmp_path / "other-home").ensure())
    try:
        c = [p.order_shown for p in S.pending_judgments(other, _session(other, "s1"), "external")]
    finally:
        other.close()
    assert c == a


@given(
    st.text(min_size=1, max_size=20),
    st.lists(st.tuples(st.text(max_size=8), st.integers(0, 30)), max_size=60),
)
def test_first_orders_are_balanced_for_any_cells(name, cells):
    got = S.first_orders(name, cells)
    assert set(got) == set(cells)
    ab = sum(1 for o in got.values() if o == "AB")
    assert ab - (len(got) - ab) in (0, 1)
    assert S.first_orders(name, list(reversed(cells))) == got  # order of listing is irrelevant


def test_retry_errors_lists_failed_requests_only(store):
    sid = _session(store)
    todo = S.pending_judgments(store, sid, "external", "m")
    kw = dict(judge_kind="external", judge_model="m")
    for p, (verdict, raw) in zip(
        todo[:3],
        [("INVALID", S.REQUEST_FAILED + "timeout"), ("INVALID", "garbage"), ("A", "A")],
        strict=True,
    ):
        S.add_judgment(
            store, p.item_id, p.signal_idx, verdict=verdict, order_shown=p.order_shown, raw=raw,
            **kw,
        )  # fmt: skip
    left = S.pending_judgments(store, sid, "external", "m")
    assert len(left) == N_CELLS - 3
    again = S.pending_judgments(store, sid, "external", "m", retry_errors=True)
    assert len(again) == N_CELLS - 2
    assert again[0] == todo[0]  # the failed request, same cell and order
