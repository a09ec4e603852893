"""Conversations, messages byte for byte, and search that accepts any input."""

from __future__ import annotations

import pytest

from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, Message
from personaco_tui.errors import NotFoundError
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.store.db import InvalidInputError, Store

ODD_TEXTS = [
    "plain ascii",
    "emoji 😀 and a joined family 👨‍👩‍👧‍👦 and a flag 🇫🇷 and skin tone 👍🏽",
    "مرحبا بالعالم \u200f(RTL with a mark)\u200f",
    "עברית: שלום עולם",
    "NUL inside: a\x00b, and at the end\x00",
    "\x00",
    "decomposed e\u0301 vs composed é",
    "CRLF\r\nline\rbreaks\n",
    "\ufeffBOM first",
    "astral 𝕏 and the last code point \U0010ffff",
    "zero width\u200bspace and \u202eoverride",
    "",
]


def test_conversation_crud(store: Store) -> None:
    p = P.create_profile(store, "p")
    a = C.create_conversation(store, p.id, "First")
    b = C.create_conversation(store, None)
    assert (a.profile_id, a.title) == (p.id, "First") and b.title == ""
    assert {c.id for c in C.list_conversations(store)} == {a.id, b.id}
    assert [c.id for c in C.list_conversations(store, p.id)] == [a.id]
    assert C.rename_conversation(store, a.id, "Renamed").title == "Renamed"
    assert C.get_conversation(store, a.id).title == "Renamed"
    C.delete_conversation(store, b.id)
    with pytest.raises(NotFoundError, match=f"Unknown conversation #{b.id}"):
        C.get_conversation(store, b.id)
    with pytest.raises(NotFoundError, match="Unknown profile #5"):
        C.create_conversation(store, 5)


def test_messages_in_order_and_conversation_bumped(store: Store) -> None:
    conv = C.create_conversation(store, None, "c")
    u = C.add_message(store, conv.id, "user", "hi")
    a = C.add_message(store, conv.id, "assistant", "hello")
    assert C.list_messages(store, conv.id) == [u, a]
    assert C.get_conversation(store, conv.id).updated_at >= conv.updated_at
    with pytest.raises(InvalidInputError, match="Unknown message role 'robot'"):
        C.add_message(store, conv.id, "robot", "x")
    with pytest.raises(NotFoundError, match="Unknown conversation #999"):
        C.add_message(store, 999, "user", "x")
    with pytest.raises(NotFoundError, match="Unknown conversation #999"):
        C.list_messages(store, 999)
    with pytest.raises(NotFoundError, match="Unknown generation #4"):
        C.add_message(store, conv.id, "assistant", "x", generation_id=4)
    assert C.list_messages(store, C.create_conversation(store, None).id) == []


def test_unicode_round_trips_byte_for_byte(store: Store) -> None:
    conv = C.create_conversation(store, None, ODD_TEXTS[1])
    ids = [C.add_message(store, conv.id, "user", t).id for t in ODD_TEXTS]
    back = {m.id: m.content for m in C.list_messages(store, conv.id)}
    for i, text in zip(ids, ODD_TEXTS, strict=True):
        assert back[i].encode("utf-8") == text.encode("utf-8")
    assert C.get_conversation(store, conv.id).title == ODD_TEXTS[1]
    raw = store.db.execute("SELECT content FROM messages WHERE id = ?", [ids[4]]).fetchone()[0]
    assert raw == ODD_TEXTS[4]  # not cut at the NUL


@pytest.mark.parametrize("bad, at", [("abc\ud800def", 3), ("\udfff", 0), ("ok 😀 \udc80", 5)])
def test_lone_surrogates_are_refused_with_their_position(store: Store, bad: str, at: int) -> None:
    conv = C.create_conversation(store, None, "c")
    with pytest.raises(InvalidInputError) as e:
        C.add_message(store, conv.id, "user", bad)
    assert str(e.value).startswith(
        f"Text contains invalid unicode (lone surrogate) at position {at}"
    )
    # U+DC80..U+DCFF is how Python keeps a byte that is not UTF-8: the message says so
    assert ("not UTF-8" in str(e.value)) == ("\udc80" in bad)
    with pytest.raises(InvalidInputError):
        C.search_messages(store, bad)
    with pytest.raises(InvalidInputError):
        C.rename_conversation(store, conv.id, bad)
    assert C.list_messages(store, conv.id) == []


# -- search --------------------------------------------------------------------------------

CORPUS = {
    "fox": "The quick brown fox jumps over the lazy dog",
    "ops": "Please use NEAR and OR as plain words here",
    "party": "emoji 🎉 party time",
    "hebrew": "שלום עולם from Tel Aviv",
    "arabic": "مرحبا بالعالم",
    "quoted": 'a "quoted" word and (parens)',
    "star": "the star * is here",
    "accents": "Crème brûlée recipe",
    "nul": "hidden\x00needle inside",
}


@pytest.fixture
def corpus(store: Store) -> dict[str, int]:
    conv = C.create_conversation(store, None, "search me")
    return {k: C.add_message(store, conv.id, "user", t).id for k, t in CORPUS.items()}


