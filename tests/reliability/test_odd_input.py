"""Odd input everywhere text goes in: a 10 MB paste, 5,000-character and empty signals, NUL,
right-to-left text, joined emoji, in every table a turn or an evaluation writes; and
property tests for the prompt builder, the verdict parser and the CSV writer.

(tests/store/test_store_conversations.py covers odd messages and FTS queries;
tests/core/reflectors/test_rules_properties.py the rules reflector's signal parsers.)"""

from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from personaco_tui.chat import _title
from personaco_tui.cli import main
from personaco_tui.core.prompts import (
    join_signals,
    personalization_prompt,
    reflection_prompt,
)
from personaco_tui.core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.export import COLUMNS, write_csv
from personaco_tui.evaluation.verdicts import ALL_VERDICTS, INVALID, parse_verdict, unswap
from personaco_tui.locations import Locations
from personaco_tui.store import conversations as C
from personaco_tui.store import generations as G
from personaco_tui.store import profiles as P
from personaco_tui.store.db import MAX_TEXT_BYTES, InvalidInputError, Store

PROPS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200)
utf8_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)

ODD = {
    "zwj family": "👨\u200d👩\u200d👧\u200d👦 and 🏳️\u200d🌈 and 👍🏽 and 🇫🇷",
    "rtl": "שלום עולם مرحبا \u200fmarked\u200e \u202eoverride\u202c",
    "nul": "before\x00after\x00",
    "combining": "e\u0301 Z\u0351\u0328\u0334a\u0358l\u0336g\u0360o",
    "astral": "𝕏 𓀀 \U0010fffd",
    "bom and zero width": "\ufeffstart\u200bmiddle\u2060end",
    "control": "tab\tcr\rlf\nvt\x0bform\x0cesc\x1b[31mred",
}


def _turn(store: Store, profile_id: int, query: str, answer: str, signals: list[str]) -> int:
    """What chat.ask stores for one turn (the same calls, in one transaction)."""
    gen = Generation(
        settings=GenerationSettingsUsed("personaco", "smollm2-135m", 2, 1.0, 1, 16, "auto"),
        query=query,
        signals=signals,
        prompt=personalization_prompt(query, signals),
    )
    gen.candidates = [Candidate(0, answer, 3, "stop", 1.0), Candidate(1, query[:50], 1, "length")]
    gen.cells = [ReflectionCell(0, 0, 1.0, "rules", answer[:100])]
    gen.chosen_index = 0
    with store.transaction():
        conv = C.create_conversation(store, profile_id, _title(query)).id
        gen_id = G.save_generation(store, gen, profile_id=profile_id)
        C.add_message(store, conv, "user", query)
        C.add_message(store, conv, "assistant", answer, generation_id=gen_id)
    return conv


def _paste(n_bytes: int) -> str:
    """Text of about n_bytes: mixed scripts, joined emoji, NULs, long lines and blank ones."""
    rng = random.Random(6)
    words = [*ODD.values(), "alpha", "naïve", "日本語", "", "\n\n", "=SUM(A1)", '"quoted"']
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        w = rng.choice(words)
        parts.append(w)
        size += len(w.encode()) + 1
    return " ".join(parts) + " zebracorn"


def test_a_10_mb_paste_is_stored_and_read_back_byte_for_byte(store_: Store) -> None:
    paste = _paste(10 * 1024 * 1024)
    digest = hashlib.sha256(paste.encode()).hexdigest()
    profile = P.create_profile(store_, "p").id
    conv = _turn(store_, profile, paste, "ok", ["Keep it short."])
    user, answer = C.list_messages(store_, conv)
    assert hashlib.sha256(user.content.encode()).hexdigest() == digest
    gen = G.load_generation(store_, answer.generation_id)
    assert gen.query == paste and gen.candidates[1].text == paste[:50]
    [(hit, snippet)] = C.search_messages(store_, "zebracorn")
    assert hit.id == user.id and "[zebracorn]" in snippet


