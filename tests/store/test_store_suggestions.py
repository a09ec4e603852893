"""Suggested signals: stored open, accepted into the profile, dismissed for good, never
proposed twice, never proposed when the profile already has the signal."""

from __future__ import annotations

import pytest

from personaco_tui.errors import NotFoundError
from personaco_tui.store import conversations as C
from personaco_tui.store import profiles as P
from personaco_tui.store import suggestions as S
from personaco_tui.store.db import InvalidInputError, Store


def test_add_list_accept_adds_the_signal(store: Store) -> None:
    p = P.create_profile(store, "me")
    conv = C.create_conversation(store, p.id)
    msg = C.add_message(store, conv.id, "user", "I'm vegetarian, what should I cook?")
    s = S.add_suggestion(store, p.id, "I'm vegetarian.", "message", "I'm vegetarian", msg.id)
    assert s is not None and s.status == "open" and s.message_id == msg.id
    assert [x.text for x in S.list_suggestions(store, p.id)] == ["I'm vegetarian."]
    done = S.accept_suggestion(store, s.id)
    assert done.status == "accepted" and done.signal_id is not None
    assert [x.text for x in P.list_signals(store, p.id)] == ["I'm vegetarian."]
    assert S.list_suggestions(store, p.id) == []
    assert [x.status for x in S.list_suggestions(store, p.id, status=None)] == ["accepted"]


def test_dismissed_and_accepted_texts_are_never_proposed_again(store: Store) -> None:
    p = P.create_profile(store, "me")
    a = S.add_suggestion(store, p.id, "I'm on my phone.", "message")
    assert a is not None
    S.dismiss_suggestion(store, a.id)
    assert S.add_suggestion(store, p.id, "i’m on my  PHONE", "message") is None
    b = S.add_suggestion(store, p.id, "Keep answers short.", "behaviour", "5 of 6 picks shorter")
    assert b is not None
    S.accept_suggestion(store, b.id)
    P.remove_signal(store, P.list_signals(store, p.id)[0].id)
    assert S.add_suggestion(store, p.id, "Keep answers short", "behaviour") is None
    # another profile may be offered the same text
    q = P.create_profile(store, "other")
    assert S.add_suggestion(store, q.id, "I'm on my phone.", "message") is not None


def test_open_duplicates_and_existing_signals_are_not_proposed(store: Store) -> None:
    p = P.create_profile(store, "me")
    P.add_signal(store, p.id, "I live in Germany.")
    assert S.add_suggestion(store, p.id, "i live in germany", "message") is None
    assert S.add_suggestion(store, p.id, "I have two cats.", "message") is not None
    assert S.add_suggestion(store, p.id, "I have two cats!", "message") is None
    assert len(S.list_suggestions(store, p.id)) == 1


def test_a_decided_suggestion_cannot_be_decided_again(store: Store) -> None:
    p = P.create_profile(store, "me")
    s = S.add_suggestion(store, p.id, "I'm a nurse.", "message")
    assert s is not None
    S.dismiss_suggestion(store, s.id)
    with pytest.raises(InvalidInputError, match="already dismissed"):
        S.accept_suggestion(store, s.id)
    assert P.list_signals(store, p.id) == []
    with pytest.raises(NotFoundError, match="Unknown suggestion #999"):
        S.dismiss_suggestion(store, 999)


def test_bad_input_is_refused_with_a_message(store: Store) -> None:
    p = P.create_profile(store, "me")
    with pytest.raises(InvalidInputError, match="source"):
        S.add_suggestion(store, p.id, "x", "guess")
    with pytest.raises(InvalidInputError, match="one line"):
        S.add_suggestion(store, p.id, "   ", "message")
    with pytest.raises(InvalidInputError, match="one line"):
        S.add_suggestion(store, p.id, "a" * 600, "message")
    with pytest.raises(NotFoundError):
        S.add_suggestion(store, 12345, "I'm a nurse.", "message")


def test_reset_forgets_suggestions_but_keeps_signals(store: Store) -> None:
    p = P.create_profile(store, "me")
    a = S.add_suggestion(store, p.id, "I'm a nurse.", "message")
    S.add_suggestion(store, p.id, "I'm left-handed.", "message")
    assert a is not None
    S.accept_suggestion(store, a.id)
    assert S.reset_suggestions(store, p.id) == 2
    assert S.list_suggestions(store, p.id, status=None) == []
    assert [s.text for s in P.list_signals(store, p.id)] == ["I'm a nurse."]


def test_deleting_the_profile_deletes_its_suggestions(store: Store) -> None:
    p = P.create_profile(store, "me")
    S.add_suggestion(store, p.id, "I'm a nurse.", "message")
    P.delete_profile(store, p.id)
    assert store.db.execute("SELECT count(*) FROM signal_suggestions").fetchone()[0] == 0
