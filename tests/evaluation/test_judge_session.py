"""`judge_session` against a real scripted judge server on 127.0.0.1: concurrency, storing as
results come back, cancel, a 401 stop, and failed requests stored as INVALID."""

from __future__ import annotations

import threading
import time

import pytest

from personaco_tui.engines.base import CancelToken
from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.judge import ExternalJudge, JudgeAuthError, JudgeError
from personaco_tui.store.db import Store
from tests.evaluation.test_judge import chat_reply, error_reply
from tests.support.servers import scripted_server

SENTINEL = "sk-SENTINEL-judge-session-5555"
ITEMS = [S.EvalItem(f"q{i}", f"Query {i}?", [f"Signal {i}a.", f"Signal {i}b."]) for i in range(4)]
N = 8  # cells


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)


@pytest.fixture
def store(loc):
    s = Store.open(loc)
    yield s
    s.close()


@pytest.fixture
def sid(store):
    sid = S.create_session(store, "js", ITEMS, {"method": "baseline"}, {"method": "personaco"})
    for it in S.get_session(store, sid).items:
        S.add_output(store, it.id, "A", f"A on {it.key}")
        S.add_output(store, it.id, "B", f"B on {it.key}")
    return sid


class InFlight:
    """A judge that answers "A" after `delay` seconds and records how many requests it was
    serving at once."""

    def __init__(self, delay: float = 0.3, reply=None) -> None:
        self.delay, self.reply = delay, reply or (lambda n, body: chat_reply("A"))
        self.lock = threading.Lock()
        self.now = self.max = self.count = 0

    def __call__(self, path, body):
        with self.lock:
            self.now += 1
            self.count += 1
            n = self.count
            self.max = max(self.max, self.now)
        try:
            time.sleep(self.delay)
            return self.reply(n, body)
        finally:
            with self.lock:
                self.now -= 1


def _judge(url: str, **kw) -> ExternalJudge:
    kw.setdefault("timeout_s", 10)
    kw.setdefault("max_retries", 0)
    return ExternalJudge(url, "jm", **kw)


def _stored(store, sid) -> int:
    return len(S.judgment_rows(store, sid))


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_shows_in_the_servers_in_flight_count(store, sid, concurrency):
    server = InFlight()
    with scripted_server(server) as (url, seen), _judge(url) as judge:
        res = runner.judge_session(store, sid, judge, concurrency=concurrency)
    assert (res.done, res.total, res.errors) == (N, N, 0)
    assert len(seen) == N
    assert server.max == concurrency
    assert _stored(store, sid) == N


def test_default_concurrency_is_the_judges(store, sid):
    server = InFlight()
    with scripted_server(server) as (url, _), _judge(url, concurrency=2) as judge:
        runner.judge_session(store, sid, judge)
    assert server.max == 2


def test_each_verdict_is_stored_when_it_returns(store, sid):
    stored_at_progress: list[tuple[int, int]] = []

    def progress(done, total, what):
        stored_at_progress.append((done, _stored(store, sid)))

    with scripted_server(InFlight(0.05)) as (url, _), _judge(url) as judge:
        runner.judge_session(store, sid, judge, concurrency=3, on_progress=progress)
    assert stored_at_progress == [(i, i) for i in range(1, N + 1)]


def test_cancel_stops_submitting_and_the_rest_resumes(store, sid):
    cancel = CancelToken()

    def progress(done, total, what):
        if done == 1:
            cancel.cancel()

    with scripted_server(InFlight(0.2)) as (url, seen), _judge(url) as judge:
        res = runner.judge_session(
            store, sid, judge, concurrency=2, on_progress=progress, cancel=cancel
        )
        assert res.cancelled and res.done >= 1
        time.sleep(0.5)  # let the dropped request finish
        assert len(seen) <= 3  # at most the first two plus one started before the cancel
        stored = _stored(store, sid)
        assert stored == res.done
        again = runner.judge_session(store, sid, judge, concurrency=2)
    assert again.total == N - stored and again.done == again.total
    assert _stored(store, sid) == N


