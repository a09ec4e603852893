"""Kill -9 in the middle of batch generation: the database stays sound, nothing half-written
is left, and the next run finishes only the missing work."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def _items(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "id": f"q{i}",
                        "query": f"Name thing number {i}.",
                        "signals": ["Never use commas."],
                    }
                )
                + "\n"
            )


def _generate(home: Path, items: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "personaco_tui",
            "--home",
            str(home),
            "generate",
            "--input",
            str(items),
            "--output",
            str(out),
            "--k",
            "2",
            "--max-tokens",
            "24",
            "--seed",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill9_mid_generation_then_resume(tmp_path):
    home, items, out = tmp_path / "home", tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _items(items, 6)
    for delay in (0.0, 0.5):  # killed while loading, then killed mid-run (both retried below)
        proc = _generate(home, items, out)
        deadline = time.monotonic() + 60
        # wait until at least one result is written (or for the load-time kill, not at all)
        while delay and time.monotonic() < deadline:
            if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 2:
                break
            time.sleep(0.05)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    db = home / "data" / "personaco.db"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # no generation without its candidates
    orphans = conn.execute(
        "SELECT count(*) FROM generations g WHERE NOT EXISTS "
        "(SELECT 1 FROM candidates c WHERE c.generation_id = g.id)"
    ).fetchone()[0]
    assert orphans == 0
    conn.close()
    before = [
        json.loads(x)["id"]
        for x in out.read_text(encoding="utf-8").splitlines()
        if x.strip().endswith("}")
    ]
    assert 1 <= len(before) < 6
    proc = _generate(home, items, out)
    assert proc.wait(timeout=300) == 0
    ids = []
    for line in out.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):  # a line torn by the kill
            ids.append(json.loads(line)["id"])
    assert sorted(set(ids)) == [f"q{i}" for i in range(6)]
    assert len(ids) == len(set(ids))  # finished work was not done again


def test_a_torn_last_line_does_not_swallow_the_next_result(tmp_path, engine):
    from personaco_tui.batch import Item, run_batch
    from personaco_tui.core.personaco import RunConfig

    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "response": "x"}\n{"id": "b", "resp', encoding="utf-8")
    items = [Item("a", "Hi", []), Item("b", "Hello", [])]
    assert (
        run_batch(engine, items, out, RunConfig(method="baseline", max_tokens=4, seed=1), None) == 1
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"id": "b", "resp'
    assert json.loads(lines[2])["id"] == "b"
