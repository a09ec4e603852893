"""The evaluation sessions list and the report screen against a real store: progress per
session, opening the rating and report screens by key, report numbers that match the
stored judgments, the judge filter, small sessions, and snapshots of the report."""

from __future__ import annotations

import io
import re

from rich.console import Console
from support.pilot import settled, wait_for
from textual.widgets import DataTable, Static

from personaco_tui.evaluation import analysis
from personaco_tui.evaluation import sessions as S
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.rating import RatingScreen
from personaco_tui.tui.screens.report import EvalReportScreen
from personaco_tui.tui.screens.sessions import EvalSessionsScreen
from personaco_tui.tui.widgets.plot import PlotView

ITEMS = [
    {"id": "volcano", "query": "What is a volcano?", "signals": ["Keep it short.", "No commas."]},
    {"id": "tea", "query": "How do I brew green tea?", "signals": ["Use numbered steps."]},
    {
        "id": "pvalue",
        "query": "What is a p-value in statistics?",
        "signals": ["I have a PhD in epidemiology and want rigour.", "Give one example."],
    },
    {"id": "rome", "query": "Plan a day in Rome", "signals": ["I travel with two kids."]},
    {
        "id": "bread",
        "query": "How do I bake sourdough bread at home?",
        "signals": [
            "I am a complete beginner who has never baked anything before in my life, "
            "so explain every step slowly.",
        ],
    },
]
# Fixed external verdicts, one per (item, signal) in order, for pass 1 and pass 2.
PASS1 = ["A", "B", "A", "SAME", "A", "N/A", "B"]
PASS2 = ["A", "A", "INVALID", "SAME", "B", "N/A", "A"]
# The scatter's legend for these (a pair agreeing with itself keeps its verdict, any
# disagreement is mixed): pairs 3 and 5 agree (SAME, N/A), the other five do not; pair 0
# is A, A from the external judge and B from the human one.
NOTE = "(mixed: the pair's judgments disagree)"
LEGEND_ALL = f"  ● SAME 1   ● N/A 1   ● mixed 5   {NOTE}"
LEGEND_EXTERNAL = f"  ● A 1   ● SAME 1   ● N/A 1   ● mixed 4   {NOTE}"  # pair 0 is A, A


