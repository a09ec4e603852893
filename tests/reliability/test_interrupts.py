"""Ctrl-C is never lost: not when it lands inside llama.cpp's log callback (ctypes swallows
an exception raised there, and a model load used to go on and answer with exit status 0),
and not while the command is still importing the app (a traceback used to end it)."""

from __future__ import annotations

import builtins
import collections

import pytest

from personaco_tui import launch
from personaco_tui.engines import llama_backend


class _InterruptOnce(collections.deque):
    """A log that receives Ctrl-C on the first line it is given, as if the signal had
    arrived while llama.cpp was in the callback."""

    def __init__(self) -> None:
        super().__init__(maxlen=40)
        self.fired = False

    def append(self, line: str) -> None:
        if not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        super().append(line)


def test_ctrl_c_inside_the_log_callback_is_raised_after_the_c_call(monkeypatch):
    log = _InterruptOnce()
    monkeypatch.setattr(llama_backend, "_log_lines", log)
    llama_backend._log_callback(2, b"a line from llama.cpp\n", None)  # through the C thunk
    assert log.fired
    with pytest.raises(KeyboardInterrupt):
        llama_backend.raise_if_interrupted()
    llama_backend.raise_if_interrupted()  # raised once, then cleared


def test_ctrl_c_during_a_model_load_stops_the_load(monkeypatch, served_gguf):
    log = _InterruptOnce()
    monkeypatch.setattr(llama_backend, "_log_lines", log)
    with pytest.raises(KeyboardInterrupt):
        llama_backend.load_model(served_gguf, 0)
    assert log.fired
    model, _ = llama_backend.load_model(served_gguf, 0)  # nothing left over: loads again
    model.close()


def test_ctrl_c_while_importing_the_app_exits_130_without_a_traceback(monkeypatch, capsys):
    real = builtins.__import__

    def interrupted(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 1 and name == "cli":
            raise KeyboardInterrupt
        return real(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as e:
        launch.main()
    assert e.value.code == 130
    assert capsys.readouterr().err == "Cancelled.\n"
