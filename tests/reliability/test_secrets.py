"""A sentinel API key in the environment, a remote generator and a judge on 127.0.0.1 that
echo the key back in every reply, a whole judged session through the CLI, an export, a
backup and debug logging: afterwards not one file anywhere under the test's folders (home,
config, logs, XDG dirs, exports) holds the key."""

from __future__ import annotations

import itertools
import json
import logging
import threading

import pytest

from personaco_tui import locations, logs
from personaco_tui.cli import main
from personaco_tui.store import migrate
from personaco_tui.store.db import Store
from tests.support.servers import chat_reply, scripted_server

SENTINEL = "sk-SENTINEL-reliability-5f0c2a9e7d1b"


def _echoing_server():
    """An OpenAI-compatible server for both roles: streamed answers for generation, "1" for
    reflection, alternating verdicts for judging. Every reply carries the request's
    Authorization header back (as x-request-id, which the openai client logs, and in the
    body), as a careless or hostile server might."""
    lock, verdicts = threading.Lock(), itertools.cycle("AB")

    def answer(path: str, body: dict):
        auth = body["_headers"].get("authorization", "")
        headers = {"x-request-id": f"req {auth}", "x-echo": auth}
        if body.get("stream"):
            chunks = [
                {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                for piece in ("Hello", " there", f" ({auth[:6]})")
            ]
            chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            payload = (
                "".join(
                    "data: "
                    + json.dumps(
                        {
                            "id": f"c {auth}",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "r",
                            **c,
                        }
                    )
                    + "\n\n"
                    for c in chunks
                )
                + "data: [DONE]\n\n"
            )
            return 200, {**headers, "Content-Type": "text/event-stream"}, payload.encode()
        if body.get("max_tokens") == 1:
            content = "1"
        else:
            with lock:
                content = next(verdicts)
        return chat_reply(content, reply_id=f"echo {auth}", headers=headers)

    return answer


def _cli(capsys, *argv: str) -> str:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert rc == 0, (argv, err)
    return out + err


@pytest.fixture
def debug_log(monkeypatch):
    monkeypatch.setenv(logs.LOG_ENV, "debug")
    path = logs.setup()
    yield path
    logs.shutdown()


def test_the_api_key_is_in_no_file_the_product_writes(
    capsys, tmp_path, monkeypatch, isolated_home, debug_log
):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    assert debug_log is not None and debug_log.parent == locations.log_dir()
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "q1", "query": "Say hi.", "signals": ["Never use commas."]})
        + "\n"
        + json.dumps({"id": "q2", "query": "Name a fruit.", "signals": ["I have a PhD."]})
        + "\n",
        encoding="utf-8",
    )
    exports = tmp_path / "exports"
    exports.mkdir()
    with scripted_server(_echoing_server()) as (url, requests):
        for key, value in [
            ("remote.base_url", url),
            ("remote.model", "remote-m"),
            ("judge.base_url", url),
            ("judge.model", "judge-m"),
            ("judge.api_key_env", "OPENAI_API_KEY"),
        ]:
            _cli(capsys, "config", "set", key, value)
        _cli(capsys, "profile", "create", "p", "--use")
        _cli(capsys, "profile", "add-signal", "p", "Never use commas.")
        _cli(capsys, "profile", "add-signal", "p", "I have a PhD in chemistry.")
        _cli(capsys, "ask", "Hello?", "--k", "2", "--max-tokens", "8")
        _cli(capsys, "history", "search", "Hello")
        _cli(
            capsys,
            "eval",
            "create",
            "s",
            "--items",
            str(items),
            "--a",
            "baseline:max_tokens=4",
            "--b",
            "personaco:k=2,max_tokens=6,reflector=auto",
        )
        out = _cli(capsys, "eval", "run", "s", "--passes", "2")
        assert "Judged 4 pair(s)" in out
        _cli(capsys, "eval", "status", "s")
        _cli(capsys, "eval", "report", "s", "--out", str(exports / "report"))
        _cli(capsys, "eval", "report", "s", "--json", "--no-files")
        _cli(
            capsys,
            "export",
            "s",
            "--csv",
            str(exports / "s.csv"),
            "--jsonl",
            str(exports / "s.jsonl"),
        )
    loc = locations.resolve().ensure()
    with Store.open(loc) as store:  # the backup the store makes before an upgrade
        backup = migrate.backup(store.db.conn, loc.backups_dir, store.schema_version)
    logs.shutdown()

    # The key was really in play: sent with every request and echoed back in every reply.
    assert requests and all(
        r["_headers"]["authorization"] == f"Bearer {SENTINEL}" for r in requests
    )
    kinds = {("stream" if r.get("stream") else r.get("max_tokens")) for r in requests}
    assert {"stream", 1, 16} <= kinds  # generation, reflection, judging
    # …and the debug log saw the echoes, and cut them out.
    log_text = debug_log.read_text(encoding="utf-8")
    assert "HTTP Response" in log_text and "[redacted]" in log_text
    assert backup.is_file() and (exports / "s.csv").is_file()

    roots = [tmp_path, locations.log_dir(), loc.data_dir, loc.config_dir]
    files = sorted({p for root in roots for p in root.rglob("*") if p.is_file()})
    assert len(files) >= 6
    names = {p.name for p in files}
    assert {"personaco.db", "config.toml", "personaco.log", "s.csv", "s.jsonl"} <= names
    leaks = []
    for p in files:
        data = p.read_bytes()
        for needle in (SENTINEL, SENTINEL[3:], "5f0c2a9e7d1b"):
            for encoded in (needle.encode(), needle.encode("utf-16-le")):
                if encoded in data:
                    leaks.append(p)
    assert leaks == []


def test_the_filter_redacts_arguments_tracebacks_and_registered_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-ABCDEFGH-1234")
    monkeypatch.setenv("PERSONACO_DEBUG_FLAG_KEY", "1")  # too short to be a secret
    path = logs.setup("debug", tmp_path / "logs")
    try:
        logs.add_secret("from-the-keyring-999")
        log = logging.getLogger("personaco_tui.test")
        log.debug("header %s and %r", "tok-ABCDEFGH-1234", {"k": "from-the-keyring-999"})
        try:
            raise RuntimeError("server said tok-ABCDEFGH-1234")
        except RuntimeError:
            log.exception("failed")
        log.debug("count 1 stays")
    finally:
        logs.shutdown()
    text = path.read_text(encoding="utf-8")
    assert "tok-ABCDEFGH" not in text and "from-the-keyring" not in text
    # both arguments, the exception's message and its source line in the traceback
    assert text.count("[redacted]") == 4
    assert "RuntimeError: server said [redacted]" in text and "count 1 stays" in text


def test_logging_is_off_unless_asked_for(tmp_path, monkeypatch):
    monkeypatch.delenv(logs.LOG_ENV, raising=False)
    assert logs.setup(directory=tmp_path / "logs") is None
    assert not (tmp_path / "logs").exists()
    monkeypatch.delenv(locations.HOME_ENV)
    # without a PersonaCo home, logs go to the platform's state dir (XDG on Linux)
    assert str(locations.log_dir()).startswith(str(tmp_path / "xdg" / "xdg_state_home"))
