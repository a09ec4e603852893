"""A judge server that answers 200 with JSON that is not a chat completion (`{"choices":
"nope"}`, no choices, a JSON list, a message whose content is null): each is a failed request
with a one-line message, stored so that `--retry-errors` asks again, and asking again a
server that still misbehaves keeps the cells retryable. A proper chat completion whose text is
not a verdict stays a final INVALID, as before."""

from __future__ import annotations

import json

import pytest

from personaco_tui.cli import main
from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.judge import ExternalJudge, JudgeError
from personaco_tui.locations import Locations
from personaco_tui.store.db import Store
from tests.cli.test_eval_cli import ITEMS6, create_with_outputs
from tests.evaluation.test_runner import alternating
from tests.reliability.test_judge_wire import _session
from tests.support.servers import chat_reply, scripted_server

NOT_A_COMPLETION = "sent a reply that is not an OpenAI chat completion"


def _json(body: object):
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _completion(choices: object):
    return _json(
        {"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": choices}
    )


def _message(content: object) -> list[dict]:
    return [
        {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    ]  # noqa: E501


SHAPES = {
    "choices not a list": (_json({"choices": "nope", "data": 5}), "choices are text, not a list"),
    "no choices": (_json({"choices": [], "data": []}), "its list of choices is empty"),
    "no choices at all": (_json({"data": {"choices": []}}), "it has no choices"),
    "null content": (_completion(_message(None)), "content is null"),
    "content not text": (_completion(_message(5)), "content is a JSON number, not text"),
    "no message": (_completion([{"index": 0, "finish_reason": "stop"}]), "has no message"),
    "choice not an object": (_completion(["A"]), "its first choice is text, not an object"),
}


@pytest.mark.parametrize("case", sorted(SHAPES))
def test_json_that_is_not_a_chat_completion_is_a_failed_request(case):
    reply, why = SHAPES[case]
    with (
        scripted_server(lambda path, body: reply) as (url, _),
        ExternalJudge(url, "m", max_retries=0) as judge,
        pytest.raises(JudgeError) as info,
    ):
        judge.judge("q", "s", "a", "b")
    msg = info.value.message
    assert "\n" not in msg
    assert msg.startswith(f"The judge server at {url} {NOT_A_COMPLETION}: ") and why in msg
    assert msg.endswith("Check the judge's URL: it should be an OpenAI-compatible /v1 endpoint.")


@pytest.mark.parametrize(
    ("body", "why"),
    [([1, 2, 3], "a JSON list"), (None, "JSON null"), (5, "a JSON number"), ("A", "text")],
)
def test_json_that_is_not_an_object_is_a_failed_request_too(body, why):
    with (
        scripted_server(lambda path, b: _json(body)) as (url, _),
        ExternalJudge(url, "m", max_retries=0) as judge,
        pytest.raises(JudgeError) as info,
    ):
        judge.judge("q", "s", "a", "b")
    assert f"{NOT_A_COMPLETION}: it is {why}, not a JSON object." in info.value.message


@pytest.mark.parametrize("text", ["", "I cannot decide."])
def test_a_chat_completion_whose_text_is_no_verdict_is_still_invalid(text):
    with (
        scripted_server(lambda path, body: chat_reply(text)) as (url, _),
        ExternalJudge(url, "m", max_retries=0) as judge,
    ):
        got = judge.judge("q", "s", "a", "b")
    assert (got.verdict, got.raw) == ("INVALID", text)


def _judge(store: Store, answer, *, retry_errors: bool = False):
    with (
        scripted_server(answer) as (url, seen),
        ExternalJudge(url, "m", max_retries=0, concurrency=1) as judge,
    ):
        res = runner.judge_session(store, "s", judge, retry_errors=retry_errors)
    return res, seen


@pytest.mark.parametrize("case", ["choices not a list", "no choices", "null content"])
def test_stored_as_failed_requests_and_retried_until_the_judge_answers(loc: Locations, case):
    bad, why = SHAPES[case]
    with Store.open(loc) as store:
        _session(store)
        res, seen = _judge(store, lambda path, body: bad)
        assert len(seen) == 2 and (res.done, res.errors) == (2, 2)
        assert NOT_A_COMPLETION in res.last_error and why in res.last_error
        rows = S.judgment_rows(store, "s")
        assert all(r["verdict"] == "INVALID" for r in rows)
        assert all(r["raw"].startswith(runner.REQUEST_FAILED) for r in rows)
        assert all(NOT_A_COMPLETION in r["raw"] and "\n" not in r["raw"] for r in rows)

        # asked again while the server still misbehaves: still failed requests, not final
        res, seen = _judge(store, lambda path, body: bad, retry_errors=True)
        assert len(seen) == 2 and (res.done, res.errors) == (2, 2)
        rows = S.judgment_rows(store, "s")
        assert len(rows) == 2
        assert all(r["raw"].startswith(runner.REQUEST_FAILED) for r in rows)

        # the judge fixed: the same cells are judged, nothing else is lost or doubled
        res, seen = _judge(store, alternating(), retry_errors=True)
        assert len(seen) == 2 and (res.done, res.errors) == (2, 0)
        rows = S.judgment_rows(store, "s")
        assert len(rows) == 2 and all(r["verdict"] in ("A", "B") for r in rows)


def test_a_text_that_is_no_verdict_is_final_and_not_asked_again(loc: Locations):
    with Store.open(loc) as store:
        _session(store)
        res, _ = _judge(store, lambda path, body: chat_reply("Both, really."))
        assert (res.done, res.errors) == (2, 0)
        res, seen = _judge(store, alternating(), retry_errors=True)
        assert seen == [] and res.done == 0
        rows = S.judgment_rows(store, "s")
        assert [(r["verdict"], r["raw"]) for r in rows] == [("INVALID", "Both, really.")] * 2


def test_eval_run_warns_in_one_line_and_retry_errors_redoes_them(capsys, tmp_path):
    create_with_outputs(capsys, tmp_path, "shape", ITEMS6[:2])
    bad, _why = SHAPES["no choices"]
    with scripted_server(lambda path, body: bad) as (url, _):
        rc = main(["eval", "run", "shape", "--judge-base-url", url, "--judge-model", "jm"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    warning = [line for line in err.splitlines() if "request(s) failed" in line]
    assert len(warning) == 1
    assert "2 request(s) failed" in warning[0] and NOT_A_COMPLETION in warning[0]
    assert "--retry-errors" in warning[0]
    with scripted_server(alternating()) as (url, seen):
        args = ["eval", "run", "shape", "--judge-base-url", url, "--judge-model", "jm"]
        rc = main([*args, "--retry-errors"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert len(seen) == 2 and "Judged 2 pair(s)" in err and "failed" not in err
