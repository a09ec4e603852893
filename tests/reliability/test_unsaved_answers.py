"""A finished answer survives a store that refuses it at save time: another program holds
the database lock past the busy timeout. `ask` prints the answer and says in one line that it
was not stored; `generate` still writes the item to the output and names it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest

from personaco_tui.cli import main
from personaco_tui.core import personaco
from personaco_tui.locations import resolve
from personaco_tui.store.db import Store


class Lock:
    """Once armed, another connection takes the write lock the moment a generation is done,
    and keeps it until released."""

    def __init__(self) -> None:
        self.armed = False
        self.holder: sqlite3.Connection | None = None

    def take(self) -> None:
        if self.armed and self.holder is None:
            self.holder = sqlite3.connect(resolve().db_path, isolation_level=None)
            self.holder.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.holder is not None:
            self.holder.rollback()
            self.holder.close()
            self.holder = None


@pytest.fixture
def locked_after_generating(monkeypatch) -> Iterator[Lock]:
    """The store waits only 0.3 s for a lock (the real 10 s would only slow the test)."""
    lock = Lock()
    real_run = personaco.run
    real_init = Store.__init__

    def short_wait(self, *args, **kw):
        kw["busy_timeout_ms"] = 300
        real_init(self, *args, **kw)

    def run_then_lock(*args, **kw):
        gen = real_run(*args, **kw)
        lock.take()
        return gen

    monkeypatch.setattr(Store, "__init__", short_wait)
    monkeypatch.setattr(personaco, "run", run_then_lock)
    yield lock
    lock.release()


def _stored_generations() -> int:
    with sqlite3.connect(resolve().db_path) as db:
        return db.execute("SELECT count(*) FROM generations").fetchone()[0]


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [False, True])
def test_ask_shows_the_answer_it_could_not_store(capsys, locked_after_generating, as_json):
    argv = ["ask", "Say hi.", "--method", "baseline", "--max-tokens", "6", "--seed", "3"]
    assert main([*argv, "--no-save"]) == 0
    answer = capsys.readouterr().out
    assert answer.strip()
    locked_after_generating.armed = True
    assert main(argv + (["--json"] if as_json else [])) == 1
    out, err = capsys.readouterr()
    if as_json:
        shown = json.loads(out)
        assert shown["id"] is None and shown["response"] + "\n" == answer
    else:
        assert out == answer  # the same seed, the same answer: shown, not lost
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "The answer was not stored" in lines[0] and "locked" in lines[0]
    locked_after_generating.release()
    assert _stored_generations() == 0


@pytest.mark.slow
def test_generate_writes_the_items_it_could_not_store(tmp_path, capsys, locked_after_generating):
    items, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    locked_after_generating.armed = True
    items.write_text(
        "".join(json.dumps({"id": i, "query": f"Name a colour {i}."}) + "\n" for i in ("a", "b"))
    )
    argv = ["generate", "--input", str(items), "--output", str(out), "--method", "baseline"]
    assert main([*argv, "--max-tokens", "4", "--seed", "1"]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]
    err = capsys.readouterr().err
    assert "item a: written but not stored in the database" in err
    assert "item b: written but not stored in the database" in err
    assert "2 not stored in the database" in err
