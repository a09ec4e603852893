"""Resources: a turn bigger than the model's context is refused before any work, with the
numbers, and nothing is stored; the memory benchmark runs and reports sane figures."""

from __future__ import annotations

import json
import math
import re

import pytest

from personaco_tui import chat
from personaco_tui.cli import main
from personaco_tui.errors import EngineError
from personaco_tui.runtime import Runtime


def _stored(rt: Runtime) -> tuple[int, int]:
    db = rt.store.db
    return (
        db.execute("SELECT count(*) FROM generations").fetchone()[0],
        db.execute("SELECT count(*) FROM messages").fetchone()[0],
    )


@pytest.mark.parametrize(
    ("query", "k", "max_tokens"),
    [
        pytest.param("Hi", 8, 1000, id="k answers too long"),
        pytest.param("word " * 40_000, 1, 8, id="a paste longer than the context"),
    ],
)
def test_a_turn_bigger_than_the_context_is_refused_before_work(
    engine, query: str, k: int, max_tokens: int
) -> None:
    rt = Runtime.open(engine=engine)
    try:
        events: list[object] = []
        with pytest.raises(EngineError) as e:
            chat.ask(
                rt, query, signals=["I have a PhD."], on_progress=events.append,
                k=k, max_tokens=max_tokens,
            )  # fmt: skip
        msg = e.value.message
        assert "\n" not in msg
        m = re.search(
            r"needs about (\d+) tokens of context \(prompt (\d+) \+ (\d+) x (\d+) new", msg
        )
        assert m, msg
        need, prompt, n, new = map(int, m.groups())
        assert (n, new) == (k, max_tokens) and need >= prompt + n * new > engine.n_ctx
        assert f"holds {engine.n_ctx}" in msg and "Lower k or max tokens" in msg
        assert events == []  # no sampling started
        assert _stored(rt) == (0, 0)
    finally:
        rt.close()


def test_the_cli_says_so_in_one_line(capsys) -> None:
    rc = main(["ask", "Hi", "--k", "16", "--max-tokens", "4000"])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and "\n" not in err
    assert "16 x 4000 new" in err and "context holds 8192" in err, err
    rt = Runtime.open()
    try:
        assert _stored(rt) == (0, 0)
    finally:
        rt.close()


def test_memory_benchmark_reports_rss_per_turn(capsys) -> None:
    # small k and answers keep it quick; `personaco bench --memory` runs 50 turns, k = 4
    assert main(["bench", "--memory", "--turns", "3", "--k", "2", "--tokens", "4", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["benchmark"] == "memory" and data["model"] == "smollm2-135m"
    assert (data["turns"], data["k"], data["max_tokens"], data["slope_turns"]) == (3, 2, 4, 3)
    assert len(data["rss_mb"]) == 3 and err.count("RSS") == 3
    for key in ("loaded_mb", "start_mb", "end_mb", "max_mb"):
        assert data[key] > 50, key  # a loaded model is resident: tens of MB at least
    assert data["max_mb"] == max(data["rss_mb"]) >= data["end_mb"]
    assert data["start_mb"] == data["rss_mb"][0] and data["end_mb"] == data["rss_mb"][-1]
    assert math.isfinite(data["slope_mb_per_turn"]) and data["seconds"] > 0
    rt = Runtime.open()  # the benchmark's turns went to a throwaway home, not the user's
    try:
        assert _stored(rt) == (0, 0)
    finally:
        rt.close()
