"""A signal's reading (the user's correction) is stored beside its text in a real SQLite
file: added, changed, cleared, kept through an edit, and a hand-edited value never breaks
reading the profile."""

from __future__ import annotations

import sqlite3

import pytest

from personaco_tui.core.types import Reading, SignalText
from personaco_tui.store import profiles as P
from personaco_tui.store.db import Store

NO_COMMAS = Reading("no_commas")
UNDER_40 = Reading("word_count", (("n", 40), ("relation", "<")))
WORDS = Reading("include_words", (("mode", "all"), ("words", ("banana", "rocket"))))


def test_a_reading_round_trips(store: Store) -> None:
    p = P.create_profile(store, "work")
    plain = P.add_signal(store, p.id, "Be formal.")
    s = P.add_signal(store, p.id, "Keep it short.", reading=UNDER_40)
    assert plain.reading is None and s.reading == UNDER_40
    assert P.get_signal(store, s.id).reading == UNDER_40
    assert P.set_signal_reading(store, s.id, WORDS).reading == WORDS
    assert [x.reading for x in P.list_signals(store, p.id)] == [None, WORDS]
    assert P.set_signal_reading(store, s.id, Reading("model")).reading == Reading("model")
    assert P.set_signal_reading(store, s.id, None).reading is None


def test_editing_the_text_keeps_the_reading(store: Store) -> None:
    p = P.create_profile(store, "work")
    s = P.add_signal(store, p.id, "Commas annoy me.", reading=NO_COMMAS)
    assert P.edit_signal(store, s.id, "Commas really annoy me.").reading == NO_COMMAS


def test_a_signal_hands_its_reading_to_a_turn(store: Store) -> None:
    p = P.create_profile(store, "work")
    s = P.add_signal(store, p.id, "Commas annoy me.", reading=NO_COMMAS)
    text = s.as_text
    assert isinstance(text, SignalText) and text == "Commas annoy me." and text.reading == NO_COMMAS


def test_a_hand_edited_reading_is_ignored_not_fatal(store: Store, loc) -> None:
    p = P.create_profile(store, "work")
    s = P.add_signal(store, p.id, "Commas annoy me.")
    conn = sqlite3.connect(loc.db_path)
    conn.execute("UPDATE signals SET reading_json = ? WHERE id = ?", ['["not", "a reading"]', s.id])
    conn.commit()
    conn.close()
    assert P.get_signal(store, s.id).reading is None


def test_the_schema_refuses_a_reading_that_is_not_json(store: Store, loc) -> None:
    p = P.create_profile(store, "work")
    s = P.add_signal(store, p.id, "Commas annoy me.")
    conn = sqlite3.connect(loc.db_path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE signals SET reading_json = 'no{' WHERE id = ?", [s.id])
    conn.close()