def make_session(store, name: str = "cmp", judged: bool = True) -> int:
    sid = S.create_session(
        store, name, ITEMS, {"method": "baseline"}, {"method": "personaco", "k": 8}
    )
    cells = [(it, si) for it in S.get_session(store, sid).items for si in range(len(it.signals))]
    for it in S.get_session(store, sid).items:
        S.add_output(store, it.id, "A", f"Side-A answer about {it.key}.")
        S.add_output(store, it.id, "B", f"Side-B answer about {it.key}.")
    if judged:
        for pass_no, verdicts in ((1, PASS1), (2, PASS2)):
            for (it, si), v in zip(cells, verdicts, strict=True):
                S.add_judgment(
                    store,
                    it.id,
                    si,
                    judge_kind="external",
                    judge_model="judge-x",
                    verdict=v,
                    order_shown="AB" if pass_no == 1 else "BA",
                    pass_no=pass_no,
                    raw=v,
                )
        first = cells[0]
        S.add_judgment(
            store, first[0].id, first[1], judge_kind="human", judge_model="you",
            verdict="B", order_shown="BA",
        )  # fmt: skip
    return sid


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def plain(screen, selector: str) -> str:
    """A Static's content (rich tables included) as plain text, wide enough not to wrap."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text()


async def open_sessions(app, pilot) -> EvalSessionsScreen:
    app.push_screen(EvalSessionsScreen(app.rt.store))
    # pushed is not yet mounted: wait for the table's columns
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, EvalSessionsScreen)
            and len(app.screen.query(DataTable)) == 1
            and len(app.screen.query_one(DataTable).columns) == 7
        ),
    )
    return app.screen


async def open_report(app, pilot, sid, **kwargs) -> EvalReportScreen:
    app.push_screen(EvalReportScreen(app.rt.store, sid, **kwargs))
    await wait_for(pilot, lambda: isinstance(app.screen, EvalReportScreen))
    await wait_for(pilot, lambda: app.screen.loaded, tries=1200)  # scikit-learn imports slowly
    await pilot.pause()
    return app.screen


async def test_sessions_list_shows_progress_and_opens_rating_and_report(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    judged = make_session(store, "judged")
    fresh = S.create_session(
        store, "fresh", ITEMS[:2], {"method": "baseline"}, {"method": "personaco", "k": 4}
    )
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_sessions(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        # newest first
        assert [str(c) for c in table.get_row_at(0)] == [
            "fresh", "baseline", "personaco:k=4", "2", "3", "0/2 · 0/2", "none",
        ]  # fmt: skip
        assert [str(c) for c in table.get_row_at(1)] == [
            "judged", "baseline", "personaco:k=8", "5", "7", "5/5 · 5/5", "external 14 · human 1",
        ]  # fmt: skip

        table.move_cursor(row=1)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RatingScreen))
        rating = app.screen
        await wait_for(pilot, lambda: rating.state == "rating")
        assert rating.session.id == judged
        assert text_of(rating, "#rating-progress").startswith("1 / 7 rated")
        await pilot.press("s")
        await wait_for(pilot, lambda: rating.rated == 2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: str(table.get_row_at(1)[-1]) == "external 14 · human 2")

        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalReportScreen))
        assert app.screen.session_ref == judged
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EvalReportScreen))
        assert app.screen.session_ref == fresh
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EvalSessionsScreen))
    app.rt.close()


async def test_no_sessions_says_how_to_create_one(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_sessions(app, pilot)
        assert not screen.query_one(DataTable).display
        empty = text_of(screen, "#sessions-empty")
        assert "personaco eval create NAME --items FILE --a CONFIG --b CONFIG" in empty
        assert "personaco eval run NAME" in empty
        await pilot.press("r", "v", "enter")  # nothing to open: nothing happens
        assert app.screen is screen
    app.rt.close()


def _counts_in(text: str) -> dict[str, int]:
    """The verdict table's rows: `A   3   40.0%` -> {"A": 3}."""
    found = re.findall(r"^\s*(A|B|SAME|N/A|INVALID)\s+(\d+)\s+[\d.–%]+", text, re.M)
    return {v: int(n) for v, n in found}


async def test_report_numbers_match_the_stored_judgments(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = make_session(store)
    async with app.run_test(size=(140, 60)) as pilot:
        screen = await open_report(app, pilot, sid)
        rows = S.judgment_rows(store, sid)
        want = analysis.analyse(rows)
        assert len(rows) == 15
        summary = plain(screen, "#report-summary")
        assert _counts_in(summary) == want.counts
        assert want.counts == {"A": 6, "B": 4, "SAME": 2, "N/A": 2, "INVALID": 1}
        w = want.win
        assert f"A win rate over B: {100 * w.rate:.1f}%" in summary
        assert f"A {w.wins_a} · B {w.wins_b} of {w.n} decisive" in summary
        assert f"sign test p = {w.p_value:.3g}" in summary
        head = text_of(screen, "#report-head")
        assert "A = baseline" in head and "B = personaco:k=8" in head
        assert "all: external 14 · human 1" in head

        length = plain(screen, "#report-length-table")
        for b in want.by_length:
            n = sum(b.counts.values())
            assert re.search(rf"^\s*{re.escape(b.label)}\s+{n}\s+{b.counts['A']}\s", length, re.M)
        clusters = plain(screen, "#report-clusters-table")
        for c in want.clustering.clusters:
            assert ", ".join(c.top_terms[:2]) in clusters

        verdicts = screen.query_one("#plot-verdicts", PlotView)
        drawn = str(verdicts.render())
        assert "Verdicts" in drawn and "A 6" in drawn and "INVALID 1" in drawn
        by_length = str(screen.query_one("#plot-length", PlotView).render())
        assert all(f"{b.label} n={b.win.n}" in by_length for b in want.by_length)
        scatter = str(screen.query_one("#plot-scatter", PlotView).render())
        assert scatter.count("●") >= 1
        assert text_of(screen, "#plot-scatter-legend") == LEGEND_ALL

        # the plots follow the widget's size
        width = verdicts.content_size.width
        assert max(len(line) for line in drawn.splitlines()) == width
        await pilot.resize_terminal(90, 60)
        await wait_for(pilot, lambda: verdicts.content_size.width != width)
        await pilot.pause()
        redrawn = str(verdicts.render())
        assert max(len(line) for line in redrawn.splitlines()) == verdicts.content_size.width

        # j: external only, then human only
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.loaded and screen.judge_kind == "external")
        await pilot.pause()
        ext = analysis.counts(r["verdict"] for r in S.judgment_rows(store, sid, "external"))
        assert _counts_in(plain(screen, "#report-summary")) == ext
        assert "14 shown (external" in text_of(screen, "#report-head")
        assert text_of(screen, "#plot-scatter-legend") == LEGEND_EXTERNAL
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.loaded and screen.judge_kind == "human")
        await pilot.pause()
        assert _counts_in(plain(screen, "#report-summary"))["B"] == 1
    app.rt.close()


