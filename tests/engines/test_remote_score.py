"""Likelihood scoring over HTTP: the persona reflector and the helpfulness term on a server
that has its own tokenizer and prompt log-probabilities (vLLM's endpoints, answered by the
real bundled model), and one-line refusals from servers that lack them."""

from __future__ import annotations

import re
import threading
import time

import pytest
from support.remote_case import ANSWERS, INP, QUERY, log_odds
from support.servers import llama_server, llamacpp_scoring, scripted_server, vllm_scoring

from personaco_tui import reflector_registry
from personaco_tui.core import personaco
from personaco_tui.core.helpfulness import query_pmi
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import PersonaReflector
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.engines.remote_score import root_url
from personaco_tui.errors import EngineError


def test_root_url_drops_v1():
    assert root_url("http://h:8000/v1") == "http://h:8000"
    assert root_url("http://h:8000/v1/") == "http://h:8000"
    assert root_url("http://h:8000/api") == "http://h:8000/api"


def test_persona_cells_over_http_equal_the_local_ones(engine):
    local = PersonaReflector(engine).score(INP)
    with scripted_server(vllm_scoring(engine)) as (url, seen):
        remote_engine = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = PersonaReflector(remote_engine).score(INP)
        again = len(seen)
        PersonaReflector(remote_engine).score(INP)  # the token ids are asked for once
        remote_engine.close()
    assert [c.reflector for c in remote] == ["persona"] * 6
    # the same evidence up to rounding: BF16 weights round differently in another batch
    # layout (a few hundredths of a nat); a wrong token, turn marker or offset costs nats
    for a, b in zip(local, remote, strict=True):
        assert (a.candidate, a.signal) == (b.candidate, b.signal)
        assert log_odds(b.raw) == pytest.approx(log_odds(a.raw), abs=0.15)
        assert b.score == pytest.approx(a.score, abs=0.05)
    # the scores differ between answers: not a constant the test could pass with
    assert len({round(c.score, 3) for c in remote}) > 2
    scored = [s for s in seen if "prompt" in s]
    assert scored and all(s["echo"] and s["max_tokens"] == 1 for s in scored)
    assert len(seen) - again == 1  # the second score: one /completions, no /tokenize


def test_token_ids_are_asked_for_side_by_side(engine):
    """~130 /tokenize round trips a turn: one after another they cost a remote user seconds."""
    inner = vllm_scoring(engine)
    lock = threading.Lock()
    now = {"in": 0, "peak": 0}

    def slow(path: str, body: dict):
        if path == "/tokenize":
            with lock:
                now["in"] += 1
                now["peak"] = max(now["peak"], now["in"])
            time.sleep(0.02)  # a server some way off
            with lock:
                now["in"] -= 1
        return inner(path, body)

    with scripted_server(slow) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = PersonaReflector(eng).score(INP)
        eng.close()
    # per answer, the lead alone and each fact after it, beside the facts' own reading
    # (reflectors/polarity.py): "doesn't work" with both facts, "suits me" with "I live in
    # Germany." alone, since "I'm vegetarian." rules something out and is read by the
    # complaint only (no reply is tokenized that is never scored)
    replies = [s for s in seen if "messages" in s and len(s["messages"]) > 1]
    assert len(replies) == 3 * (3 + 2)
    said = [s["messages"][-1]["content"] for s in replies]
    suits = [t for t in said if t.startswith("Thanks")]
    assert suits and not any("vegetarian" in t for t in suits)
    assert now["peak"] > 1
    local = PersonaReflector(engine).score(INP)  # in order: the same cells as in-process
    assert [log_odds(c.raw) for c in remote] == pytest.approx(
        [log_odds(c.raw) for c in local], abs=0.15
    )


def test_helpfulness_over_http_equals_the_local_term(engine):
    local = query_pmi(engine, QUERY, None, ANSWERS)
    with scripted_server(vllm_scoring(engine)) as (url, _):
        remote_engine = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = query_pmi(remote_engine, QUERY, None, ANSWERS)
        remote_engine.close()
    assert local is not None and remote is not None
    assert remote == pytest.approx(local, abs=0.02)  # nats a token
    assert max(local) - min(local) > 0.05


