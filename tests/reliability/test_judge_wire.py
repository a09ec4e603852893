"""A judge (or remote generator) that sends what is not a reply: a 200 whose body is HTML or
megabytes of junk, a body dripped one byte a second, or a reply far too large to keep. Each
cell should end as a counted INVALID row, within `timeout_s`, and with bounded storage."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.judge import ExternalJudge
from personaco_tui.locations import Locations
from personaco_tui.store.db import Store
from tests.support.servers import chat_reply, scripted_server


def _session(store: Store, n_items: int = 2) -> None:
    items = [S.EvalItem(f"q{i}", f"Question {i}?", ["Be brief."]) for i in range(n_items)]
    S.create_session(store, "s", items, {"method": "a"}, {"method": "b"})
    for it in S.get_session(store, "s").items:
        S.add_output(store, it.id, "A", "a")
        S.add_output(store, it.id, "B", "b")


def _html(path: str, body: dict):
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    return 200, {"Content-Type": "text/html"}, page


def test_a_judge_that_answers_200_with_html_stores_invalid_and_goes_on(loc: Locations) -> None:
    with Store.open(loc) as store:
        _session(store)
        with (
            scripted_server(_html) as (url, seen),
            ExternalJudge(url, "m", max_retries=0, concurrency=1) as judge,
        ):
            res = runner.judge_session(store, "s", judge)
        assert len(seen) == 2  # the run went on past the first bad reply
        assert (res.done, res.errors) == (2, 2)
        assert "not JSON" in res.last_error
        rows = S.judgment_rows(store, "s")
        assert [r["verdict"] for r in rows] == ["INVALID", "INVALID"]
        assert all("not JSON" in r["raw"] and "Bad Gateway" in r["raw"] for r in rows)


def _junk(path: str, body: dict):
    return 200, {"Content-Type": "application/json"}, b"\x00junk" * (6 * 1000 * 1000)


def test_a_judge_that_answers_30_mb_of_junk_stores_a_short_invalid_row(loc: Locations) -> None:
    with Store.open(loc) as store:
        _session(store, n_items=1)
        with (
            scripted_server(_junk) as (url, _seen),
            ExternalJudge(url, "m", max_retries=0) as judge,
        ):
            res = runner.judge_session(store, "s", judge)
        assert (res.done, res.errors) == (1, 1)
        (row,) = S.judgment_rows(store, "s")
        assert row["verdict"] == "INVALID"
        assert len(row["raw"]) < 2000
        assert "far too long" in row["raw"] and "30.0 MB" in row["raw"]


def _huge_verdict(path: str, body: dict):
    return chat_reply("A" + " and more" * 100_000)  # 0.9 MB: read, but not all of it stored


def test_a_huge_judge_reply_is_cut_before_it_is_stored(loc: Locations) -> None:
    with Store.open(loc) as store:
        _session(store, n_items=6)
        with (
            scripted_server(_huge_verdict) as (url, _seen),
            ExternalJudge(url, "m", max_retries=0) as judge,
        ):
            res = runner.judge_session(store, "s", judge)
        assert res.done == 6
        rows = S.judgment_rows(store, "s")
        for r in rows:
            assert r["verdict"] == "INVALID"
            assert len(r["raw"].encode()) <= 70 * 1024
            assert r["raw"].startswith("A and more")
            assert r["raw"].endswith(" \u2026 [cut: 900.0 kB in all]")
    assert loc.db_path.stat().st_size < 2 * 1024 * 1024


@contextmanager
def _drip_server(body: bytes, headers: bytes) -> Iterator[str]:
    """Sends the headers at once, then `body` one byte a second (a slow-loris reply)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                conn.sendall(headers)
                for i in range(len(body)):
                    if stop.is_set():
                        return
                    conn.sendall(body[i : i + 1])
                    time.sleep(1)
            except OSError:
                return

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}/v1"
    finally:
        stop.set()
        t.join()
        srv.close()


def test_a_slow_drip_judge_is_cut_off_at_timeout_s(loc: Locations) -> None:
    body = chat_reply("A")[2]
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    with Store.open(loc) as store:
        _session(store, n_items=1)
        with (
            _drip_server(body, head) as url,
            ExternalJudge(url, "m", max_retries=3, timeout_s=3) as judge,
        ):
            t0 = time.monotonic()
            res = runner.judge_session(store, "s", judge)
            took = time.monotonic() - t0
        assert took < 8, f"took {took:.1f} s with timeout_s = 3"
        assert (res.done, res.errors) == (1, 1)
        assert "did not answer within 3 s" in res.last_error


def test_a_slow_drip_remote_generator_is_cut_off_at_timeout_s() -> None:
    from personaco_tui.engines.base import SamplingParams
    from personaco_tui.engines.openai_compat import OpenAICompatEngine
    from personaco_tui.errors import EngineError

    chunk = (
        '{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "r", '
        '"choices": [{"index": 0, "delta": {"content": "hello"}, "finish_reason": "stop"}]}'
    )
    body = f"data: {chunk}\n\ndata: [DONE]\n\n".encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
    with _drip_server(body, head) as url:
        engine = OpenAICompatEngine(url, "r", max_retries=2, timeout_s=3)
        try:
            t0 = time.monotonic()
            with pytest.raises(EngineError, match="did not answer within 3 s"):
                engine.sample([{"role": "user", "content": "hi"}], 1, SamplingParams(max_tokens=4))
            assert time.monotonic() - t0 < 8
        finally:
            engine.close()
