"""`personaco eval create NAME --from-history`: items from the user's own past questions
with the profile's enabled signals; one-line errors when there is nothing to build from."""

from __future__ import annotations

from personaco_tui.cli import main
from personaco_tui.evaluation import sessions as ES
from personaco_tui.locations import Locations
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _history(loc: Locations) -> None:
    with Store.open(loc) as s:
        me = P.create_profile(s, "me")
        other = P.create_profile(s, "other")
        P.set_active_profile(s, me.id)
        P.add_signal(s, me.id, "Keep it under 50 words.")
        off = P.add_signal(s, me.id, "Use French.")
        P.set_signal_enabled(s, off.id, False)
        a = C.create_conversation(s, me.id)
        for q in ("What is a p-value?", "Name a fruit.", "what is a  P-value?"):
            C.add_message(s, a.id, "user", q)
            C.add_message(s, a.id, "assistant", "…")
        b = C.create_conversation(s, me.id)
        C.add_message(s, b.id, "user", "How do tides work?")
        c = C.create_conversation(s, other.id)
        C.add_message(s, c.id, "user", "Someone else's question")


def test_items_are_the_profiles_questions_with_its_enabled_signals(capsys, loc) -> None:
    _history(loc)
    rc, out, err = run(
        capsys,
        "eval",
        "create",
        "mine",
        "--from-history",
        "--a",
        "baseline",
        "--b",
        "personaco:k=2",
    )
    assert rc == 0 and "3 items from me's questions" in out, err
    with Store.open(loc) as s:
        items = ES.get_session(s, "mine").items
    assert [i.query for i in items] == ["What is a p-value?", "Name a fruit.", "How do tides work?"]
    assert all(i.signals == ["Keep it under 50 words."] for i in items)
    assert all(i.key.startswith("h") for i in items)
    rc, out, _ = run(
        capsys,
        "eval",
        "create",
        "last2",
        "--from-history",
        "--last",
        "2",
        "--profile",
        "me",
        "--a",
        "baseline",
        "--b",
        "personaco",
    )
    with Store.open(loc) as s:
        items = ES.get_session(s, "last2").items
    assert rc == 0 and [i.query for i in items] == ["what is a  P-value?", "How do tides work?"]


def test_nothing_to_build_from_is_one_line(capsys, loc) -> None:
    with Store.open(loc) as s:
        p = P.create_profile(s, "empty")
        P.set_active_profile(s, p.id)
    args = ("--from-history", "--a", "baseline", "--b", "personaco")
    rc, _, err = run(capsys, "eval", "create", "x", *args)
    assert rc != 0 and "no signals switched on" in err
    run(capsys, "profile", "add-signal", "empty", "Be brief.")
    rc, _, err = run(capsys, "eval", "create", "x", *args)
    assert rc != 0 and "no past questions yet" in err
    rc, _, err = run(capsys, "eval", "create", "x", "--last", "3", "--a", "baseline", "--b", "b")
    assert rc != 0 and "exactly one of" in err
    rc, _, err = run(capsys, "eval", "create", "x", "--items", "f.jsonl", "--last", "3", *args[1:])
    assert rc != 0 and "go with --from-history" in err
