"""Offline means offline: chatting, batch generation and model listing open no network
connection when no judge or remote model is configured."""

from __future__ import annotations

import json
import socket

import pytest

from personaco_tui.cli import main


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network use in an offline test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, a: guarded(self, a) or 0)
    return attempts


def test_chat_generate_and_models_make_no_connection(no_network, tmp_path, capsys):
    assert main(["ask", "Hi", "--k", "2", "--max-tokens", "4", "--signal", "Be brief"]) == 0
    items = tmp_path / "in.jsonl"
    items.write_text(json.dumps({"id": "a", "query": "Hi", "signals": ["No commas"]}) + "\n")
    out = tmp_path / "out.jsonl"
    assert (
        main(
            [
                "generate",
                "--input",
                str(items),
                "--output",
                str(out),
                "--k",
                "2",
                "--max-tokens",
                "4",
            ]
        )
        == 0
    )
    assert main(["models", "list"]) == 0
    assert main(["history", "search", "Hi"]) == 0
    assert no_network == []
