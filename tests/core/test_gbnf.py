"""The remote steering grammar: what each signal puts into it, what it leaves out and why,
and that llama.cpp's own GBNF parser accepts every grammar made."""

from __future__ import annotations

import llama_cpp
import pytest

from personaco_tui.core.signals import understood_check
from personaco_tui.core.steer.gbnf import char_class, grammar_for, literal

QUOTED = "Wrap your whole reply in double quotation marks."
NO_COMMAS = "Please never use commas in your replies."
LOWER = "I like replies written entirely in lowercase letters, no capitals at all."
TITLE = "Give every answer a short title wrapped in double angle brackets, like <<my title>>."
SIGN_OFF = "Always finish with the exact sign-off 'Hope that helps!' and nothing after it."
PS = "Always add a P.S. at the end."
WORDS = "Keep answers under 80 words."
JSON = "Reply only in valid JSON."


def _g(*signals: str, max_tokens: int | None = None):
    checks = [understood_check(s) for s in signals]
    assert all(checks), signals
    return grammar_for([c for c in checks if c is not None], max_tokens=max_tokens)


def _parses(gbnf: str, engine) -> bool:
    sampler = llama_cpp.llama_sampler_init_grammar(engine._vocab, gbnf.encode(), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True


def test_the_frame_is_placed_in_order_with_the_case_of_the_text(engine):
    g = _g(QUOTED, TITLE, LOWER, NO_COMMAS, PS, SIGN_OFF, max_tokens=192)
    assert g.gbnf is not None
    root = g.gbnf.splitlines()[0]
    # quote, title, body, postscript, sign-off, quote: lowercase reaches the fixed parts too
    order = ['"\\""', '"<<"', "body", '"\\n\\np.s. "', '"\\n\\nhope that helps!"']
    at = [root.index(p) for p in order]
    assert at == sorted(at)
    assert root.rstrip().endswith('"\\""')
    assert "[^,、，A-Z]" in g.gbnf
    kinds = {k for k, _ in g.enforced}
    assert {"quoted", "title", "lowercase", "no_commas", "postscript", "ends_with"} <= kinds
    assert _parses(g.gbnf, engine)


def test_a_tight_budget_caps_the_body_so_the_ending_fits(engine):
    roomy = _g(QUOTED, SIGN_OFF, max_tokens=192)
    tight = _g(QUOTED, SIGN_OFF, max_tokens=32)

    def room(g) -> int:
        line = next(x for x in g.gbnf.splitlines() if x.startswith("body"))
        return int(line.split(",")[-1].rstrip("}"))

    assert room(tight) < room(roomy)
    assert any(k == "budget" for k, _ in tight.enforced)
    assert _parses(tight.gbnf, engine)


def test_counts_and_persona_facts_are_left_out_with_a_reason():
    g = _g(NO_COMMAS, WORDS)
    assert g.gbnf is not None
    why = dict(g.not_enforced)
    assert "word_count" in why and "count" in why["word_count"]
    assert grammar_for([]).gbnf is None


def test_a_phrase_that_holds_a_banned_mark_is_not_forced():
    no_excl = understood_check("Never use exclamation marks.")
    end = understood_check(SIGN_OFF)
    assert no_excl is not None and end is not None
    g = grammar_for([no_excl, end])
    assert g.gbnf is not None and "hope that helps" not in g.gbnf.lower()
    assert "ends_with" in dict(g.not_enforced)


def test_json_keeps_strings_to_the_allowed_characters(engine):
    g = _g(JSON, LOWER)
    assert g.gbnf is not None and "object" in g.gbnf and "A-Z" in g.gbnf
    assert ("json", "JSON enforced by the server's grammar") in g.enforced
    assert _parses(g.gbnf, engine)


@pytest.mark.parametrize("text", ['a "quoted" \\ word\n', "tab\there"])
def test_literals_and_classes_escape_what_gbnf_reads(text, engine):
    odd = char_class("]-^\\\n")
    gbnf = f"root ::= {literal(text)} {odd}*\n"
    assert _parses(gbnf, engine)


@pytest.mark.parametrize("signal", [SIGN_OFF, PS, QUOTED, TITLE])
def test_a_frame_with_no_banned_character_loads_in_llama_cpp(signal, engine):
    # nothing banned: the body's class once came out as `[^]`, which llama.cpp reads as a
    # class matching nothing, so the grammar failed to load at all
    g = _g(signal)
    assert g.gbnf is not None and "[^]" not in g.gbnf
    assert _parses(g.gbnf, engine)
