"""The external judge against a real scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import time

import pytest

from personaco_tui.evaluation.judge import (
    ExternalJudge,
    JudgeAuthError,
    JudgeError,
    JudgeRequest,
)
from tests.support import servers
from tests.support.servers import scripted_server

SENTINEL = "sk-SENTINEL-do-not-leak-1234567890"


def chat_reply(content: str | None) -> tuple[int, dict[str, str], bytes]:
    return servers.chat_reply(content, model="judge", reply_id="chatcmpl-1")


def error_reply(status: int, message: str, headers: dict[str, str] | None = None):
    body = json.dumps({"error": {"message": message, "type": "x", "code": None}}).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, body


@pytest.fixture(autouse=True)
def key_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)


def make(url: str, **kw) -> ExternalJudge:
    kw.setdefault("timeout_s", 10)
    return ExternalJudge(url, "judge-model", **kw)


@pytest.mark.parametrize(
    ("content", "order", "want"),
    [
        ("A", "AB", "A"),
        (" b.", "AB", "B"),
        ("SAME", "BA", "SAME"),
        ("n/a", "AB", "N/A"),
        ("A", "BA", "B"),  # B's answer was shown first and the judge picked it
        ("Response 2", "BA", "A"),
    ],
)
def test_well_formed_verdicts(content, order, want):
    with scripted_server(lambda path, body: chat_reply(content)) as (url, seen), make(url) as j:
        got = j.judge("What is 2+2?", "I prefer rhymes.", "from A", "from B", order)
    assert (got.verdict, got.raw, got.order_shown) == (want, content, order)
    assert len(seen) == 1
    req = seen[0]
    assert req["model"] == "judge-model"
    prompt = req["messages"][0]["content"]
    assert "Personalization criterion: I prefer rhymes." in prompt
    first = "from A" if order == "AB" else "from B"
    second = "from B" if order == "AB" else "from A"
    assert f"Response 1: {first}" in prompt and f"Response 2: {second}" in prompt
    assert req["_headers"]["authorization"] == f"Bearer {SENTINEL}"


def test_garbage_is_invalid_with_raw_kept():
    text = "Both are fine, but I lean towards A because it rhymes."
    with scripted_server(lambda p, b: chat_reply(text)) as (url, _), make(url) as j:
        got = j.judge("q", "s", "a", "b")
    assert got.verdict == "INVALID"
    assert got.raw == text


def test_empty_content_is_invalid():
    with scripted_server(lambda p, b: chat_reply("")) as (url, _), make(url) as j:
        got = j.judge("q", "s", "a", "b")
    assert got.verdict == "INVALID"
    assert got.raw == ""


def test_null_content_is_a_failed_request_not_a_verdict():
    # no text at all is not a chat completion's answer: retryable, not a final INVALID
    with (
        scripted_server(lambda p, b: chat_reply(None)) as (url, _),
        make(url) as j,
        pytest.raises(JudgeError) as info,
    ):
        j.judge("q", "s", "a", "b")
    assert "not an OpenAI chat completion" in info.value.message
    assert "content is null" in info.value.message


@pytest.mark.parametrize("retries", [0, 2])
def test_a_rate_limit_that_lasts_is_a_one_line_error_after_the_configured_retries(retries):
    # The waiting between tries is the openai client's; what PersonaCo decides is how many
    # tries (the judge's max_retries) and that a lasting 429 is a plain JudgeError, not a
    # refused key: a later run can succeed.
    def answer(path, body):
        return error_reply(429, "slow down", {"Retry-After": "0"})

    with (
        scripted_server(answer) as (url, seen),
        make(url, max_retries=retries) as j,
        pytest.raises(JudgeError) as ei,
    ):
        j.judge("q", "s", "a", "b")
    assert len(seen) == retries + 1
    assert not isinstance(ei.value, JudgeAuthError)
    msg = str(ei.value)
    assert f"{url} answered 429: slow down" in msg and "\n" not in msg


def test_5xx_after_retries_is_one_line_error():
    with (
        scripted_server(lambda p, b: error_reply(503, "overloaded")) as (url, seen),
        make(url, max_retries=1) as j,
        pytest.raises(JudgeError) as ei,
    ):
        j.judge("q", "s", "a", "b")
    assert len(seen) == 2
    assert "503" in str(ei.value) and "\n" not in str(ei.value)


def test_hang_past_timeout_is_one_line_error():
    def answer(path, body):
        time.sleep(3)
        return chat_reply("A")

    with scripted_server(answer) as (url, seen), make(url, timeout_s=1, max_retries=0) as j:
        t0 = time.monotonic()
        with pytest.raises(JudgeError) as ei:
            j.judge("q", "s", "a", "b")
        assert time.monotonic() - t0 < 2.5
    msg = str(ei.value)
    assert "did not answer within 1 s" in msg and "\n" not in msg
    assert not isinstance(ei.value, JudgeAuthError)
    assert len(seen) == 1


def test_401_stops_at_once_and_never_shows_the_key():
    def answer(path, body):
        return error_reply(401, f"Incorrect API key provided: {SENTINEL}")

    with (
        scripted_server(answer) as (url, seen),
        make(url, max_retries=3) as j,
        pytest.raises(JudgeAuthError) as ei,
    ):
        j.judge("q", "s", "a", "b")
    assert len(seen) == 1  # no retries
    msg = str(ei.value)
    assert SENTINEL not in msg and "401" in msg and "\n" not in msg
    assert SENTINEL not in repr(j)


def test_other_status_error_redacts_the_key():
    def answer(path, body):
        return error_reply(400, f"bad request for key {SENTINEL}")

    with scripted_server(answer) as (url, _), make(url) as j, pytest.raises(JudgeError) as ei:
        j.judge("q", "s", "a", "b")
    assert SENTINEL not in str(ei.value) and "400" in str(ei.value)


def test_judge_many_keeps_request_order():
    def answer(path, body):
        prompt = body["messages"][0]["content"]
        return chat_reply("A" if "Query: q0" in prompt else "SAME")

    reqs = [JudgeRequest(f"q{i}", "s", "a", "b", "BA" if i == 0 else "AB") for i in range(5)]
    with scripted_server(answer) as (url, seen), make(url, concurrency=3) as j:
        got = j.judge_many(reqs)
    assert [g.verdict for g in got] == ["B", "SAME", "SAME", "SAME", "SAME"]
    assert len(seen) == 5


def test_missing_url_or_model_is_refused():
    with pytest.raises(JudgeError):
        ExternalJudge("", "m")
    with pytest.raises(JudgeError):
        ExternalJudge("http://127.0.0.1:1/v1", "")