def test_a_persona_turn_on_a_scoring_server_uses_likelihoods(engine):
    with scripted_server(vllm_scoring(engine)) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        gen = personaco.run(
            eng,
            QUERY,
            ["I'm vegetarian.", "Keep it under 40 words."],
            personaco.RunConfig(k=3, max_tokens=12, seed=2, temperature=0.7),
            reflector_registry.build("auto", eng, lambda: None),
        )
        eng.close()
    assert len(gen.candidates) == 3 and all(c.text for c in gen.candidates)
    persona = [c for c in gen.cells if c.signal == 0]
    assert {c.reflector for c in persona} == {"persona"}
    assert all(re.search("log-(odds|likelihood)", c.raw) for c in persona)
    assert {c.reflector for c in gen.cells if c.signal == 1} != {"persona"}  # a rule
    # the helpfulness term was read on the server too
    assert gen.steering is not None and len(gen.steering["pmi"]) == 3
    assert 0 <= gen.chosen_index < 3
    assert any("prompt" in s and s["echo"] for s in seen)


def test_llama_cpp_server_lacks_scoring_and_auto_says_so_then_reflects(served_gguf):
    with llama_server(served_gguf) as url:
        eng = OpenAICompatEngine(url, "smol", timeout_s=60, concurrency=1)
        with pytest.raises(EngineError, match="no /tokenize for chat messages"):
            eng.prompt_tokens([{"role": "user", "content": "Hi"}])
        assert query_pmi(eng, QUERY, None, ANSWERS) is None
        inp = ReflectionInput(INP.messages, QUERY, ANSWERS[:2], ["I'm vegetarian."])
        cells = reflector_registry.build("auto", eng, lambda: None).score(inp)
        eng.close()
    assert {c.reflector for c in cells} == {"self"}
    assert all("no /tokenize for chat messages" in c.raw for c in cells)
    assert all(0.0 <= c.score <= 1.0 for c in cells)


def test_a_server_that_ignores_echo_is_refused_once_then_without_a_request():
    def answer(path: str, body: dict):
        # llama-server's /tokenize reads `content`; with messages it finds none
        if path == "/tokenize":
            return 200, {"Content-Type": "application/json"}, b'{"tokens": [1, 2, 3]}'
        # and like a server without echo it scores the generated token only
        reply = (
            '{"id": "c", "object": "text_completion", "created": 0, "model": "m", "choices": '
            '[{"index": 0, "text": "x", "finish_reason": "length", '
            '"logprobs": {"tokens": ["x"], "token_logprobs": [-0.3]}}]}'
        )
        return 200, {"Content-Type": "application/json"}, reply.encode()

    with scripted_server(answer) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        assert eng.prompt_tokens([{"role": "user", "content": "Hi"}]) == [1, 2, 3]
        with pytest.raises(EngineError, match=r"no prompt log-probabilities \(echo\)"):
            eng.continuation_logprobs([[1, 2]], [[3]])
        n = len(seen)
        with pytest.raises(EngineError, match="cannot score given text"):
            eng.continuation_logprobs([[1, 2]], [[3]])
        with pytest.raises(EngineError, match="cannot score given text"):
            eng.prompt_tokens([{"role": "user", "content": "Hello"}])
        eng.close()
    assert len(seen) == n  # learnt once: no further request


@pytest.mark.parametrize(
    "reply",
    [
        b'{"count": 0, "tokens": []}',
        b'{"tokens": ["a", "b"]}',
        b'{"tokens": [1, -2]}',
        b"[1, 2]",
    ],
)
def test_a_tokenize_reply_without_ids_is_one_line(reply):
    with scripted_server(lambda p, b: (200, {"Content-Type": "application/json"}, reply)) as (
        url,
        _,
    ):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError, match="gives no token ids") as e:
            eng.prompt_tokens([{"role": "user", "content": "Hi"}])
        eng.close()
    assert "\n" not in e.value.message