def test_401_stops_the_whole_run_with_one_line(store, sid):
    def reply(n, body):
        if n <= 2:
            return chat_reply("B")
        return error_reply(401, f"Incorrect API key provided: {SENTINEL}")

    server = InFlight(0.05, reply)
    with (
        scripted_server(server) as (url, seen),
        _judge(url, max_retries=3) as judge,
        pytest.raises(JudgeAuthError) as ei,
    ):
        runner.judge_session(store, sid, judge, concurrency=2)
    msg = str(ei.value)
    assert "401" in msg and "\n" not in msg and SENTINEL not in msg
    assert len(seen) <= 4  # the two good ones, then at most one 401 per worker: no retries
    rows = S.judgment_rows(store, sid)  # the good replies that came back first are kept
    assert 1 <= len(rows) <= 2 and {r["raw"] for r in rows} == {"B"}


def test_failed_requests_are_stored_invalid_and_can_be_retried(store, sid):
    fail = {"on": True}

    def reply(n, body):
        if fail["on"] and n in (2, 5):
            return error_reply(503, "overloaded")
        return chat_reply("SAME")

    with (
        scripted_server(InFlight(0.01, reply)) as (url, _),
        _judge(url) as judge,
    ):
        res = runner.judge_session(store, sid, judge, concurrency=1)
        assert (res.done, res.errors) == (N, 2)
        assert "503" in res.last_error
        rows = S.judgment_rows(store, sid)
        bad = [r for r in rows if r["verdict"] == "INVALID"]
        assert len(bad) == 2
        assert all(r["raw"].startswith(S.REQUEST_FAILED) and "503" in r["raw"] for r in bad)
        assert runner.judge_session(store, sid, judge).total == 0  # counted as judged
        fail["on"] = False
        again = runner.judge_session(store, sid, judge, retry_errors=True)
    assert (again.done, again.errors) == (2, 0)
    assert {r["verdict"] for r in S.judgment_rows(store, sid)} == {"SAME"}
    assert _stored(store, sid) == N


def test_a_hang_past_the_timeout_is_an_invalid_cell(store, sid):
    def reply(n, body):
        if n == 1:
            time.sleep(2.5)
        return chat_reply("A")

    with (
        scripted_server(InFlight(0.0, reply)) as (url, _),
        _judge(url, timeout_s=1) as judge,
    ):
        res = runner.judge_session(store, sid, judge, concurrency=2)
    assert (res.done, res.errors) == (N, 1)
    bad = [r for r in S.judgment_rows(store, sid) if r["verdict"] == "INVALID"]
    assert len(bad) == 1 and "did not answer within 1 s" in bad[0]["raw"]


def test_a_judge_that_is_down_stops_the_run(store, sid):
    with (
        scripted_server(InFlight(0.0, lambda n, b: error_reply(500, "down"))) as (url, seen),
        _judge(url) as judge,
        pytest.raises(JudgeError) as ei,
    ):
        runner.judge_session(store, sid, judge, concurrency=1, max_errors_in_a_row=3)
    msg = str(ei.value)
    assert "3 failed judge requests in a row" in msg and "--retry-errors" in msg
    assert "\n" not in msg
    assert len(seen) == 3 and _stored(store, sid) == 3


def test_a_reply_with_a_lone_surrogate_is_stored_invalid(store, sid):
    """The openai client turns a JSON "\\ud800" escape into a lone surrogate; the cell is
    stored INVALID with U+FFFD in its raw text instead of stopping every run there."""
    payload = (
        b'{"id": "j", "object": "chat.completion", "created": 0, "model": "m", "choices": '
        b'[{"index": 0, "message": {"role": "assistant", "content": "A\\ud800"}, '
        b'"finish_reason": "stop"}]}'
    )
    reply = (200, {"Content-Type": "application/json"}, payload)
    with scripted_server(lambda p, b: reply) as (url, _), _judge(url) as judge:
        res = runner.judge_session(store, sid, judge, concurrency=2)
    assert (res.done, res.errors) == (N, 0)
    rows = S.judgment_rows(store, sid)
    assert {r["verdict"] for r in rows} == {"INVALID"} and {r["raw"] for r in rows} == {"A\ufffd"}
