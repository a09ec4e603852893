"""Servers whose reply text cannot be stored as it is (a lone surrogate, escaped in valid
JSON, which the openai client turns into a Python str): the judge's cell should become INVALID
with a storable raw text, and a remote answer be stored with U+FFFD, instead of the run or
the turn failing with a message that blames the user's input."""

from __future__ import annotations

import json

import pytest

from personaco_tui.evaluation import runner
from personaco_tui.evaluation import sessions as S
from personaco_tui.evaluation.judge import ExternalJudge
from personaco_tui.locations import Locations
from personaco_tui.store.db import Store
from tests.support.servers import scripted_server, stream_reply


def _reply(content_json: str):
    """`content_json` goes into the body as raw JSON text, so escapes stay escapes."""

    def answer(path: str, body: dict):
        payload = (
            '{"id": "j", "object": "chat.completion", "created": 0, "model": "m", "choices": '
            '[{"index": 0, "message": {"role": "assistant", "content": ' + content_json + "}, "
            '"finish_reason": "stop"}]}'
        )
        json.loads(payload)  # the server's JSON is valid
        return 200, {"Content-Type": "application/json"}, payload.encode()

    return answer


def test_a_reply_with_a_lone_surrogate_is_stored_as_invalid(loc: Locations) -> None:
    with Store.open(loc) as store:
        S.create_session(
            store, "s", [S.EvalItem("q", "Q?", ["Be brief."])], {"method": "a"}, {"method": "b"}
        )
        item = S.get_session(store, "s").items[0]
        S.add_output(store, item.id, "A", "a")
        S.add_output(store, item.id, "B", "b")
        with (
            scripted_server(_reply('"A\\ud800"')) as (url, _requests),
            ExternalJudge(url, "m", max_retries=0) as judge,
        ):
            res = runner.judge_session(store, "s", judge)
        assert res.done == 1
        (row,) = S.judgment_rows(store, "s")
        assert row["verdict"] == "INVALID"
        assert row["raw"] == "A\ufffd"  # kept, with the unstorable character replaced


def _stream(content_json: str):
    return lambda path, body: stream_reply(content_json)


def test_a_remote_answer_with_a_lone_surrogate_is_stored_with_a_replacement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from personaco_tui import chat
    from personaco_tui.runtime import Runtime

    with scripted_server(_stream('"caf\\udce9 ok"')) as (url, _requests):
        monkeypatch.setenv("PERSONACO_REMOTE_BASE_URL", url)
        monkeypatch.setenv("PERSONACO_REMOTE_MODEL", "r")
        rt = Runtime.open()
        try:
            result = chat.ask(rt, "Hi", method="baseline", max_tokens=8)
            assert result.answer.content == "caf\ufffd ok"
        finally:
            rt.close()
