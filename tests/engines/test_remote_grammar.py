"""Steering on a remote server: the signals' grammar goes out in llama-server's own `grammar`
field, and a server that refuses it is named in one line.

llama-cpp-python 0.3.36's own server crashes on any grammar (its grammar sampler segfaults in
this build), so the wire format is checked against a scripted server on 127.0.0.1; the grammar
itself is checked by llama.cpp's parser in tests/core/test_gbnf.py."""

from __future__ import annotations

import pytest
from support.servers import scripted_server, stream_reply

from personaco_tui.core.signals import understood_check
from personaco_tui.core.steer.gbnf import grammar_for
from personaco_tui.engines.base import SamplingParams
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.errors import EngineError

ASK = [{"role": "user", "content": "Describe your favourite city."}]


def test_the_grammar_travels_in_llama_servers_own_field():
    check = understood_check("Please never use commas in your replies.")
    assert check is not None
    g = grammar_for([check], max_tokens=16)
    assert g.gbnf is not None

    def answer(path: str, body: dict):
        return stream_reply('"a city of bridges and light"')

    with scripted_server(answer) as (url, seen):
        eng = OpenAICompatEngine(url, "m", max_retries=0)
        out = eng.sample(ASK, 2, SamplingParams(max_tokens=16, grammar=g.gbnf))
        eng.sample(ASK, 1, SamplingParams(max_tokens=16))
        eng.close()
    assert [o.text for o in out] == ["a city of bridges and light"] * 2
    assert [b.get("grammar") for b in seen] == [g.gbnf, g.gbnf, None]


def test_a_server_that_refuses_the_grammar_says_so_in_one_line():
    def answer(path: str, body: dict):
        assert body.get("grammar")
        error = b'{"error": {"message": "Unrecognized request argument: grammar"}}'
        return 400, {"Content-Type": "application/json"}, error

    with scripted_server(answer) as (url, _seen):
        eng = OpenAICompatEngine(url, "m", max_retries=0)
        with pytest.raises(EngineError, match="refused the grammar") as e:
            eng.sample(ASK, 1, SamplingParams(max_tokens=8, grammar='root ::= "x"'))
        eng.close()
    assert "\n" not in str(e.value)
