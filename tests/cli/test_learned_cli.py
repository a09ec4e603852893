"""`personaco profile learned [--json] [--reset]`, and a real turn that uses what was learned."""

from __future__ import annotations

import json

from support.choices import store_picks as _picks

from personaco_tui import chat
from personaco_tui.cli import main
from personaco_tui.locations import resolve
from personaco_tui.runtime import Runtime
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _profile_with_picks(n: int) -> int:
    with Store.open(resolve().ensure()) as s:
        p = P.create_profile(s, "work")
        _picks(s, p.id, n)
        return p.id


def test_nothing_learned_yet_says_how_to_teach_it(capsys) -> None:
    run(capsys, "profile", "create", "work")
    rc, out, err = run(capsys, "profile", "learned", "work")
    assert rc == 0 and err == ""
    assert "Nothing learned yet" in out and "why view" in out


def test_learned_in_words_json_and_reset(capsys) -> None:
    _profile_with_picks(6)
    rc, out, _ = run(capsys, "profile", "learned", "work")
    assert rc == 0
    assert "You tend to prefer shorter answers" in out and "(from 6 choices)" in out
    assert "Used in the pick, after your signals." in out
    assert 'Proposal 1: add "Keep answers under 10 words."?' in out
    rc, out, _ = run(capsys, "profile", "learned", "work", "--json")
    data = json.loads(out)
    assert data["choices"] == 6 and data["used_in_pick"] is True
    assert data["model"]["kind"] == "conditional-logit" and data["model"]["weights"]
    assert data["proposals"][0]["n_consistent"] == 6
    rc, out, _ = run(capsys, "config", "set", "generation.learning", "off")
    assert rc == 0
    _, out, _ = run(capsys, "profile", "learned", "work")
    assert "Learning is off" in out
    rc, out, _ = run(capsys, "profile", "learned", "work", "--reset")
    assert rc == 0 and "Forgot what profile work learned from 6 choices" in out
    _, out, _ = run(capsys, "profile", "learned", "work")
    assert "Nothing learned yet" in out


def test_a_proposal_is_added_only_when_asked(capsys) -> None:
    pid = _profile_with_picks(6)
    rc, _, err = run(capsys, "profile", "learned", "work", "--add", "2")
    assert rc != 0 and "no proposal 2 (1 listed)" in err and err.count("\n") == 1
    with Store.open(resolve().ensure()) as s:
        assert P.list_signals(s, pid) == []
    rc, out, err = run(capsys, "profile", "learned", "work", "--add", "1")
    assert rc == 0, err
    assert "Added signal" in out and "Keep answers under 10 words." in out
    _, out, _ = run(capsys, "profile", "learned", "work", "--json")
    assert json.loads(out)["proposals"] == []  # accepted: never proposed again
    _, out, _ = run(capsys, "profile", "suggestions", "work", "--all", "--json")
    (made,) = json.loads(out)["suggestions"]
    assert made["status"] == "accepted" and made["source"] == "behaviour"
    assert "6 of your last 6" in made["evidence"]


def test_a_bad_setting_and_an_unknown_profile_are_one_clear_line(capsys) -> None:
    rc, _, err = run(capsys, "config", "set", "generation.learning", "sometimes")
    assert rc != 0 and "learned" in err and "off" in err and err.count("\n") <= 2
    rc, _, err = run(capsys, "profile", "learned", "nobody")
    assert rc != 0 and "nobody" in err


def test_a_real_turn_uses_the_learned_model_and_records_it(engine) -> None:
    rt = Runtime.open(engine=engine)
    try:
        p = P.create_profile(rt.store, "work")
        _picks(rt.store, p.id, 5)
        res = chat.ask(rt, "Name a colour.", profile_id=p.id, k=3, max_tokens=8, seed=4)
        assert isinstance(res, chat.TurnResult)
        gen = res.generation
        assert gen.learning is not None and gen.learning["n_choices"] == 5
        assert len(gen.learning["utilities"]) == 3
        u = gen.learning["utilities"]
        assert u[gen.chosen_index] == max(u)  # no signals: the learned taste picks
        assert G.load_generation(rt.store, gen.id).learning == gen.learning  # type: ignore[arg-type]
        rt.settings.generation.learning = "off"
        off = chat.ask(rt, "Name a colour.", profile_id=p.id, k=3, max_tokens=8, seed=4)
        assert isinstance(off, chat.TurnResult) and off.generation.learning is None
    finally:
        rt.close()


def test_choices_become_a_suggestion_listed_with_the_others(capsys) -> None:
    _profile_with_picks(6)
    run(capsys, "profile", "use", "work")
    rc, out, err = run(
        capsys, "ask", "Name a colour.", "--method", "baseline", "--max-tokens", "2", "--json"
    )
    assert rc == 0, err
    made = json.loads(out)["suggestions"]
    assert [s["source"] for s in made] == ["behaviour"]
    assert made[0]["text"] == "Keep answers under 10 words."
    assert "6 of your last 6" in made[0]["evidence"]
    _, out, _ = run(capsys, "profile", "suggestions", "--json")
    assert [s["text"] for s in json.loads(out)["suggestions"]] == ["Keep answers under 10 words."]
    # proposed once: the next turn does not propose it again
    rc, out, _ = run(capsys, "ask", "Hi", "--method", "baseline", "--max-tokens", "2", "--json")
    assert rc == 0 and json.loads(out)["suggestions"] == []
