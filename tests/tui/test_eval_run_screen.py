"""Creating, generating and judging evaluation sessions from the TUI's sessions screen, with
the real store, the bundled model and a real judge server on 127.0.0.1: the same core code as
`personaco eval create/run`, driven by keys."""

from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path

import pytest
from support.pilot import settled, wait_for
from support.servers import chat_reply, free_port, scripted_server
from textual.widgets import DataTable, Input, ProgressBar, Static

from personaco_tui.evaluation import actions
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.verifiable import verdict_from
from personaco_tui.tui.app import make_app
from personaco_tui.tui.screens.eval_forms import DEFAULT_A, DEFAULT_B, CreateSessionScreen
from personaco_tui.tui.screens.sessions import EvalSessionsScreen

A_CFG = "baseline:max_tokens=4"
B_CFG = "personaco:k=2,max_tokens=4"
ITEMS = [
    {"id": "river", "query": "What is a river?", "signals": ["Use no commas.", "Be kind."]},
    {"id": "hi", "query": "Say hi.", "signals": ["Use no commas."]},
]
# what the scripted judge answers for each signal; "Response 1" depends on the order shown
REPLIES = {"Use no commas.": "Response 1", "Be kind.": "N/A"}


@pytest.fixture(autouse=True)
def tiny_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    # the settings' own answer length too, for anything a configuration leaves unset
    monkeypatch.setenv("PERSONACO_GENERATION_MAX_TOKENS", "4")


def write_items(path: Path, items: list[dict] = ITEMS) -> Path:
    path.write_text("".join(json.dumps(it) + "\n" for it in items), encoding="utf-8")
    return path


def record_notes(app) -> list[str]:
    """Every notification's message, kept: the app drops them from view after a few seconds,
    which can come before a slow step ends."""
    seen: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append(message)
        return notify(message, *args, **kwargs)

    app.notify = recording
    app.seen_notes = seen
    return seen


def notes(app) -> str:
    return " | ".join(app.seen_notes)


def row(screen: EvalSessionsScreen, n: int = 0) -> list[str]:
    return [str(c) for c in screen.query_one(DataTable).get_row_at(n)]


def outputs(store) -> list[tuple[str, str, str, int | None]]:
    return store.db.execute(
        "SELECT i.item_key, o.side, o.response, o.generation_id FROM eval_outputs o "
        "JOIN eval_items i ON i.id = o.item_id ORDER BY i.position, o.side"
    ).fetchall()


def count(store, table: str) -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


async def open_screen(app, pilot, *, runtime: bool = True) -> EvalSessionsScreen:
    record_notes(app)
    if runtime:
        app.push_screen(EvalSessionsScreen(app.rt.store, app.rt, app._engine_lock))
    else:
        app.push_screen(EvalSessionsScreen(app.rt.store))
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, EvalSessionsScreen)
            and len(app.screen.query(DataTable)) == 1  # pushed is not yet mounted
            and len(app.screen.query_one(DataTable).columns) == 7
        ),
    )
    return app.screen


async def run_key(pilot, screen: EvalSessionsScreen, key: str) -> None:
    """Press a key that starts a step and wait until the step is over."""
    app = screen.app
    before = len(app.seen_notes)
    await pilot.press(key)
    # every step ends with a notification, even one too quick to be seen running
    await wait_for(pilot, lambda: not screen.running and len(app.seen_notes) > before, tries=8000)
    await pilot.pause()


