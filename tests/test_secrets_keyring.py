"""API keys from the system keyring, through the real `keyring` API with a file-backed
backend in the test's own temporary data dir (the suite's default backend is the null one)."""

from __future__ import annotations

import logging

import pytest

from personaco_tui import logs
from personaco_tui.secrets import KEYRING_SERVICE, api_key

URL = "http://127.0.0.1:9/v1"
KEY = "sk-KEYRING-SENTINEL-0123456789"


@pytest.fixture
def file_keyring(monkeypatch):
    import keyring
    from keyring.backends.null import Keyring as NullKeyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    backend = PlaintextKeyring()  # stores under XDG_DATA_HOME, a temporary dir here
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(NullKeyring())


def test_the_environment_wins_then_the_keyring_then_nothing(file_keyring, monkeypatch):
    monkeypatch.delenv("MY_JUDGE_KEY", raising=False)
    assert api_key("MY_JUDGE_KEY", URL) is None
    file_keyring.set_password(KEYRING_SERVICE, URL, KEY)
    assert api_key("MY_JUDGE_KEY", URL) == KEY
    assert api_key("MY_JUDGE_KEY", "http://127.0.0.1:9/other") is None  # keyed by base URL
    monkeypatch.setenv("MY_JUDGE_KEY", "sk-from-the-environment-1")
    assert api_key("MY_JUDGE_KEY", URL) == "sk-from-the-environment-1"


def test_a_keyring_key_is_cut_out_of_the_debug_log(file_keyring, tmp_path, monkeypatch):
    monkeypatch.delenv("MY_JUDGE_KEY", raising=False)
    file_keyring.set_password(KEYRING_SERVICE, URL, KEY)
    path = logs.setup("debug", tmp_path / "logs")
    try:
        assert api_key("MY_JUDGE_KEY", URL) == KEY
        logging.getLogger("openai").debug("request headers: Authorization: Bearer %s", KEY)
    finally:
        logs.shutdown()
    text = path.read_text(encoding="utf-8")
    assert "Authorization: Bearer" in text and KEY not in text


def test_a_short_keyring_key_is_cut_out_too(file_keyring, tmp_path, monkeypatch):
    short = "kR#4x"  # a configured key is secret however short it is
    monkeypatch.delenv("MY_JUDGE_KEY", raising=False)
    file_keyring.set_password(KEYRING_SERVICE, URL + "/short", short)
    path = logs.setup("debug", tmp_path / "logs")
    try:
        assert api_key("MY_JUDGE_KEY", URL + "/short") == short
        logging.getLogger("openai").debug("request headers: Authorization: Bearer %s", short)
    finally:
        logs.shutdown()
    text = path.read_text(encoding="utf-8")
    assert "Authorization: Bearer [redacted]" in text and short not in text