def test_unreadable_log_probabilities_are_one_line():
    reply = (
        b'{"id": "c", "object": "text_completion", "created": 0, "model": "m", "choices": '
        b'[{"index": 0, "text": "x", "finish_reason": "length", '
        b'"logprobs": {"tokens": ["a", "b", "c", "x"], '
        b'"token_logprobs": [null, -1.0, "NaN", -1]}}]}'
    )
    with scripted_server(lambda p, b: (200, {"Content-Type": "application/json"}, reply)) as (
        url,
        _,
    ):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError, match="cannot read"):
            eng.continuation_logprobs([[1, 2]], [[3]])
        eng.close()


def _doctor(capsys, url: str) -> tuple[int, str]:
    from personaco_tui.cli import main

    assert main(["config", "set", "remote.base_url", url]) == 0
    assert main(["config", "set", "remote.model", "m"]) == 0
    capsys.readouterr()
    rc = main(["doctor"])
    return rc, capsys.readouterr().out


# llama-server's reply to `echo` (tools/server, oaicompat_completion_params_parse)
_LLAMA_SERVER_NO_ECHO = (
    b'{"error": {"code": 400, "message": "Only no echo is supported", '
    b'"type": "invalid_request_error"}}'
)


def test_doctor_says_whether_the_remote_server_scores_text(capsys, engine):
    with scripted_server(vllm_scoring(engine)) as (url, _):
        rc, out = _doctor(capsys, url)
    line = next(x for x in out.splitlines() if "remote server" in x)
    assert rc == 0 and "ok" in line and "scored by likelihood (prompt log-probabilities)" in line

    with scripted_server(llamacpp_scoring(engine)) as (url, _):
        rc, out = _doctor(capsys, url)
    line = next(x for x in out.splitlines() if "remote server" in x)
    assert rc == 0 and "ok" in line and "scored by likelihood (forced tokens)" in line

    def no_echo(path: str, body: dict):
        if path == "/tokenize":
            return 200, {"Content-Type": "application/json"}, b'{"tokens": [5, 6, 7]}'
        return 400, {"Content-Type": "application/json"}, _LLAMA_SERVER_NO_ECHO

    with scripted_server(no_echo) as (url, _):
        rc, out = _doctor(capsys, url)
    line = next(x for x in out.splitlines() if "remote server" in x)
    assert rc == 0 and "warn" in line and "(echo)" in line and "self-reflection" in line, out


def test_doctor_fails_on_an_unreachable_remote_server(capsys):
    from support.servers import free_port

    rc, out = _doctor(capsys, f"http://127.0.0.1:{free_port()}/v1")
    line = next(x for x in out.splitlines() if "remote server" in x)
    assert rc == 1 and "FAIL" in line and "Could not reach" in line


@pytest.mark.parametrize(
    ("content_type", "payload"),
    [
        ("text/html", b"<html><body>502 Bad Gateway</body></html>"),
        ("application/json", b'{"tokens": [1, 2'),  # cut short
        ("application/json", b"null"),
    ],
)
def test_odd_replies_to_scoring_are_one_line(content_type, payload):
    with scripted_server(lambda p, b: (200, {"Content-Type": content_type}, payload)) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError) as e:
            eng.prompt_tokens([{"role": "user", "content": "Hi"}])
        assert "\n" not in e.value.message and "server at" in e.value.message
        fresh = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError) as e:
            fresh.continuation_logprobs([[1, 2]], [[3]])
        assert "\n" not in e.value.message and "server at" in e.value.message
        eng.close()
        fresh.close()


def test_wish_cells_over_http_equal_the_local_ones(engine):
    wish = ReflectionInput(INP.messages, QUERY, ANSWERS, ["Suggest something with tofu."])
    local = PersonaReflector(engine).score(wish)
    with scripted_server(vllm_scoring(engine)) as (url, _):
        remote_engine = OpenAICompatEngine(url, "m", timeout_s=60, max_retries=0)
        remote = PersonaReflector(remote_engine).score(wish)
        remote_engine.close()
    assert all(c.raw.startswith("a wish") for c in remote)
    assert [c.score for c in remote] == pytest.approx([c.score for c in local], abs=0.05)
    assert len({round(c.score or 0.0, 3) for c in remote}) > 1
