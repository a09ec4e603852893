"""Integers past SQLite's INTEGER (2**63-1), and digits that are not decimal, at the CLI
boundary: one line naming the value and the range, before any model loads, never a
traceback after the answer was generated."""

from __future__ import annotations

import pytest

from personaco_tui import chat
from personaco_tui.cli import main
from personaco_tui.errors import PersonacoError
from personaco_tui.runtime import Runtime
from personaco_tui.store import profiles as P
from tests.support.fake_engine import FakeEngine

HUGE = "99999999999999999999999"
JUST_PAST = str(2**63)


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "use", HUGE],
        ["profile", "show", HUGE],
        ["profile", "use", "²"],  # a digit, but no decimal one: int() refuses it
        ["profile", "toggle-signal", "default", HUGE],
        ["profile", "remove-signal", "default", JUST_PAST],
        ["profile", "edit-signal", "default", HUGE, "new text"],
        ["history", "show", HUGE],
        ["history", "show", JUST_PAST],
        ["ask", "Hi", "--profile", HUGE],
    ],
)
def test_ids_too_big_to_store_are_one_line(capsys, argv: list[str]) -> None:
    assert main(["profile", "create", "default"]) == 0
    capsys.readouterr()
    assert main(argv) == 1
    value = next(a for a in argv if a in (HUGE, JUST_PAST, "²"))
    line = _one_line(capsys)
    assert line.startswith("personaco: ") and repr(value)[1:20] in line


def test_a_profile_named_by_big_digits_is_still_found_by_name(capsys) -> None:
    assert main(["profile", "create", HUGE]) == 0
    assert main(["profile", "use", HUGE]) == 0
    assert f"Active profile: {HUGE}" in capsys.readouterr().out


@pytest.mark.parametrize("cmd", ["ask", "generate"])
@pytest.mark.parametrize("seed", [JUST_PAST, HUGE, "-2"])
def test_a_seed_out_of_range_is_refused_before_the_model_loads(
    tmp_path, capsys, monkeypatch, cmd: str, seed: str
) -> None:
    def no_model(self, name=None):
        raise AssertionError("the model loaded for a seed that cannot be stored")

    monkeypatch.setattr(Runtime, "load_engine", no_model)
    items = tmp_path / "in.jsonl"
    items.write_text('{"id": 1, "query": "Hi"}\n')
    args = ["ask", "Hi"] if cmd == "ask" else ["generate", "--input", str(items), "--output"]
    if cmd == "generate":
        args.append(str(tmp_path / "out.jsonl"))
    assert main([*args, "--seed", seed]) == 1
    line = _one_line(capsys)
    assert f"--seed {seed}" in line and "2**63-1" in line


@pytest.mark.slow
def test_the_largest_seed_is_generated_and_stored(capsys) -> None:
    seed = str(2**63 - 1)
    assert main(["ask", "Hi", "--method", "baseline", "--max-tokens", "3", "--seed", seed]) == 0
    assert main(["history", "list"]) == 0
    assert "Hi" in capsys.readouterr().out


def test_nothing_known_before_generating_fails_after_it() -> None:
    """A text the store refuses, a conversation that is gone, a seed it cannot hold: each
    is refused before the engine samples anything."""
    engine = FakeEngine(["an answer"])
    rt = Runtime.open(engine=engine)
    try:
        profile = P.ensure_default_profile(rt.store)
        bad = [
            dict(query="half \ud800 a pair"),
            dict(query="Hi", signals=["\udfff"]),
            dict(query="Hi", conversation_id=2**40),
            dict(query="Hi", seed=2**63),
        ]
        for kw in bad:
            with pytest.raises(PersonacoError) as e:
                chat.ask(rt, profile_id=profile.id, **kw)  # type: ignore[arg-type]
            assert "\n" not in e.value.message
        assert engine.samples == []
    finally:
        rt.close()
