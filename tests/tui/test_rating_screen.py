"""The blind rating screen against a real store: verdicts stored about the true methods for
both shown orders, resuming where the rater left off, undo, the missing-outputs message,
and the stacked layout in narrow terminals."""

from __future__ import annotations

from support.pilot import settled, wait_for
from textual.widgets import Static

from personaco_tui.evaluation import sessions as S
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.rating import RatingScreen
from personaco_tui.tui.screens.report import EvalReportScreen

ITEMS = [
    {"id": "volcano", "query": "What is a volcano?", "signals": ["Keep it short.", "No commas."]},
    {"id": "tea", "query": "How do I brew tea?", "signals": ["Use numbered steps."]},
    {
        "id": "pvalue",
        "query": "What is a p-value?",
        "signals": ["I have a PhD in epidemiology.", "Give one example."],
    },
]
# item key -> signal text -> index, for reading judgment_rows (which report the signal text)
ITEMS_INDEX = {it["id"]: {s: i for i, s in enumerate(it["signals"])} for it in ITEMS}
PAIRS = sum(len(it["signals"]) for it in ITEMS)


def make_session(store, name: str = "cmp", outputs: bool = True) -> int:
    """A session whose answers say which side wrote them, so a test can read the screen and
    know which method is shown first."""
    sid = S.create_session(store, name, ITEMS, {"method": "baseline"}, {"method": "personaco"})
    if outputs:
        for it in S.get_session(store, sid).items:
            # brackets: a response is shown as written, never read as markup
            S.add_output(store, it.id, "A", f"Side-A answer about {it.key} [b]as is[/b].")
            S.add_output(store, it.id, "B", f"Side-B answer about {it.key}.")
    return sid


def human_rows(store, sid: int) -> list[dict]:
    return S.judgment_rows(store, sid, "human", "you")


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def first_side(screen) -> str:
    """Which method's answer the screen shows as Response 1."""
    shown = text_of(screen, "#rating-text-1")
    assert shown.startswith("Side-"), shown
    return shown[len("Side-")]


async def open_rating(app, pilot, sid: int) -> RatingScreen:
    app.push_screen(RatingScreen(app.rt.store, sid))
    await wait_for(pilot, lambda: isinstance(app.screen, RatingScreen))
    await wait_for(pilot, lambda: app.screen.state != "loading")
    return app.screen


async def test_keys_store_unswapped_verdicts_and_reopening_resumes(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store)
    pending = S.pending_judgments(store, sid, "human", "you")
    assert {p.order_shown for p in pending} == {"AB", "BA"}  # both orders get exercised
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        assert text_of(screen, "#rating-progress").startswith(f"0 / {PAIRS} rated")
        assert "Response 1" in str(screen.query_one("#rating-response-1 Label").render())
        # the configurations never appear while rating: the rater is blind
        assert "personaco" not in text_of(screen, "#rating-progress")

        expected = []  # (item_id, signal_idx, order_shown, true verdict)
        for key in ("1", "b", "s", "a"):
            cur = screen.current
            assert cur is not None
            assert cur.query in text_of(screen, "#rating-query")
            assert cur.signal in text_of(screen, "#rating-signal")
            first = first_side(screen)
            assert first == cur.order_shown[0]
            shown_a = "#rating-text-1" if first == "A" else "#rating-text-2"
            assert text_of(screen, shown_a).endswith("[b]as is[/b].")
            second = "B" if first == "A" else "A"
            assert text_of(screen, "#rating-text-2").startswith(f"Side-{second}")
            true = {"1": first, "a": first, "b": second, "s": "SAME"}[key]
            expected.append((cur.item_id, cur.signal_idx, cur.order_shown, true))
            await pilot.press(key)
            n = len(expected)
            await wait_for(pilot, lambda: len(human_rows(store, sid)) == n)  # noqa: B023
        assert {e[2] for e in expected} == {"AB", "BA"}, "both orders were rated"

        items = {it.key: it.id for it in S.get_session(store, sid).items}
        got = [
            (
                items[r["item_id"]],
                ITEMS_INDEX[r["item_id"]][r["signal"]],
                r["order_shown"],
                r["verdict"],
            )
            for r in human_rows(store, sid)
        ]
        assert sorted(got) == sorted(expected)
        assert all(
            r["judge_kind"] == "human" and r["judge_model"] == "you" for r in human_rows(store, sid)
        )
        assert text_of(screen, "#rating-progress").startswith(f"4 / {PAIRS} rated")

        await pilot.press("escape")  # leave: everything so far is already stored
        await wait_for(pilot, lambda: not isinstance(app.screen, RatingScreen))

        screen = await open_rating(app, pilot, sid)
        assert text_of(screen, "#rating-progress").startswith(f"4 / {PAIRS} rated")
        rated = {(e[0], e[1]) for e in expected}
        assert (screen.current.item_id, screen.current.signal_idx) not in rated
        for key in ("n",) * (PAIRS - 4):
            await pilot.press(key)
        await wait_for(pilot, lambda: screen.state == "done")
        rows = human_rows(store, sid)
        assert len(rows) == PAIRS
        assert len({(r["item_id"], r["signal"]) for r in rows}) == PAIRS  # none rated twice
        assert S.pending_judgments(store, sid, "human", "you") == []
        summary = text_of(screen, "#rating-message")
        assert f"All {PAIRS} pair(s) rated" in summary
        assert "A better (baseline): " in summary and "not applicable: 1" in summary

        await pilot.press("1")  # nothing left to rate: ignored
        assert len(human_rows(store, sid)) == PAIRS
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalReportScreen))
        assert app.screen.judge_kind == "human"
    app.rt.close()


