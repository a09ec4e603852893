"""A remote server whose 200 is not an OpenAI chat completion (HTML, JSON of another shape,
a message without text), asked the way the engine asks: answers as a stream (`sample`), the
reflection's one token without one (`yes_no`). Each is one line that says the reply is not a
chat completion and to check remote.base_url; the concurrency advice stays for a stream that
really ended early."""

from __future__ import annotations

import pytest
from support.servers import scripted_server

from personaco_tui.cli import main
from personaco_tui.engines.base import SamplingParams
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.errors import EngineError

ASK = [{"role": "user", "content": "Name an animal."}]
NOT_A_COMPLETION = "sent a reply that is not an OpenAI chat completion"
TODO = "Check that remote.base_url points at an OpenAI-compatible /v1 endpoint."


def _json(text: str):
    return 200, {"Content-Type": "application/json"}, text.encode()


def _completion(choices: str):
    return _json(
        '{"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": '
        + choices
        + "}"
    )


def _events(*data: str, content_type: str = "text/event-stream"):
    payload = "".join(f"data: {d}\n\n" for d in data)
    return 200, {"Content-Type": content_type}, payload.encode()


def _chunk(delta: str = '{"content": "Cat"}', finish: str = '"stop"') -> str:
    return (
        '{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", '
        '"choices": [{"index": 0, "delta": ' + delta + ', "finish_reason": ' + finish + "}]}"
    )


HTML = (200, {"Content-Type": "text/html"}, b"<html><body>Welcome to nginx</body></html>")
NULL_CONTENT = (
    '[{"index": 0, "message": {"role": "assistant", "content": null}, "finish_reason": "stop"}]'  # noqa: E501
)

# what a server that does not stream (or is no chat server) sends, for either request
WHOLE = {
    "html": (HTML, "text/html, not JSON"),
    "choices not a list": (_json('{"choices": "nope"}'), "its choices are text, not a list"),
    "no choices": (_json('{"choices": []}'), "its list of choices is empty"),
    "a JSON list": (_json("[1, 2, 3]"), "it is a JSON list, not a JSON object"),
    "null content": (_completion(NULL_CONTENT), "content is null"),
    "content not text": (
        _completion('[{"index": 0, "message": {"content": 5}, "finish_reason": "stop"}]'),
        "content is a JSON number, not text",
    ),
    "choice not an object": (_completion('["Cat"]'), "its first choice is text"),
}
# only for answers asked for as a stream (reflection's body goes through the openai client)
WHOLE_STREAMED = {
    **WHOLE,
    "broken JSON": (_json('{"choices": ['), "its body is not valid JSON"),
    "empty body": (_json(""), "its body is empty"),
    "plain text": ((200, {"Content-Type": "text/plain"}, b"hello"), "it is text/plain, not JSON"),
}

# streams whose events are not chat completion chunks
STREAMS = {
    "choices not a list": (_events('{"choices": "nope"}', "[DONE]"), "choices are text"),
    "a JSON list": (_events("[1, 2, 3]", "[DONE]"), "it is a JSON list"),
    "an event not JSON": (_events("<html>", "[DONE]"), "an event in its stream is not JSON"),
    "delta not an object": (_events(_chunk(delta='"Cat"'), "[DONE]"), "a chunk's delta is text"),
    "content not text": (
        _events(_chunk(delta='{"content": 5}'), "[DONE]"),
        "a chunk's content is a JSON number",
    ),
}


def _engine(url: str) -> OpenAICompatEngine:
    return OpenAICompatEngine(url, "m", timeout_s=5, max_retries=0)


def _one_line(e: EngineError, url: str) -> str:
    msg = e.message
    assert "\n" not in msg
    assert url in msg  # names the server, as the other messages do
    assert "concurrency" not in msg
    return msg


@pytest.mark.parametrize(
    "case",
    [*(f"whole: {c}" for c in sorted(WHOLE_STREAMED)), *(f"events: {c}" for c in sorted(STREAMS))],
)
def test_a_streamed_answer_that_is_not_a_completion_says_so(case):
    """A whole body where a stream was asked for, or a stream of events that are no chunks."""
    kind, _, name = case.partition(": ")
    reply, why = (WHOLE_STREAMED if kind == "whole" else STREAMS)[name]
    with scripted_server(lambda path, body: reply) as (url, seen):
        eng = _engine(url)
        with pytest.raises(EngineError) as info:
            eng.sample(ASK, 1, SamplingParams(max_tokens=8))
        eng.close()
    assert seen and all(b["stream"] is True for b in seen)  # asked the way `ask` asks
    msg = _one_line(info.value, url)
    assert NOT_A_COMPLETION in msg and why in msg and msg.endswith(TODO)


