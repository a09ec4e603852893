"""Simulated users (evaluation/simulate.py, sim_users.py, sim_run.py): the scorers, the curve
logic on made-up turns, and a small real run on the bundled model, resumed by the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from personaco_tui.cli import main
from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed
from personaco_tui.errors import PersonacoError
from personaco_tui.evaluation import sim_candidates as SC
from personaco_tui.evaluation import sim_run as R
from personaco_tui.evaluation import sim_users as U
from personaco_tui.evaluation import simulate as SIM
from personaco_tui.locations import resolve


def test_own_scorers_measure_their_taste_in_0_1() -> None:
    short, long_ = "Yes.", "word " * 300
    assert U.brevity(short) > U.brevity(long_) and U.verbosity(long_) == 1.0
    assert U.listy("- a\n- b") == 1.0 and U.prose("- a\n- b") == 0.0
    assert U.code("use `x`") == 1.0 and U.asks_back("Shall I go on?**") == 1.0
    assert U.formality("Therefore the result holds.") > U.formality("Hey, you're awesome!")
    assert U.reading_ease("The cat sat.") > U.reading_ease(
        "Institutional epistemological considerations notwithstanding."
    )
    for f in U.OWN_SCORERS.values():
        for t in ("", short, long_, "**Hi** there!\n1. one"):
            assert 0.0 <= f(t) <= 1.0


def _turns(n: int, seed: int = 0) -> list[SIM.Turn]:
    rng = random.Random(seed)
    named = U.scorers(None)
    out = []
    for q in range(n):
        texts = []
        for _ in range(6):
            body = " ".join("word" for _ in range(rng.choice([5, 30, 90, 160])))
            texts.append(("- " + body) if rng.random() < 0.3 else body + ".")
        gen = Generation(
            GenerationSettingsUsed("personaco", "m", 6, 1.0, 0, 64), "q", [], "",
            [Candidate(i, t, 1, "stop") for i, t in enumerate(texts)],
        )  # fmt: skip
        out.append(SIM.Turn.of(f"q{q}", gen, named))
    return out


def test_learning_beats_no_learning_for_a_user_with_a_clear_taste() -> None:
    turns = _turns(40)
    names = list(U.scorers(None))
    user = U.User(0, {n: (1.0 if n == "brevity" else 0.0) for n in names})
    got = SIM.curve_for(user, names, turns, n_test=15, seed=0, l2=1.0, checkpoints=(0, 5, 20))
    assert got["learned"]["0"] == got["no_learning"]
    assert got["learned"]["20"] > got["no_learning"] + 0.25
    assert 0 < got["random"] < 1


def test_users_are_dirichlet_mixes_and_hidden_users_lean_on_one_scorer() -> None:
    names = list(U.scorers(None))
    users = SIM.draw_users(names, 5, 0.5, seed=1)
    assert all(abs(sum(u.weights.values()) - 1) < 1e-9 for u in users)
    assert users == SIM.draw_users(names, 5, 0.5, seed=1)
    turns = _turns(10)
    kinds = SIM.usable_hidden(names, turns)
    assert kinds["short"] == "brevity" and "asks_back" not in kinds  # never asked back
    hidden = SIM.draw_hidden_users(names, 4, 0.5, 1, kinds)
    assert {h.hidden for h in hidden} <= set(kinds)
    assert all(max(h.weights.values()) >= SIM.HIDDEN_SHARE for h in hidden)


def test_bootstrap_interval_brackets_the_mean() -> None:
    m, lo, hi = SIM.bootstrap([0.0, 1.0] * 20)
    assert m == 0.5 and lo < 0.5 < hi


def test_a_small_real_run_is_stored_and_resumed(engine, capsys) -> None:
    loc = resolve().ensure()
    queries = [("a", "Name a colour."), ("b", "Say hi."), ("c", "Name a fruit."), ("d", "Hi?")]
    spec = SC.TurnSpec(k=2, max_tokens=8, seed=3)
    settings = R.SimSettings("t", users=3, hidden_users=2, n_test=2, proposal_turns=2)
    res = R.run_simulation(lambda: engine, queries, loc.data_dir, settings, spec)
    folder = R.run_dir(loc.data_dir, "t")
    lines = (folder / "candidates.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all(len(json.loads(x)["candidates"]) == 2 for x in lines)
    assert res.n_users == 3 and set(res.curve) == {"learned", "no_learning", "random"}
    assert (folder / "curve.png").read_bytes()[:4] == b"\x89PNG"
    stored = json.loads((folder / "results.json").read_text())
    assert stored["users"] == 3 and stored["settings"]["picks_reuse_turns"] is True
    # The CLI reuses the cached turns and the finished users (no model needed for that).
    rc = main(["simulate", "--name", "t", "--users", "3", "--hidden-users", "2", "--test", "2",
               "--proposal-turns", "2", "--k", "2", "--max-tokens", "8", "--seed", "3",
               "--limit", "4", "--queries", str(_write(loc.data_dir / "q.jsonl", queries)),
               "--cached-only", "--no-ifeval", "--png", str(loc.data_dir / "c.png")])  # fmt: skip
    out, _ = capsys.readouterr()
    assert rc == 0 and "no learning" in out and "random pick" in out
    assert (loc.data_dir / "c.png").exists()
    assert len((folder / "users.jsonl").read_text().splitlines()) == 3  # resumed, not redone
    # Other settings in the same run are refused, not mixed.
    with pytest.raises(PersonacoError, match="was run with"):
        R.run_simulation(lambda: engine, queries, loc.data_dir,
                         R.SimSettings("t", users=3, alpha=2.0, n_test=2), spec)  # fmt: skip


def _write(path: Path, queries: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "query": q}) + "\n" for i, q in queries))
    return path
