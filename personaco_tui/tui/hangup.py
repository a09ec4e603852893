"""Leave when the terminal goes away.

A closed terminal window (or `tmux kill-server`) hangs up the terminal. The kernel sends
SIGHUP to the session leader only: started directly, that is this process and it ends; started
through `make run` or another parent that does not pass the signal on, nothing tells the app,
and Textual's input thread then spins on a terminal that reads end-of-file, at full CPU, for
ever. So the app ends itself, through its normal exit (the store is closed, the model freed),
both on SIGHUP and when a periodic look at the terminal finds it hung up. A turn running
in a worker thread cannot be interrupted mid-decode, so if the orderly exit is still waiting
after GIVE_UP_AFTER_S the process ends at once (every stored write is a finished transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
import threading
import time
from types import FrameType

from textual.app import App

HANGUP_EXIT = 129  # 128 + SIGHUP, as a shell reports a process that SIGHUP ended
CHECK_EVERY_S = 1.0
GIVE_UP_AFTER_S = 15.0  # an orderly exit that takes longer is cut short


def terminal_fd() -> int | None:
    """The file descriptor of the terminal the app reads keys from, or None when its input is
    not a terminal (tests, pipes)."""
    stdin = sys.__stdin__
    if stdin is None:
        return None
    try:
        fd = stdin.fileno()
    except (OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def hung_up(fd: int) -> bool:
    """True once the terminal on `fd` is hung up: every request on it then fails with EIO.
    Any other failure (not a terminal, a platform without termios) is not a hang-up."""
    try:
        import termios
    except ImportError:
        return False
    try:
        termios.tcgetattr(fd)
    except termios.error as e:
        return bool(e.args) and e.args[0] == errno.EIO
    return False


def _exit_soon_anyway(after_s: float) -> None:
    """A last resort: if the orderly exit has not ended the process in `after_s`, end it."""

    def guard() -> None:
        time.sleep(after_s)
        os._exit(HANGUP_EXIT)

    threading.Thread(target=guard, name="hangup-exit", daemon=True).start()


def _no_resume_on_a_dead_terminal(fd: int) -> None:
    """The kernel sends SIGCONT with the hang-up's SIGHUP. Textual's driver takes SIGCONT for
    a return from Ctrl-Z and starts application mode again, a second output thread on a dead
    terminal that its shutdown then waits on for ever; on a hung-up terminal, let it pass."""
    previous = signal.getsignal(signal.SIGCONT)
    if not callable(previous):
        return

    def on_continue(signum: int, frame: FrameType | None) -> None:
        if not hung_up(fd):
            previous(signum, frame)

    signal.signal(signal.SIGCONT, on_continue)


def watch_terminal(app: App[None], every: float = CHECK_EVERY_S) -> None:
    """End `app` on SIGHUP, and when its terminal hangs up without one. Call from on_mount."""
    fd = terminal_fd()
    if fd is None:
        return
    leaving = threading.Event()

    def leave() -> None:
        if leaving.is_set():
            return
        leaving.set()
        _exit_soon_anyway(GIVE_UP_AFTER_S)
        app.exit(return_code=HANGUP_EXIT)

    if hasattr(signal, "SIGHUP"):
        # Not on the main thread, or a loop without signal support: the poll below still works.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, leave)
            _no_resume_on_a_dead_terminal(fd)

    def look() -> None:
        if hung_up(fd):
            leave()

    app.set_interval(every, look, name="terminal-hangup")