def test_text_past_the_limit_is_refused_before_anything_is_stored(store_: Store) -> None:
    conv = C.create_conversation(store_, None, "c").id
    for too_big in ("x" * (MAX_TEXT_BYTES + 1), "é" * (MAX_TEXT_BYTES // 2 + 1)):
        with pytest.raises(InvalidInputError) as e:
            C.add_message(store_, conv, "user", too_big)
        msg = str(e.value)
        assert "\n" not in msg and "PersonaCo stores at most 32 MB" in msg, msg
    assert C.list_messages(store_, conv) == []
    exactly = "x" * MAX_TEXT_BYTES  # the limit itself is allowed
    assert C.add_message(store_, conv, "user", exactly).content == exactly


@pytest.mark.parametrize("kind", sorted(ODD))
def test_odd_text_round_trips_through_every_table(kind: str, store_: Store) -> None:
    text = ODD[kind]
    signal = text.replace("\x00", "")  # signals refuse NUL (they go to C code as prompts)
    profile = P.create_profile(store_, f"profile {kind}").id
    sig = P.add_signal(store_, profile, signal)
    conv = _turn(store_, profile, text, text, [signal])
    user, answer = C.list_messages(store_, conv)
    assert (user.content, answer.content) == (text, text)
    assert P.get_signal(store_, sig.id).text == signal.strip()
    gen = G.load_generation(store_, answer.generation_id)
    assert (gen.query, gen.signals, gen.candidates[0].text) == (text, [signal], text)
    assert gen.cells[0].raw == text[:100]
    items = [S.EvalItem(f"key {text}", text, [signal, "x" * 10])]
    sid = S.create_session(store_, f"session {kind}", items, {"method": "baseline"}, {"k": 2})
    (item,) = S.get_session(store_, sid).items
    assert (item.key, item.query, item.signals) == (f"key {text}", text, [signal, "x" * 10])
    S.add_output(store_, item.id, "A", text)
    S.add_output(store_, item.id, "B", text[::-1])
    S.add_judgment(store_, item.id, 0, judge_kind="external", verdict="A", order_shown="AB",
                   judge_model=text, raw=text)  # fmt: skip
    (row,) = S.judgment_rows(store_, sid)
    assert (row["response_a"], row["response_b"], row["raw"]) == (text, text[::-1], text)
    for word in text.replace("\x00", " ").split()[:3]:
        C.search_messages(store_, word)  # never raises


def test_signals_of_5000_characters_and_empty_ones(capsys, store_: Store) -> None:
    long = (("Use words like " + ODD["zwj family"] + " and " + ODD["rtl"] + ". ") * 60)[:4999]
    long += "."
    assert len(long) == 5000 and long == long.strip()
    profile = P.create_profile(store_, "long").id
    sig = P.add_signal(store_, profile, long)
    assert P.get_signal(store_, sig.id).text == long
    _turn(store_, profile, "Hi", "Hello", [long])
    store_.close()
    # through the CLI: stored exactly, shown without the bidi override (it would reverse
    # the rest of the line); empty ones refused in one line
    assert main(["profile", "add-signal", "long", long]) == 0
    assert main(["profile", "show", "long"]) == 0
    out = capsys.readouterr().out
    shown = long.replace("\u202e", "").replace("\u202c", "")
    assert shown != long and out.count(shown) == 2
    for empty in ("", "   ", "\n\t "):
        assert main(["profile", "add-signal", "long", empty]) != 0
        err = capsys.readouterr().err.strip()
        assert err.startswith("personaco: A signal cannot be empty.") and "\n" not in err


@pytest.fixture
def store_(loc: Locations):
    s = Store.open(loc)
    yield s
    s.close()


# -- properties --------------------------------------------------------------------------------


@PROPS
@given(text=any_text)
@example(text="0\x00")  # found by this test: a NUL after a word broke the FTS query
def test_any_text_is_stored_exactly_or_refused_with_a_message(store_: Store, text: str) -> None:
    conv = C.create_conversation(store_, None, "p").id
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(InvalidInputError, match="lone surrogate"):
            C.add_message(store_, conv, "user", text)
        return
    m = C.add_message(store_, conv, "user", text)
    assert C.list_messages(store_, conv)[-1].content == text == m.content
    C.search_messages(store_, text)


@PROPS
@given(query=any_text, signals=st.lists(any_text, max_size=5))
def test_prompt_builder_keeps_query_and_signals_verbatim(query: str, signals: list[str]) -> None:
    prompt = personalization_prompt(query, signals)
    kept = [" ".join(s.split()) for s in signals if s.strip()]
    if not kept:
        assert prompt == query
        return
    assert prompt.endswith("Question: " + query)
    # each signal, whitespace-normalised, appears in order as its own sentence
    body = join_signals(signals)
    assert body in prompt
    at = 0
    for s in kept:
        found = prompt.find(s, at)
        assert found >= 0, (s, prompt)
        at = found + len(s)
    for s in kept:
        assert s in reflection_prompt(s)


@PROPS
@given(
    verdict=st.sampled_from(["A", "B", "SAME", "N/A"]),
    case=st.sampled_from([str.lower, str.upper, str.title, lambda x: x]),
    left=st.text(st.sampled_from(" \t\n\"'`*“”‘’"), max_size=4),
    right=st.text(st.sampled_from(" \t\n\"'`*“”‘’"), max_size=4),
    period=st.booleans(),
)
def test_verdicts_with_tolerated_decoration_parse_to_themselves(
    verdict: str, case, left: str, right: str, period: bool
) -> None:
    text = left + case(verdict) + ("." if period else "") + right
    assert parse_verdict(text) == verdict


@PROPS
@given(
    verdict=st.sampled_from(["A", "B", "SAME", "N/A", "Response 1"]),
    sep=st.sampled_from([" ", ", ", "\n", " or ", ": "]),
    extra=st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), min_size=1),
)
def test_a_verdict_with_more_words_is_invalid_and_nothing_raises(
    verdict: str, sep: str, extra: str
) -> None:
    assume(any(ch.isalnum() for ch in extra))
    got = parse_verdict(verdict + sep + extra)
    assert got in ALL_VERDICTS
    assert got == INVALID, verdict + sep + extra
    for order in ("AB", "BA"):
        assert unswap(got, order) in ALL_VERDICTS


