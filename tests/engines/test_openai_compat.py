"""The remote engine against real servers on 127.0.0.1."""

from __future__ import annotations

import json
import time

import pytest
from support.servers import free_port, llama_server, scripted_server

from personaco_tui.core import personaco
from personaco_tui.core.reflectors import SelfReflector
from personaco_tui.engines.base import SamplingParams
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.errors import EngineError

ASK = [{"role": "user", "content": "Name an animal."}]


@pytest.fixture(scope="module")
def llama_url(served_gguf):
    with llama_server(served_gguf) as url:
        yield url


def test_k_samples_and_reflection_through_llama_cpp_server(llama_url):
    # llama_cpp.server answers one request at a time
    eng = OpenAICompatEngine(llama_url, "smol", concurrency=1)
    tokens = []
    outs = eng.sample(ASK, 3, SamplingParams(max_tokens=8, seed=4), on_progress=tokens.append)
    assert len(outs) == 3 and all(o.text for o in outs)
    assert all(o.finish_reason in ("stop", "length") for o in outs)
    # per-request seeds: reproducible. The server reuses the longest cached prefix of the last
    # request, and with BF16 weights a prompt decoded whole and one decoded from the cache
    # round differently, so the two compared runs follow the same request.
    again = eng.sample(ASK, 3, SamplingParams(max_tokens=8, seed=4))
    third = eng.sample(ASK, 3, SamplingParams(max_tokens=8, seed=4))
    assert [o.text for o in again] == [o.text for o in third]
    assert {t.candidate for t in tokens} == {0, 1, 2}
    gen = personaco.run(
        eng,
        "Name an animal.",
        ["Be brief", "Mention its colour"],
        personaco.RunConfig(k=2, max_tokens=8, seed=1),
        SelfReflector(eng),
    )
    assert len(gen.matrix()) == 2 and all(0 <= v <= 1 for row in gen.matrix() for v in row)
    eng.close()


def test_auto_scores_persona_facts_by_self_reflection_on_a_server_and_says_so():
    from personaco_tui import reflector_registry
    from personaco_tui.core.reflectors.base import ReflectionInput

    with scripted_server(
        lambda path, body: (200, {"Content-Type": "application/json"}, _chat_reply("1"))
    ) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        inp = ReflectionInput(
            [{"role": "user", "content": "Suggest a dinner."}],
            "Suggest a dinner.",
            ["Beans and rice.", "A steak, with fries and a salad on the side."],
            ["I'm vegetarian.", "Keep it under 5 words."],
        )
        cells = reflector_registry.build("auto", eng, lambda: None).score(inp)
        eng.close()
    persona = [c for c in cells if c.signal == 0]
    assert [c.score for c in persona] == [1.0, 1.0]  # the server's "1", once per answer
    assert {c.reflector for c in persona} == {"self"}
    # a chat reply to /tokenize holds no token ids, nor one to llama-server's
    # /apply-template: learnt from those two requests, then said
    assert all(c.raw.startswith("persona scoring unavailable") for c in persona)
    assert all("gives no token ids for chat messages" in c.raw for c in persona)
    assert all("nor llama-server's /apply-template" in c.raw for c in persona)
    assert [c.score for c in cells if c.signal == 1] == [1.0, 0.0]  # rules, no request
    assert len(seen) == 4 and "messages" in seen[0] and seen[0]["add_generation_prompt"]
    assert "messages" in seen[1] and "add_generation_prompt" not in seen[1]  # /apply-template


def _chat_reply(content: str, logprobs=None) -> bytes:
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": content},
        "finish_reason": "stop",
        "logprobs": logprobs,
    }
    return json.dumps(
        {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice]}
    ).encode()


def test_reflection_reads_logprobs_when_the_server_gives_them():
    top = [
        {"token": "1", "logprob": -0.1, "bytes": None},
        {"token": "0", "logprob": -2.4, "bytes": None},
    ]
    lp = {"content": [{"token": "1", "logprob": -0.1, "bytes": None, "top_logprobs": top}]}
    with scripted_server(
        lambda path, body: (200, {"Content-Type": "application/json"}, _chat_reply("1", lp))
    ) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        (y,) = eng.yes_no([ASK])
        assert y.p_yes == pytest.approx(0.909, abs=0.01)
        assert seen[0]["logprobs"] is True and seen[0]["max_tokens"] == 1
        eng.close()