async def test_create_a_session_through_the_form(engine, tmp_path):
    items = write_items(tmp_path / "items.jsonl")
    app = make_app(engine=engine)
    store = app.rt.store
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSessionScreen))
        form = app.screen
        assert form.value("a") == DEFAULT_A == "personaco:k=8,reflector=auto"
        assert form.value("b") == DEFAULT_B == "baseline"
        await pilot.press(*"exp1", "enter")  # typed into the name; Enter moves to the file
        assert app.focused is form.query_one("#create-items", Input)
        form.query_one("#create-items", Input).value = str(items)
        form.query_one("#create-a", Input).value = "personaco:kay=3"

        # the core's errors stay in the form, on one line, and nothing is created
        error = form.query_one("#create-error", Static)
        await pilot.click("#create-ok")
        await wait_for(pilot, lambda: error.display)
        assert "'kay'" in str(error.render()) and "\n" not in str(error.render())
        assert app.screen is form
        form.query_one("#create-a", Input).value = A_CFG
        form.query_one("#create-items", Input).value = str(tmp_path / "missing.jsonl")
        form.query_one("#create-b", Input).focus()
        await pilot.press("enter")  # Enter in the last field submits too
        await wait_for(pilot, lambda: "Cannot read" in str(error.render()))
        assert "missing.jsonl" in str(error.render()) and app.screen is form
        assert store.db.execute("SELECT count(*) FROM eval_sessions").fetchone()[0] == 0

        form.query_one("#create-items", Input).value = str(items)
        form.query_one("#create-b", Input).value = B_CFG
        await pilot.click("#create-ok")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
        s = S.get_session(store, "exp1")
        assert s.config_a == {"method": "baseline", "max_tokens": 4}
        assert s.config_b == {"method": "personaco", "k": 2, "max_tokens": 4}
        assert [(it.key, it.query, it.signals) for it in s.items] == [
            (it["id"], it["query"], it["signals"]) for it in ITEMS
        ]
        assert row(screen) == [
            "exp1", "baseline:max_tokens=4", "personaco:k=2,max_tokens=4", "2", "3",
            "0/2 · 0/2", "none",
        ]  # fmt: skip
        assert "Created session with 2 item(s)" in notes(app)

        # Esc closes the form and creates nothing
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSessionScreen))
        app.screen.query_one("#create-name", Input).value = "other"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert store.db.execute("SELECT count(*) FROM eval_sessions").fetchone()[0] == 1
    app.rt.close()


def verdict_reply(seen_orders: list[str]):
    """The judge: a fixed reply per signal, read from the prompt it was sent."""
    lock = threading.Lock()

    def answer(path: str, body: dict):
        prompt = body["messages"][0]["content"]
        signal = re.search(r"^Personalization criterion: (.*)$", prompt, re.M).group(1)
        with lock:
            seen_orders.append(signal)
        return chat_reply(REPLIES[signal], model=body["model"])

    return answer


async def test_generate_then_judge_external_and_verifiable(engine, tmp_path):
    app = make_app(engine=engine)
    store = app.rt.store
    actions.create_from_items_file(store, "run1", write_items(tmp_path / "i.jsonl"), A_CFG, B_CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot)
        assert row(screen)[5] == "0/2 · 0/2"

        # j before any judge server is set: a notification, nothing runs
        await pilot.press("j")
        await wait_for(pilot, lambda: "F3 Settings" in notes(app))
        assert not screen.running and count(store, "judgments") == 0

        await run_key(pilot, screen, "g")
        got = outputs(store)
        assert [(k, side) for k, side, _, _ in got] == [
            ("river", "A"), ("river", "B"), ("hi", "A"), ("hi", "B"),
        ]  # fmt: skip
        assert all(gen_id is not None for *_, gen_id in got)
        assert count(store, "generations") == 4
        assert row(screen)[5] == "2/2 · 2/2"
        assert "Generated 4 output(s) for run1." in notes(app)
        assert not screen.query_one("#run-status").display

        # external: the configured server's verdicts, mapped back through the order shown
        asked: list[str] = []
        with scripted_server(verdict_reply(asked)) as (url, requests):
            app.rt.settings.judge.base_url = url
            app.rt.settings.judge.model = "judge-x"
            await run_key(pilot, screen, "j")
        assert len(requests) == 3
        rows = S.judgment_rows(store, "run1", "external")
        assert len(rows) == 3
        for r in rows:
            assert (r["judge_kind"], r["judge_model"]) == ("external", "judge-x")
            assert r["raw"] == REPLIES[r["signal"]]
            if r["signal"] == "Be kind.":
                assert r["verdict"] == "N/A"
            else:  # "Response 1" is whichever method was shown first
                assert r["verdict"] == ("A" if r["order_shown"] == "AB" else "B")
        assert row(screen)[6] == "external 3"
        assert "Judged 3 pair(s) of run1 (external · judge-x)." in notes(app)

        # verifiable: the IFEval checkers on the stored answers, no server
        await run_key(pilot, screen, "J")
        rows = S.judgment_rows(store, "run1", "verifiable")
        assert len(rows) == 3
        for r in rows:
            assert (r["judge_kind"], r["judge_model"]) == ("verifiable", "ifeval")
            if r["signal"] == "Be kind.":
                assert r["verdict"] == "N/A"
            else:  # IFEval's no_comma: no comma in a non-empty answer
                a, b = r["response_a"], r["response_b"]
                want = verdict_from(
                    bool(a.strip()) and "," not in a, bool(b.strip()) and "," not in b
                )
                assert r["verdict"] == want
        assert row(screen)[6] == "external 3 · verifiable 3"

        # everything is done: running again does nothing and says so
        await run_key(pilot, screen, "g")
        assert "Every output of run1 is already there." in notes(app)
        assert count(store, "generations") == 4
    app.rt.close()