@PROPS
@given(value=st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), any_text))
def test_the_verdict_parser_takes_anything(value: object) -> None:
    assert parse_verdict(value) in ALL_VERDICTS


FORMULA = ("=", "+", "-", "@", "\t", "\r")
csv_text = st.one_of(
    utf8_text,
    st.builds(lambda p, t: p + t, st.sampled_from(FORMULA), utf8_text),
)


@PROPS
@given(rows=st.lists(st.fixed_dictionaries({c: csv_text for c in COLUMNS}), max_size=4))
def test_csv_round_trips_any_text_with_formulas_neutralised(tmp_path: Path, rows) -> None:
    path = write_csv(rows, tmp_path / "p.csv")
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == list(COLUMNS) and len(table) == len(rows) + 1
    for row, cells in zip(rows, table[1:], strict=True):
        for col, cell in zip(COLUMNS, cells, strict=True):
            want = row[col].replace("\x00", "\ufffd")
            if want.startswith(FORMULA):
                assert cell == "'" + want, (col, cell)
            else:
                # other starts a spreadsheet may still act on (a control character, a
                # full-width "＝" after spaces) are neutralised too; the text itself never changes
                assert cell in (want, "'" + want), (col, cell)
                if cell != want:
                    assert not want[:1].isalnum(), (col, cell)
            # nothing a spreadsheet would run as a formula
            assert not cell.startswith(FORMULA)