def _found(store: Store, query: str) -> set[int]:
    return {m.id for m, _snippet in C.search_messages(store, query)}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("fox", {"fox"}),
        ("FOX lazy", {"fox"}),
        ("NEAR", {"ops"}),
        ("OR", {"ops"}),
        ("near or", {"ops"}),
        ("🎉", {"party"}),
        ("party 🎉", {"party"}),
        ("שלום", {"hebrew"}),
        ("بالعالم", {"arabic"}),
        ('"quoted"', {"quoted"}),
        ('"', {"quoted"}),
        ("*", {"star"}),
        ("star *", {"star"}),
        ("(parens)", {"quoted"}),
        ("fox (", {"fox"}),
        ("creme brulee", {"accents"}),
        ("needle", {"nul"}),
        ("missing", set()),
        ("fox 🎉", set()),
    ],
)
def test_search_finds_the_right_message(
    store: Store, corpus: dict[str, int], query: str, expected: set[str]
) -> None:
    assert _found(store, query) == {corpus[k] for k in expected}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "NEAR",
        "OR",
        "AND",
        "NOT",
        "(",
        ")",
        "a AND (",
        "NEAR(",
        "NEAR(a b, 2)",
        '"unterminated',
        "content:fox",
        "^fox",
        "-fox",
        "+",
        "fox*",
        "\x00",
        "{",
        "a:b:c",
        "'",
        "🎉🎉",
        "\u200f",
        "x" * 2000,
    ],
)
def test_odd_queries_never_raise(store: Store, corpus: dict[str, int], query: str) -> None:
    C.search_messages(store, query)


def test_search_snippets_limit_and_empty(store: Store, corpus: dict[str, int]) -> None:
    assert C.search_messages(store, "") == [] and C.search_messages(store, "   \n") == []
    [(message, snippet)] = C.search_messages(store, "brown")
    assert message.content == CORPUS["fox"] and "[brown]" in snippet
    [(_m, emoji_snippet)] = C.search_messages(store, "🎉")
    assert "[🎉]" in emoji_snippet
    conv = C.create_conversation(store, None, "many")
    for i in range(5):
        C.add_message(store, conv.id, "assistant", f"repeat repeat {i}")
    assert len(C.search_messages(store, "repeat", limit=3)) == 3


def test_search_forgets_deleted_and_edited_messages(store: Store) -> None:
    conv = C.create_conversation(store, None, "temp")
    C.add_message(store, conv.id, "user", "ephemeral words")
    assert _found(store, "ephemeral")
    C.delete_conversation(store, conv.id)
    assert _found(store, "ephemeral") == set()


# -- editing an answer: a new text, or another candidate picked ---------------------------------


def _answered_turn(store: Store) -> tuple[int, Message]:
    settings = GenerationSettingsUsed("personaco", "m", 2, 1.0, 1, 8)
    gen = Generation(settings, "q", ["No commas."], "p")
    gen.candidates = [Candidate(0, "apple pie"), Candidate(1, "banana bread")]
    gen_id = G.save_generation(store, gen)
    conv = C.create_conversation(store, None, "t")
    C.add_message(store, conv.id, "user", "q")
    return gen_id, C.add_message(store, conv.id, "assistant", "apple pie", generation_id=gen_id)


def test_pick_candidate_stores_the_choice_and_the_text_and_reindexes(store: Store) -> None:
    gen_id, answer = _answered_turn(store)
    msg = C.pick_candidate(store, answer.id, 1)
    assert msg.content == "banana bread"
    assert G.get_user_choice(store, gen_id) == 1
    assert [m.id for m, _ in C.search_messages(store, "banana")] == [answer.id]
    assert C.search_messages(store, "apple") == []
    # a bad index changes neither the choice nor the text
    with pytest.raises(InvalidInputError):
        C.pick_candidate(store, answer.id, 5)
    assert G.get_user_choice(store, gen_id) == 1
    assert C.list_messages(store, answer.conversation_id)[-1].content == "banana bread"


def test_pick_candidate_needs_a_generated_answer(store: Store) -> None:
    conv = C.create_conversation(store, None, "t")
    question = C.add_message(store, conv.id, "user", "q")
    with pytest.raises(InvalidInputError, match="no generation"):
        C.pick_candidate(store, question.id, 0)
    with pytest.raises(NotFoundError):
        C.pick_candidate(store, 9999, 0)


def test_update_message_content_replaces_the_text_and_touches_the_conversation(
    store: Store,
) -> None:
    conv = C.create_conversation(store, None, "t")
    msg = C.add_message(store, conv.id, "assistant", "old words")
    long_ago = "2000-01-01T00:00:00.000Z"
    store.db["conversations"].update(conv.id, {"updated_at": long_ago})
    edited = C.update_message_content(store, msg.id, "new words 😀")
    assert edited.id == msg.id and edited.content == "new words 😀"
    assert C.list_messages(store, conv.id)[0].content == "new words 😀"
    assert C.get_conversation(store, conv.id).updated_at > long_ago
    assert C.search_messages(store, "old") == []
    with pytest.raises(NotFoundError):
        C.update_message_content(store, 9999, "x")
    with pytest.raises(InvalidInputError):
        C.update_message_content(store, msg.id, "bad \ud800")
    assert C.list_messages(store, conv.id)[0].content == "new words 😀"