async def test_undo_deletes_the_last_rating_and_shows_that_pair_again(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        await pilot.press("u")  # nothing to undo yet: a warning, nothing else
        assert human_rows(store, sid) == []

        await pilot.press("1")
        await wait_for(pilot, lambda: len(human_rows(store, sid)) == 1)
        second = screen.current
        assert second is not None
        second_first = first_side(screen)
        await pilot.press("2")
        await wait_for(pilot, lambda: len(human_rows(store, sid)) == 2)

        await pilot.press("u")
        await wait_for(pilot, lambda: len(human_rows(store, sid)) == 1)
        cur = screen.current
        assert (cur.item_id, cur.signal_idx, cur.pass_no) == (
            second.item_id,
            second.signal_idx,
            second.pass_no,
        )
        assert text_of(screen, "#rating-progress").startswith(f"1 / {PAIRS} rated")

        await pilot.press("s")  # rated again, differently
        await wait_for(pilot, lambda: len(human_rows(store, sid)) == 2)
        again = [
            r
            for r in human_rows(store, sid)
            if r["signal"] == second.signal and r["query"] == second.query
        ]
        assert [r["verdict"] for r in again] == ["SAME"]
        assert second_first in "AB"
    app.rt.close()


async def test_undo_after_the_last_pair_returns_to_rating(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = S.create_session(
        store, "one", [ITEMS[1]], {"method": "baseline"}, {"method": "personaco"}
    )
    it = S.get_session(store, sid).items[0]
    S.add_output(store, it.id, "A", "Side-A answer.")
    S.add_output(store, it.id, "B", "Side-B answer.")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.state == "done")
        row = human_rows(store, sid)[0]
        assert row["verdict"] == ("B" if row["order_shown"] == "AB" else "A")
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.state == "rating")
        assert human_rows(store, sid) == []
        assert screen.query_one("#rating-pair").display
    app.rt.close()


async def test_missing_outputs_say_to_run_the_session_first(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store, "fresh", outputs=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        assert screen.state == "waiting"
        message = text_of(screen, "#rating-message")
        assert "personaco eval run fresh" in message
        assert not screen.query_one("#rating-pair").display
        await pilot.press("1", "s", "u")  # no pair: nothing stored, nothing breaks
        assert human_rows(store, sid) == []
        assert isinstance(app.screen, RatingScreen)
    app.rt.close()


async def test_partly_generated_session_rates_what_it_can_and_says_what_is_missing(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store, "partial", outputs=False)
    first = S.get_session(store, sid).items[0]
    S.add_output(store, first.id, "A", "Side-A answer.")
    S.add_output(store, first.id, "B", "Side-B answer.")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        progress = text_of(screen, "#rating-progress")
        assert progress.startswith("0 / 2 rated")
        assert "2 item(s) have no outputs yet: personaco eval run partial" in progress
        assert screen.current.item_id == first.id
    app.rt.close()


async def test_responses_sit_side_by_side_when_wide_and_stack_when_narrow(engine):
    app = make_app(engine=engine)
    sid = make_session(app.rt.store)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_rating(app, pilot, sid)
        one = screen.query_one("#rating-response-1").region
        two = screen.query_one("#rating-response-2").region
        assert two.x > one.x and two.y == one.y
        await pilot.resize_terminal(80, 40)
        await wait_for(pilot, lambda: screen.has_class("-narrow"))
        await pilot.pause()
        one = screen.query_one("#rating-response-1").region
        two = screen.query_one("#rating-response-2").region
        assert two.y > one.y and two.x == one.x
    app.rt.close()


async def test_an_unknown_session_is_a_message_not_a_crash(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_rating(app, pilot, "no-such-session")
        assert screen.state == "error"
        assert "No evaluation session 'no-such-session'" in text_of(screen, "#rating-message")
        await pilot.press("1", "u")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RatingScreen))
    app.rt.close()


def test_rating_snapshot(engine, snap_compare):
    """The first pair of a fixed session, one pair already rated: progress, the query and
    signal, and the two responses side by side."""
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store)
    first = S.pending_judgments(store, sid, "human", "you")[0]
    S.add_judgment(
        store,
        first.item_id,
        first.signal_idx,
        judge_kind="human",
        judge_model="you",
        verdict="SAME",
        order_shown=first.order_shown,
    )

    async def run_before(pilot) -> None:
        await open_rating(app, pilot, sid)
        await settled(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(110, 30), run_before=run_before)
    finally:
        app.rt.close()
