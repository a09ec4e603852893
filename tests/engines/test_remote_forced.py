"""Likelihood scoring on llama-server, which refuses `echo`: its chat template and tokenizer
give the ids, a grammar of token ids forces each continuation, and the raw log-probability
of each forced token is read back (answered by the real bundled model in llama-server's
protocol, tests/support/servers.py). The cells and the helpfulness term must equal the
in-process ones, and servers that cannot do this are refused in one line."""

from __future__ import annotations

import re

import pytest
from support.remote_case import ANSWERS, INP, QUERY, log_odds
from support.servers import _TOKEN, _json, chat_reply, llamacpp_scoring, scripted_server

from personaco_tui import reflector_registry
from personaco_tui.core import personaco
from personaco_tui.core.helpfulness import query_pmi
from personaco_tui.core.reflectors import polarity
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import PersonaReflector
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.engines.remote_forced import forced_grammar
from personaco_tui.errors import EngineError


def _forced(seen: list[dict]) -> list[dict]:
    return [s for s in seen if "grammar" in s]


def test_the_grammar_names_token_ids_in_order():
    assert forced_grammar([12, 3, 4567]) == "root ::= <[12]> <[3]> <[4567]>"


def test_persona_cells_on_llama_server_equal_the_local_ones(engine):
    local = PersonaReflector(engine).score(INP)
    with scripted_server(llamacpp_scoring(engine)) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = PersonaReflector(eng).score(INP)
        kind = eng._scorer.kind
        eng.close()
    assert kind == "llama-server"
    assert [c.reflector for c in remote] == ["persona"] * 6
    for a, b in zip(local, remote, strict=True):
        assert (a.candidate, a.signal) == (b.candidate, b.signal)
        assert log_odds(b.raw) == pytest.approx(log_odds(a.raw), abs=0.15)
    assert len({round(c.score, 3) for c in remote}) > 2
    # one forced generation per answer and reply, both replies for a fact that shapes the
    # answer, the complaint alone for one that rules something out (beside the facts' own
    # reading, whose continuations are single words)
    words = {tuple(engine.tokenize(w, special=False, add_bos=False)) for w in polarity.WORDS}
    forced = [b for b in _forced(seen) if tuple(_grammar_ids(b)) not in words]
    read = polarity.of(engine).rules_out(INP.signals)
    assert len(forced) == 3 * sum(1 if out else 2 for out in read)
    for body in forced:
        ids = _grammar_ids(body)
        assert body["n_predict"] == len(ids) and all(isinstance(t, int) for t in body["prompt"])
        assert body["post_sampling_probs"] is False and body["n_probs"] >= 1
        assert body["cache_prompt"] is True
    assert not [s for s in seen if s.get("echo")]  # llama-server refuses echo: never asked


def _biased(seen: list[dict]) -> list[int]:
    """The tokens forced one at a time by a logit bias, in order."""
    return [s["logit_bias"][0][0] for s in seen if "logit_bias" in s]


def test_helpfulness_on_llama_server_forces_the_end_of_turn_by_logit_bias(engine):
    """The answer's continuation runs past <|im_end|>, which a grammar cannot produce: the
    server names it (/props), it alone is forced by a logit bias, the rest by grammars, and
    the term equals the local one."""
    local = query_pmi(engine, QUERY, None, ANSWERS)
    eog = set(engine.eog_tokens)
    with scripted_server(llamacpp_scoring(engine)) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = query_pmi(eng, QUERY, None, ANSWERS)
        eng.close()
    assert local is not None and remote is not None
    assert remote == pytest.approx(local, abs=0.02)
    assert max(local) - min(local) > 0.05
    biased = _biased(seen)
    assert len(biased) == 2 * len(ANSWERS) and set(biased) <= eog  # after question and neutral
    assert not [s for s in _forced(seen) if eog & set(_grammar_ids(s))]
    assert [s["_method"] for s in seen if "_method" in s] == ["GET"]  # /props, once


def test_a_server_without_props_learns_its_end_of_turn_token_once(engine):
    """Where /props does not name the end-of-generation token, the first run that holds it
    fails as llama.cpp's grammars do; that run is forced a token at a time, the token the
    server stops at is learnt, and later runs force it by logit bias at once."""
    local = query_pmi(engine, QUERY, None, ANSWERS)
    with scripted_server(llamacpp_scoring(engine, props=False)) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0, concurrency=1)
        remote = query_pmi(eng, QUERY, None, ANSWERS)
        eng.close()
    assert remote == pytest.approx(local, abs=0.02)
    failed = [s for s in _forced(seen) if set(engine.eog_tokens) & set(_grammar_ids(s))]
    assert len(failed) == 1  # learnt from the first failure, not asked again
    assert len(_biased(seen)) < 2 * len(ANSWERS) + 40  # one answer's tokens, not every one