def test_reflection_falls_back_to_the_text_answer():
    with scripted_server(
        lambda path, body: (200, {"Content-Type": "application/json"}, _chat_reply("0"))
    ) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        (y,) = eng.yes_no([ASK])
        assert y.p_yes == 0.0 and "text" in y.raw
        eng.close()


def test_401_is_one_clear_line_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("PERSONACO_TEST_KEY", "sk-sentinel-123456")
    body = json.dumps({"error": {"message": "bad key sk-sentinel-123456", "type": "auth"}}).encode()
    with scripted_server(lambda path, b: (401, {"Content-Type": "application/json"}, body)) as (
        url,
        seen,
    ):
        eng = OpenAICompatEngine(url, "m", api_key_env="PERSONACO_TEST_KEY", max_retries=0)
        with pytest.raises(EngineError) as info:
            eng.sample(ASK, 1, SamplingParams(max_tokens=4))
        assert "401" in info.value.message and "sk-sentinel" not in info.value.message
        assert seen[0]["_headers"]["authorization"] == "Bearer sk-sentinel-123456"
        eng.close()


def test_html_with_status_200_is_a_clear_error():
    page = b"<html><body>Welcome to nginx</body></html>"
    with scripted_server(lambda path, b: (200, {"Content-Type": "text/html"}, page)) as (url, _):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError) as info:
            eng.yes_no([ASK])
        assert url.split("/v1")[0] in info.value.message
        eng.close()


def test_connection_refused_says_where():
    url = f"http://127.0.0.1:{free_port()}/v1"
    eng = OpenAICompatEngine(url, "m", timeout_s=2, max_retries=0)
    with pytest.raises(EngineError) as info:
        eng.sample(ASK, 2, SamplingParams(max_tokens=4))
    assert "Could not reach" in info.value.message and url in info.value.message
    eng.close()


@pytest.mark.parametrize(
    "top",
    [
        "nope",  # not a list
        [{"token": "1", "logprob": "high"}],  # a logprob that is text
        [{"token": "1", "logprob": float("nan")}, {"token": "0", "logprob": -1.0}],
        [{"token": 1, "logprob": -0.1}],  # a token that is a number
        [5, 6],  # alternatives that are no objects
        [{"token": "1", "logprob": 3.0}],  # a log-probability above 0
    ],
)
def test_logprobs_of_an_odd_shape_leave_the_text_to_decide(top):
    lp = {"content": [{"token": "0", "logprob": -0.1, "bytes": None, "top_logprobs": top}]}
    body = _chat_reply("0", lp)  # json.dumps writes NaN as NaN, which the client reads
    with scripted_server(lambda path, b: (200, {"Content-Type": "application/json"}, body)) as (
        url,
        _,
    ):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        (y,) = eng.yes_no([ASK])
        assert y.p_yes == 0.0 and "text" in y.raw
        eng.close()


def test_a_failed_reflection_leaves_no_request_running_behind_it():
    def answer(path, body):
        if "ask 0" in json.dumps(body["messages"]):
            return 500, {"Content-Type": "application/json"}, b'{"error": {"message": "down"}}'
        if "ask 1" in json.dumps(body["messages"]):  # the one asked beside it answers slowly
            time.sleep(0.3)
        time.sleep(0.2)  # the others are slower: most are still queued when the first fails
        return 200, {"Content-Type": "application/json"}, _chat_reply("1")

    with scripted_server(answer) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0, concurrency=2)
        asks = [[{"role": "user", "content": f"ask {i}"}] for i in range(8)]
        with pytest.raises(EngineError) as e:
            eng.yes_no(asks)
        assert "\n" not in e.value.message  # one clear line, not the client's exception
        n = len(seen)
        time.sleep(0.6)  # three more rounds' worth: none may start after the call raised
        assert len(seen) == n < 8
        eng.close()


def test_a_server_that_refuses_every_reflection_is_one_clear_line():
    refuse = (400, {"Content-Type": "application/json"}, b'{"error": {"message": "no model"}}')
    with scripted_server(lambda path, body: refuse) as (url, seen):
        eng = OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)
        with pytest.raises(EngineError) as e:  # asked again without logprobs, then refused
            eng.yes_no([ASK])
        assert "400" in e.value.message and "\n" not in e.value.message
        assert [b.get("logprobs") for b in seen] == [True, None]
        eng.close()
