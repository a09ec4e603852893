"""A sentinel API key in the environment, a remote generator and a judge on 127.0.0.1 that
echo the key back in every reply, a whole judged session through the CLI, an export, a
backup and debug logging: afterwards not one file anywhere under the test's folders (home,
config, logs, XDG dirs, exports) holds the key."""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
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


# -- keys echoed in a 200 reply's text ------------------------------------------------------

ECHO_KEY = "sk-ECHOED-in-the-body-8c41d2"


def _body_echoing_server():
    """Echoes the Authorization header inside the reply text itself, not only in headers: a
    streamed answer carries it split across chunks, a judge verdict carries it in its prose."""

    def answer(path: str, body: dict):
        auth = body["_headers"].get("authorization", "")
        if body.get("stream"):
            half = len(auth) // 2
            pieces = ["Hi. You sent ", auth[:half], auth[half:], " to me."]
            chunks = [
                {"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
                for p in pieces
            ] + [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
            payload = "".join(
                "data: "
                + json.dumps(
                    {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "r", **c}
                )
                + "\n\n"
                for c in chunks
            )
            return (
                200,
                {"Content-Type": "text/event-stream"},
                (payload + "data: [DONE]\n\n").encode(),
            )
        if body.get("max_tokens") == 1:
            return chat_reply(f"1 {auth}")
        return chat_reply(f"A. Your header was: {auth}")

    return answer


def _leaks(paths, needles) -> list[str]:
    return [f"{p.name}: {n}" for p in paths for n in needles if n.encode() in p.read_bytes()]


def test_a_key_echoed_in_replies_is_in_no_stored_logged_or_exported_text(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", ECHO_KEY)
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "q1", "query": "Say hi.", "signals": ["I have a PhD."]}) + "\n",
        encoding="utf-8",
    )
    with scripted_server(_body_echoing_server()) as (url, requests):
        for key, value in [
            ("remote.base_url", url),
            ("remote.model", "remote-m"),
            ("judge.base_url", url),
            ("judge.model", "judge-m"),
        ]:
            _cli(capsys, "config", "set", key, value)
        _cli(
            capsys,
            "eval", "create", "s", "--items", str(items),
            "--a", "baseline:max_tokens=4", "--b", "personaco:k=2,max_tokens=4,reflector=self",
        )  # fmt: skip
        _cli(capsys, "--debug", "eval", "run", "s")
        csv_path, jsonl_path = tmp_path / "s.csv", tmp_path / "s.jsonl"
        _cli(capsys, "export", "s", "--csv", str(csv_path), "--jsonl", str(jsonl_path))
    logs.shutdown()
    assert any(r.get("stream") for r in requests) and any(
        r.get("max_tokens") == 16 for r in requests
    )
    loc = locations.resolve()
    log_path = locations.log_dir() / logs.LOG_FILE
    files = [loc.db_path, csv_path, jsonl_path, log_path]
    assert _leaks(files, [ECHO_KEY, ECHO_KEY[3:17], ECHO_KEY[-12:]]) == []
    # the judge's prose and the generations were kept, with the key cut out of them
    exported = jsonl_path.read_text(encoding="utf-8")
    assert "Your header was: Bearer [redacted]" in exported
    with sqlite3.connect(loc.db_path) as db:  # read straight from the file, as anyone could
        responses = [r for (r,) in db.execute("SELECT response FROM eval_outputs")]
        raws = [r for (r,) in db.execute("SELECT raw FROM judgments")]
    assert sorted(responses) == ["Hi. You sent Bearer [redacted] to me."] * 2, responses
    assert raws and all(r == "A. Your header was: Bearer [redacted]" for r in raws), raws


# -- keys by their configured name, whatever it is and however short -------------------------

SHORT_KEY = "Qz7!w"  # five characters, in a variable whose name says nothing of a key


def test_a_configured_key_variable_is_redacted_whatever_its_name_and_length(tmp_path, monkeypatch):
    from personaco_tui.evaluation.judge import ExternalJudge

    monkeypatch.setenv("JUDGE_CRED", SHORT_KEY)
    path = logs.setup("debug", tmp_path / "logs")
    try:
        with (
            scripted_server(_echoing_server()) as (url, requests),
            ExternalJudge(url, "judge-m", api_key_env="JUDGE_CRED", timeout_s=10) as judge,
        ):
            got = judge.judge("q", "s", "a", "b")
    finally:
        logs.shutdown()
    assert requests[0]["_headers"]["authorization"] == f"Bearer {SHORT_KEY}"
    text = path.read_text(encoding="utf-8")
    assert "HTTP Response" in text and "Bearer [redacted]" in text  # the echoed header, cut
    assert SHORT_KEY not in text and got.verdict in ("A", "B")


def test_redaction_lives_in_secrets_which_imports_no_logging_module():
    import ast
    import inspect

    from personaco_tui import secrets

    tree = ast.parse(inspect.getsource(secrets))
    imported = {
        (node.module or "") + ":" + ",".join(a.name for a in node.names)
        if isinstance(node, ast.ImportFrom)
        else ",".join(a.name for a in node.names)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    assert not [i for i in imported if "logs" in i], imported  # logs uses secrets, not back
    assert logs.redact_all is secrets.redact_all  # one redaction, shared


def test_a_streamed_answer_never_shows_a_piece_of_an_echoed_key(monkeypatch):
    from personaco_tui.engines.base import SamplingParams
    from personaco_tui.engines.openai_compat import OpenAICompatEngine

    monkeypatch.setenv("OPENAI_API_KEY", ECHO_KEY)
    shown: list[str] = []
    with scripted_server(_body_echoing_server()) as (url, _):
        engine = OpenAICompatEngine(url, "remote-m", timeout_s=10)
        try:
            (out,) = engine.sample(
                [{"role": "user", "content": "hi"}],
                1,
                SamplingParams(max_tokens=8),
                on_progress=lambda p: shown.append(p.text or ""),
            )
        finally:
            engine.close()
    assert out.text == "Hi. You sent Bearer [redacted] to me."
    assert "".join(shown) == out.text  # the live view sees what is kept, nothing more
    # the server cut the key across two chunks: no piece shows any six characters of it
    fragments = {ECHO_KEY[i : i + 6] for i in range(len(ECHO_KEY) - 5)}
    assert not [p for p in shown for f in fragments if f in p]