def _grammar_ids(body: dict) -> list[int]:
    return [int(t) for t in _TOKEN.findall(body["grammar"])]


def test_a_token_without_a_row_gets_the_mean_of_the_rest(engine):
    ids = engine.prompt_tokens([{"role": "user", "content": "Say the word tofu."}])
    prefix, cont = ids[:-4], ids[-4:]
    (full,) = engine.continuation_logprobs([prefix], [cont])
    with scripted_server(llamacpp_scoring(engine, held_back=frozenset({cont[1]}))) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        eng.prompt_tokens([{"role": "user", "content": "Hi"}])  # learns the kind
        (got,) = eng.continuation_logprobs([prefix], [cont])
        filled = eng._scorer._forced.filled
        eng.close()
    rest = [full[0], full[2], full[3]]
    assert got[1] == pytest.approx(sum(rest) / 3, abs=0.05)
    assert [got[0], got[2], got[3]] == pytest.approx(rest, abs=0.05)
    assert filled == 1


def test_a_persona_turn_on_llama_server_uses_likelihoods(engine):
    inner = llamacpp_scoring(engine)

    def answer(path: str, body: dict):
        if path == "/v1/chat/completions":  # sampled by the engine, as the vLLM double does
            from support.servers import vllm_scoring

            return vllm_scoring(engine)(path, body)
        return inner(path, body)

    with scripted_server(answer) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        gen = personaco.run(
            eng,
            QUERY,
            ["I'm vegetarian."],
            personaco.RunConfig(k=3, max_tokens=12, seed=2, temperature=0.7),
            reflector_registry.build("auto", eng, lambda: None),
        )
        eng.close()
    assert {c.reflector for c in gen.cells} == {"persona"}
    assert all(re.search("log-(odds|likelihood)", c.raw) for c in gen.cells)
    assert gen.steering is not None and len(gen.steering["pmi"]) == 3
    assert _forced(seen)


def _old_llama_server(engine):
    """A llama-server whose grammar parser knows no token ids (older builds)."""
    inner = llamacpp_scoring(engine)

    def answer(path: str, body: dict):
        if path == "/completion":
            message = {"code": 400, "message": "Failed to parse grammar"}
            return _json({"error": message}, 400)
        if path == "/v1/chat/completions":  # the fallback's reflection: "1", no logprobs
            return chat_reply("1")
        return inner(path, body)

    return answer


def test_a_llama_server_whose_grammar_has_no_token_ids_is_refused_once(engine):
    with scripted_server(_old_llama_server(engine)) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        inp = ReflectionInput(INP.messages, QUERY, ANSWERS[:2], ["I'm vegetarian."])
        cells = reflector_registry.build("auto", eng, lambda: None).score(inp)
        n = len(seen)
        with pytest.raises(EngineError, match="cannot force token ids") as e:
            eng.continuation_logprobs([[1, 2]], [[3]])
        eng.close()
    assert {c.reflector for c in cells} == {"self"}
    assert all("cannot force token ids (update llama-server)" in c.raw for c in cells)
    assert len(seen) == n  # learnt once
    assert "\n" not in e.value.message and "llama-server" in (e.value.todo or "")


def test_a_server_that_ignores_the_grammar_is_refused(engine):
    inner = llamacpp_scoring(engine)

    def answer(path: str, body: dict):
        if path == "/completion":  # sampled freely: not the tokens it was given
            return _json({"tokens": [7, 7], "completion_probabilities": []})
        return inner(path, body)

    with scripted_server(answer) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        ids = eng.prompt_tokens([{"role": "user", "content": "Hi"}])
        with pytest.raises(EngineError, match="did not generate the tokens its grammar forced"):
            eng.continuation_logprobs([ids[:-2]], [ids[-2:]])
        eng.close()


def test_a_server_without_either_tokenizer_names_both():
    def answer(path: str, body: dict):
        return _json({"error": {"message": "Not Found", "code": 404}}, 404)

    with scripted_server(answer) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError, match="nor llama-server's /apply-template") as e:
            eng.prompt_tokens([{"role": "user", "content": "Hi"}])
        eng.close()
    assert "\n" not in e.value.message