class GatedEngine:
    """The real engine, which stops at its `gate_at`-th `sample` call until the test lets it
    go on: a point in the middle of a generation where the test can press x."""

    def __init__(self, inner, gate_at: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.calls = 0
        self.gate_at = gate_at
        self.reached = threading.Event()
        self.release = threading.Event()

    def sample(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.gate_at:
            self.reached.set()
            assert self.release.wait(60), "the test never released the engine"
        return self.inner.sample(*args, **kwargs)

    def __getattr__(self, attr: str):
        return getattr(self.inner, attr)


async def test_cancel_mid_generation_stores_nothing_half_done_and_a_rerun_completes(
    engine, tmp_path
):
    gated = GatedEngine(engine, gate_at=2)  # the second answer: side A of the second item
    app = make_app(engine=gated)
    store = app.rt.store
    actions.create_from_items_file(store, "cut", write_items(tmp_path / "i.jsonl"), A_CFG, B_CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: gated.reached.is_set(), tries=8000)
        await wait_for(pilot, lambda: screen.query_one(ProgressBar).progress == 1)
        line = str(screen.query_one("#run-line", Static).render())
        assert line.startswith("Generating A 1/4 · river ·") and "x cancels" in line
        assert screen.query_one(ProgressBar).total == 4
        await pilot.press("g")  # one run at a time
        await wait_for(pilot, lambda: "already running" in notes(app))
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelling" in str(screen.query_one("#run-line").render()))
        gated.release.set()
        await wait_for(pilot, lambda: not screen.running, tries=8000)
        await pilot.pause()
        assert "Cancelled after 1 of 4 output(s) for cut" in notes(app)
        # the answer being generated when x came was not stored, nor its generation
        assert [(k, side) for k, side, _, _ in outputs(store)] == [("river", "A")]
        assert count(store, "generations") == 1
        assert row(screen)[5] == "1/2 · 0/2"

        await run_key(pilot, screen, "g")
        assert sorted((k, side) for k, side, _, _ in outputs(store)) == [
            ("hi", "A"), ("hi", "B"), ("river", "A"), ("river", "B"),
        ]  # fmt: skip
        assert count(store, "generations") == 4
        assert row(screen)[5] == "2/2 · 2/2"
        assert "Generated 3 output(s) for cut." in notes(app)

        # Esc cancels too, while the engine waits for the chat's hold on the model
        S.create_session(store, "wait", ITEMS[1:], {"method": "baseline", "max_tokens": 4},
                         {"method": "baseline", "max_tokens": 4})  # fmt: skip
        screen.refresh_sessions()
        screen.query_one(DataTable).move_cursor(row=0)
        with app._engine_lock:
            await pilot.press("g")
            await wait_for(pilot, lambda: screen.running)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not screen.running)
        assert app.screen is screen  # the first Esc stopped the step, it did not leave
        assert "Cancelled after 0 of 2 output(s) for wait" in notes(app)
        assert count(store, "generations") == 4
    app.rt.close()


def add_outputs(store, name: str) -> None:
    for it in S.get_session(store, name).items:
        S.add_output(store, it.id, "A", "A river is water")
        S.add_output(store, it.id, "B", "Well, a river, is water")


async def test_judge_errors_are_notifications(engine, tmp_path, monkeypatch):
    app = make_app(engine=engine)
    store = app.rt.store
    actions.create_from_items_file(store, "errs", write_items(tmp_path / "i.jsonl"), A_CFG, B_CFG)
    add_outputs(store, "errs")
    judge = app.rt.settings.judge
    judge.model = "judge-x"
    judge.timeout_s = 2
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot)

        # a refused key stops the run: one error notification
        refuse = b'{"error": {"message": "bad key", "type": "x", "code": null}}'
        with scripted_server(lambda p, b: (401, {"Content-Type": "application/json"}, refuse)) as (
            url,
            _,
        ):
            judge.base_url = url
            await run_key(pilot, screen, "j")
        assert "refused the API key (401)" in notes(app)
        assert count(store, "judgments") == 0

        # nobody listening: each failed request is stored as INVALID and counted
        judge.base_url = f"http://127.0.0.1:{free_port()}/v1"
        await run_key(pilot, screen, "j")
        assert "3 judge request(s) failed and were stored as INVALID" in notes(app)
        assert "Could not reach the judge server" in notes(app)
        assert {r["verdict"] for r in S.judgment_rows(store, "errs")} == {"INVALID"}

        # the server is back: j judges the failed ones again
        with scripted_server(verdict_reply([])) as (url, requests):
            judge.base_url = url
            await run_key(pilot, screen, "j")
        assert len(requests) == 3
        assert "INVALID" not in {r["verdict"] for r in S.judgment_rows(store, "errs")}

        # the verifiable judge without if-verifiable installed
        monkeypatch.setitem(sys.modules, "if_verifiable.ifeval", None)
        await run_key(pilot, screen, "J")
        assert "pip install 'personaco-tui[eval]'" in notes(app)
        assert S.judgment_rows(store, "errs", "verifiable") == []
        assert isinstance(app.screen, EvalSessionsScreen)
    app.rt.close()