@pytest.mark.parametrize("case", sorted(WHOLE))
def test_a_reflection_reply_that_is_not_a_completion_says_so(case):
    reply, why = WHOLE[case]
    if case == "html":  # the client hands back a body that is not JSON as text
        why = "it is text, not a JSON object"
    with scripted_server(lambda path, body: reply) as (url, seen):
        eng = _engine(url)
        with pytest.raises(EngineError) as info:
            eng.yes_no([ASK])
        eng.close()
    assert not seen[0].get("stream")
    msg = _one_line(info.value, url)
    assert NOT_A_COMPLETION in msg and why in msg and msg.endswith(TODO)


def test_a_reflection_reply_whose_json_is_broken_says_so():
    with scripted_server(lambda path, body: _json('{"choices": [')) as (url, _):
        eng = _engine(url)
        with pytest.raises(EngineError) as info:
            eng.yes_no([ASK])
        eng.close()
    assert "not an OpenAI chat completion: it is not JSON" in _one_line(info.value, url)


@pytest.mark.parametrize(
    "events",
    [
        # content, then the link closes with no finish_reason and no [DONE]
        (_chunk(finish="null"),),
        (_chunk(finish="null"), "[DONE]"),
        ("[DONE]",),
    ],
)
def test_a_stream_that_ends_early_still_gets_the_concurrency_advice(events):
    with scripted_server(lambda path, body: _events(*events)) as (url, _):
        eng = _engine(url)
        with pytest.raises(EngineError) as info:
            eng.sample(ASK, 1, SamplingParams(max_tokens=8))
        eng.close()
    msg = info.value.message
    assert "ended an answer before finishing it" in msg
    assert "set remote.concurrency = 1" in msg and NOT_A_COMPLETION not in msg


def test_usage_chunks_and_null_deltas_are_part_of_a_good_stream():
    reply = _events(
        _chunk(delta='{"role": "assistant", "content": null}', finish="null"),
        _chunk(delta='{"content": "Cat"}', finish="null"),
        _chunk(delta="{}", finish='"stop"'),
        '{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", '
        '"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1}}',
        "[DONE]",
    )
    with scripted_server(lambda path, body: reply) as (url, _):
        eng = _engine(url)
        (out,) = eng.sample(ASK, 1, SamplingParams(max_tokens=8))
        eng.close()
    assert (out.text, out.finish_reason, out.n_tokens) == ("Cat", "stop", 1)


def test_events_under_another_content_type_are_still_read():
    reply = _events(_chunk(), "[DONE]", content_type="application/json")
    with scripted_server(lambda path, body: reply) as (url, _):
        eng = _engine(url)
        (out,) = eng.sample(ASK, 1, SamplingParams(max_tokens=8))
        eng.close()
    assert (out.text, out.finish_reason) == ("Cat", "stop")


def test_a_server_that_ignores_stream_and_sends_one_completion_is_read():
    choices = '[{"index": 0, "message": {"role": "assistant", "content": "Cat"}, "finish_reason": "length"}]'  # noqa: E501
    seen_progress = []
    with scripted_server(lambda path, body: _completion(choices)) as (url, _):
        eng = _engine(url)
        (out,) = eng.sample(ASK, 1, SamplingParams(max_tokens=8), on_progress=seen_progress.append)
        eng.close()
    assert (out.text, out.finish_reason, out.n_tokens) == ("Cat", "length", 1)
    assert [p.text for p in seen_progress] == ["Cat"]


def test_a_completion_with_empty_text_is_an_empty_answer_not_an_error():
    choices = (
        '[{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}]'  # noqa: E501
    )
    with scripted_server(lambda path, body: _completion(choices)) as (url, _):
        eng = _engine(url)
        (y,) = eng.yes_no([ASK])
        eng.close()
    assert y.p_yes == 0.5 and y.text == ""


@pytest.mark.parametrize("case", ["html", "choices not a list", "a JSON list", "null content"])
def test_ask_through_the_cli_says_so_in_one_line(case, capsys, isolated_home):
    reply, _why = WHOLE[case]
    with scripted_server(lambda path, body: reply) as (url, _):
        for key, value in [("remote.base_url", url), ("remote.model", "m")]:
            assert main(["config", "set", key, value]) == 0
        assert main(["profile", "create", "p", "--use"]) == 0
        capsys.readouterr()
        rc = main(["ask", "Hello?", "--k", "1", "--max-tokens", "8"])
    out, err = capsys.readouterr()
    assert rc != 0
    lines = [line for line in (out + err).splitlines() if NOT_A_COMPLETION in line]
    assert len(lines) == 1, out + err
    assert url in lines[0] and "remote.base_url" in lines[0]
    assert "concurrency" not in out + err