async def test_report_of_a_session_without_judgments_says_how_to_get_some(engine):
    app = make_app(engine=engine)
    sid = make_session(app.rt.store, "unjudged", judged=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_report(app, pilot, sid)
        message = text_of(screen, "#report-message")
        assert "No judgments yet" in message
        assert "personaco eval run unjudged --judge-base-url" in message
        assert not any(s.display for s in screen.query(".report-section"))
        await pilot.press("j")  # another filter: still nothing, still no crash
        await wait_for(pilot, lambda: screen.loaded and screen.judge_kind == "external")
        assert "No judgments yet (external)" in text_of(screen, "#report-message")
    app.rt.close()


async def test_report_of_one_judged_pair_has_fewer_clusters_and_still_plots(engine):
    app = make_app(engine=engine)
    store = app.rt.store
    sid = S.create_session(
        store, "tiny", [ITEMS[1]], {"method": "baseline"}, {"method": "personaco"}
    )
    it = S.get_session(store, sid).items[0]
    S.add_output(store, it.id, "A", "Side-A.")
    S.add_output(store, it.id, "B", "Side-B.")
    S.add_judgment(store, it.id, 0, judge_kind="human", judge_model="you", verdict="A",
                   order_shown="AB")  # fmt: skip
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_report(app, pilot, sid)
        assert screen.query_one("#report-summary").display
        assert "Only 1 pair(s): 1 cluster(s) instead of 4." in plain(
            screen, "#report-clusters-table"
        )
        assert "●" in str(screen.query_one("#plot-scatter", PlotView).render())
        assert _counts_in(plain(screen, "#report-summary"))["A"] == 1
    app.rt.close()


def test_report_snapshot(engine, snap_compare):
    app = make_app(engine=engine)
    sid = make_session(app.rt.store)

    async def run_before(pilot) -> None:
        await open_report(app, pilot, sid)
        await settled(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(130, 70), run_before=run_before)
    finally:
        app.rt.close()


def test_empty_report_snapshot(engine, snap_compare):
    app = make_app(engine=engine)
    sid = make_session(app.rt.store, "unjudged", judged=False)

    async def run_before(pilot) -> None:
        await open_report(app, pilot, sid)
        await settled(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(100, 24), run_before=run_before)
    finally:
        app.rt.close()


async def test_report_of_an_unknown_session_is_a_message_not_a_crash(engine):
    app = make_app(engine=engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_report(app, pilot, "no-such-session")
        assert "No evaluation session 'no-such-session'" in text_of(screen, "#report-message")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EvalReportScreen))
    app.rt.close()