async def test_without_a_runtime_generate_and_judge_say_they_are_unavailable(engine, tmp_path):
    app = make_app(engine=engine)
    actions.create_from_items_file(
        app.rt.store, "bare", write_items(tmp_path / "i.jsonl"), A_CFG, B_CFG
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(app, pilot, runtime=False)
        await pilot.press("g")
        await wait_for(pilot, lambda: "Generating needs the app's model" in notes(app))
        await pilot.press("j")
        await wait_for(pilot, lambda: "Judging needs the app's model" in notes(app))
        assert not screen.running and count(app.rt.store, "generations") == 0
    app.rt.close()


def test_sessions_snapshot(engine, snap_compare, tmp_path):
    app = make_app(engine=engine)
    store = app.rt.store
    actions.create_from_items_file(store, "done", write_items(tmp_path / "i.jsonl"), A_CFG, B_CFG)
    add_outputs(store, "done")
    actions.create_from_items_file(
        store, "fresh", tmp_path / "i.jsonl", "baseline", "personaco:k=8,reflector=auto"
    )

    async def run_before(pilot) -> None:
        await open_screen(app, pilot)
        await settled(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(120, 20), run_before=run_before)
    finally:
        app.rt.close()


def test_create_form_snapshot(engine, snap_compare, tmp_path):
    app = make_app(engine=engine)

    async def run_before(pilot) -> None:
        await open_screen(app, pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSessionScreen))
        app.screen.query_one("#create-name", Input).value = "exp1"
        app.screen.query_one("#create-items", Input).value = "nowhere.jsonl"
        app.screen.query_one("#create-b", Input).focus()
        await pilot.press("enter")  # no click: a pressed button's flash would vary
        await wait_for(pilot, lambda: app.screen.query_one("#create-error").display)
        await settled(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(100, 36), run_before=run_before)
    finally:
        app.rt.close()
