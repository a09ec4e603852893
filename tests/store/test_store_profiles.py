"""Profiles, signals and the active profile."""

from __future__ import annotations

import pytest

from personaco_tui.errors import NotFoundError, PersonacoError
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.store.db import DuplicateNameError, InvalidInputError, Store


def test_create_get_list_rename_delete(store: Store) -> None:
    work = P.create_profile(store, "  work ")
    home = P.create_profile(store, "Home")
    assert work.name == "work" and work.created_at.endswith("Z")
    assert P.get_profile(store, "work") == work
    assert P.get_profile(store, work.id) == work
    assert P.get_profile(store, str(work.id)) == work  # an id typed on the command line
    assert [p.name for p in P.list_profiles(store)] == ["Home", "work"]
    renamed = P.rename_profile(store, work.id, "job")
    assert renamed.name == "job" and renamed.id == work.id
    assert renamed.updated_at >= work.updated_at
    P.delete_profile(store, "job")
    assert P.list_profiles(store) == [home]


def test_unknown_profile_message(store: Store) -> None:
    with pytest.raises(NotFoundError) as e:
        P.get_profile(store, "x")
    assert str(e.value) == "Unknown profile 'x'. Create it with: personaco profile create x"
    with pytest.raises(NotFoundError, match="Unknown profile #42"):
        P.get_profile(store, 42)


def test_duplicate_and_empty_names_are_refused(store: Store) -> None:
    P.create_profile(store, "work")
    other = P.create_profile(store, "other")
    with pytest.raises(DuplicateNameError, match="A profile named 'work' already exists"):
        P.create_profile(store, "work")
    with pytest.raises(DuplicateNameError):
        P.rename_profile(store, other.id, "work")
    assert P.rename_profile(store, other.id, "other").name == "other"  # to itself is fine
    for bad in ("", "   ", "a\nb", "x\ud800"):
        with pytest.raises(InvalidInputError):
            P.create_profile(store, bad)
    assert isinstance(DuplicateNameError("x"), PersonacoError)


def test_active_profile_and_default(store: Store) -> None:
    assert P.get_active_profile(store) is None
    default = P.ensure_default_profile(store)
    assert default.name == "default"
    assert P.ensure_default_profile(store) == default  # created once
    assert P.get_active_profile(store) == default
    work = P.create_profile(store, "work")
    assert P.set_active_profile(store, "work") == work
    assert P.ensure_default_profile(store) == work
    P.delete_profile(store, work.id)
    assert P.get_active_profile(store) is None
    assert P.ensure_default_profile(store) == default
    assert [p.name for p in P.list_profiles(store)] == ["default"]


def test_ensure_default_uses_an_existing_profile_rather_than_creating_one(store: Store) -> None:
    only = P.create_profile(store, "mine")
    assert P.ensure_default_profile(store) == only
    assert len(P.list_profiles(store)) == 1


def test_signals_crud_and_toggles(store: Store) -> None:
    p = P.create_profile(store, "p")
    a = P.add_signal(store, p.id, "  No bullet lists.  ")
    b = P.add_signal(store, p.id, "Under 80 words", weight=2.5)
    c = P.add_signal(store, p.id, "Use metric units")
    assert (a.text, a.enabled, a.weight) == ("No bullet lists.", True, None)
    assert [s.position for s in (a, b, c)] == [0, 1, 2]
    assert b.weight == 2.5
    assert P.get_signal(store, b.id) == b

    off = P.toggle_signal(store, a.id)
    assert off.enabled is False and off.updated_at >= a.updated_at
    assert [s.id for s in P.list_signals(store, p.id, enabled_only=True)] == [b.id, c.id]
    assert P.toggle_signal(store, a.id).enabled is True
    assert P.set_signal_enabled(store, c.id, False).enabled is False
    assert P.set_signal_enabled(store, c.id, False).enabled is False  # idempotent

    edited = P.edit_signal(store, b.id, " Under 50 words ")
    assert edited.text == "Under 50 words" and edited.weight == 2.5
    P.remove_signal(store, a.id)
    assert [s.text for s in P.list_signals(store, p.id)] == ["Under 50 words", "Use metric units"]
    assert P.add_signal(store, p.id, "Last").position == 3  # after the highest, not the count


def test_signal_errors(store: Store) -> None:
    p = P.create_profile(store, "p")
    for bad in ("", "   \n\t"):
        with pytest.raises(InvalidInputError, match="A signal cannot be empty"):
            P.add_signal(store, p.id, bad)
    with pytest.raises(InvalidInputError):
        P.add_signal(store, p.id, "ok", weight=float("nan"))
    for bad in ("\x00starts with NUL", "has \x00 inside"):
        with pytest.raises(InvalidInputError, match="NUL"):
            P.add_signal(store, p.id, bad)
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        P.add_signal(store, p.id, "bad \udc00")
    with pytest.raises(NotFoundError, match="Unknown profile #99"):
        P.add_signal(store, 99, "orphan")
    s = P.add_signal(store, p.id, "real")
    with pytest.raises(InvalidInputError):
        P.edit_signal(store, s.id, " ")
    assert P.get_signal(store, s.id).text == "real"
    for call in (P.get_signal, P.remove_signal, P.toggle_signal):
        with pytest.raises(NotFoundError, match="Unknown signal #777"):
            call(store, 777)


def test_deleting_a_profile_cascades_to_signals_and_keeps_conversations(store: Store) -> None:
    p = P.create_profile(store, "gone")
    keep = P.create_profile(store, "kept")
    for text in ("one", "two", "three"):
        P.add_signal(store, p.id, text)
    P.add_signal(store, keep.id, "mine")
    conv = C.create_conversation(store, p.id, "old chat")
    P.delete_profile(store, p.id)
    count = store.db.execute("SELECT count(*) FROM signals WHERE profile_id = ?", [p.id])
    assert count.fetchone()[0] == 0
    assert [s.text for s in P.list_signals(store, keep.id)] == ["mine"]
    assert C.get_conversation(store, conv.id).profile_id is None
