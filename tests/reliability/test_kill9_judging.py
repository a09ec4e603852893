"""Kill -9 in the middle of judging: a real `personaco eval run` process against a slow judge
on 127.0.0.1, killed at random points, then run to the end. The database stays sound, every
(item, signal, pass) is judged exactly once with the verdict the judge gave for it, and the
work already stored is never asked of the judge again.

The outputs are stored directly (sessions.add_output), so no model generates anything."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from personaco_tui.config import Settings
from personaco_tui.evaluation import sessions as S
from personaco_tui.locations import Locations
from personaco_tui.store.db import Store
from tests.support.servers import chat_reply, scripted_server

DELAY_S = 0.1  # each verdict takes this long, so kills land while a run is judging
KILLS = 4
# Each signal tells the scripted judge which response to prefer; the stored verdict (about
# the true methods) must then be this, whatever order the responses were shown in.
KINDS = {"prefer-alpha": "A", "prefer-beta": "B", "same": "SAME", "n/a": "N/A"}
N_ITEMS, SIGNALS = 5, ["prefer-alpha", "prefer-beta", "same"]
PASSES = 2


def _judge_reply(body: dict) -> str:
    """What the judge answers: it reads the criterion and which response it was shown first."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    kind = re.search(r"\[\[(\S+?)\]\]", prompt)
    assert kind, prompt[:300]
    verdict = KINDS[kind.group(1)]
    if verdict not in ("A", "B"):
        return verdict
    alpha_first = prompt.index("alpha-answer") < prompt.index("beta-answer")
    return verdict if alpha_first else {"A": "B", "B": "A"}[verdict]


def _slow_judge():
    lock = threading.Lock()

    def answer(path: str, body: dict):
        time.sleep(DELAY_S)
        with lock:
            content = _judge_reply(body)
        return chat_reply(content, reply_id="j")

    return answer


def _session(loc: Locations) -> None:
    items = [
        S.EvalItem(f"q{i}", f"Question {i}?", [f"[[{k}]] for item {i}" for k in SIGNALS])
        for i in range(N_ITEMS)
    ]
    with Store.open(loc) as store:
        S.create_session(store, "k9", items, {"method": "personaco"}, {"method": "baseline"})
        for it in S.get_session(store, "k9").items:
            S.add_output(store, it.id, "A", f"alpha-answer to {it.key}")
            S.add_output(store, it.id, "B", f"beta-answer to {it.key}")


def _run(home: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "personaco_tui",
            "--home",
            str(home),
            "eval",
            "run",
            "k9",
            "--judge",
            "external",
            "--judge-base-url",
            url,
            "--judge-model",
            "m",
            "--passes",
            str(PASSES),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_sound(db: Path) -> list[tuple]:
    """The database is whole, nothing is orphaned; returns the judgments stored so far."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT count(*) FROM judgments j LEFT JOIN eval_items i ON i.id = j.item_id "
            "WHERE i.id IS NULL OR j.signal_idx >= json_array_length(i.signals_json) "
            "OR (SELECT count(*) FROM eval_outputs o WHERE o.item_id = i.id) != 2"
        ).fetchone()[0]
        assert orphans == 0
        return conn.execute(
            "SELECT i.item_key, j.signal_idx, j.pass, j.verdict, j.order_shown, j.raw "
            "FROM judgments j JOIN eval_items i ON i.id = j.item_id"
        ).fetchall()
    finally:
        conn.close()


def _wait_for(cond, proc: subprocess.Popen, give_up_s: float | None = None) -> None:
    """Until `cond()` or the process ends; or, with `give_up_s`, at most that long."""
    deadline = time.monotonic() + (give_up_s if give_up_s is not None else 120)
    while not cond() and proc.poll() is None:
        if time.monotonic() > deadline:
            assert give_up_s is not None, "the run made no progress"
            return
        time.sleep(0.005)


def test_kill9_mid_judging_then_resume(loc: Locations) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    home = loc.data_dir.parent
    _session(loc)
    total = N_ITEMS * len(SIGNALS) * PASSES
    kills = 0
    with scripted_server(_slow_judge()) as (url, requests):
        for n in range(KILLS):
            asked = len(requests)
            proc = _run(home, url)
            if n == 0:  # somewhere in start-up, or at the latest in the first request
                _wait_for(lambda a=asked: len(requests) > a, proc, rng.uniform(0.1, 1.5))
            else:  # after a random number of requests
                target = asked + rng.randint(1, 3)
                _wait_for(lambda t=target: len(requests) >= t, proc)
            time.sleep(rng.uniform(0, 1.2 * DELAY_S))  # part-way through a reply, or storing it
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            stored = _check_sound(loc.db_path)
            assert len(stored) <= len(requests), f"seed {seed}: a verdict no judge gave"
        assert kills >= 3, f"seed {seed}: the runs finished before they could be killed"
        partial = len(_check_sound(loc.db_path))
        assert partial < total, f"seed {seed}: killed runs finished the whole session"

        proc = _run(home, url)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert f"Judged {total - partial} pair(s)" in err, err
        asked = len(requests)
        proc = _run(home, url)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Judged 0 pair(s)" in err, err
        assert len(requests) == asked, "a finished session asked the judge again"

    stored = _check_sound(loc.db_path)
    cells = Counter((key, sig, p) for key, sig, p, *_ in stored)
    want = {(f"q{i}", s, p) for i in range(N_ITEMS) for s in range(len(SIGNALS)) for p in (1, 2)}
    assert set(cells) == want and set(cells.values()) == {1}, f"seed {seed}"
    for key, sig, _p, verdict, order, raw in stored:
        want_verdict = KINDS[SIGNALS[sig]]
        assert verdict == want_verdict, (seed, key, sig, verdict)
        shown = {"AB": {"A": "A", "B": "B"}, "BA": {"A": "B", "B": "A"}}[order]
        assert raw.strip() == shown.get(want_verdict, want_verdict), (seed, key, sig, order, raw)
    # Killed runs lose at most the requests they had in flight; the rest is never redone.
    in_flight = max(1, Settings().judge.concurrency)
    wasted = len(requests) - total
    assert 0 <= wasted <= kills * in_flight, f"seed {seed}: {wasted} requests redone"
