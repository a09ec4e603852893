"""A closed terminal ends the app, also when a parent (`make run`) keeps SIGHUP from it.

The app runs in a real pseudo-terminal. Closing the terminal hangs it up and the kernel sends
SIGHUP to the session leader alone. Under `make run` that is make, which catches it and waits
for the app; the app must notice by itself. Before the fix it stayed, spinning at full CPU.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from personaco_tui.tui.hangup import CHECK_EVERY_S, GIVE_UP_AFTER_S, HANGUP_EXIT, hung_up

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pty")

# A parent like make: catches SIGHUP (so its child keeps the default action) and waits.
_LIKE_MAKE = (
    "import signal, subprocess, sys\n"
    "signal.signal(signal.SIGHUP, lambda *a: None)\n"
    "sys.exit(subprocess.call(sys.argv[1:]))\n"
)


# Run in a new session (start_new_session): opening the pty there makes it the session's
# controlling terminal, as a terminal window's shell has it; then exec the command on it.
_ON_THE_PTY = (
    "import os, sys\n"
    "fd = os.open(sys.argv[1], os.O_RDWR)\n"
    "for n in (0, 1, 2):\n"
    "    os.dup2(fd, n)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def _read_until(fd: int, text: bytes, timeout: float) -> bytes:
    seen, end = b"", time.monotonic() + timeout
    while text not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _in_a_terminal(home, *, parent: bool) -> tuple[subprocess.Popen[bytes], int, int]:
    master, slave = os.openpty()
    app = [sys.executable, "-m", "personaco_tui", "--home", str(home)]
    argv = [sys.executable, "-c", _LIKE_MAKE, *app] if parent else app
    env = {**os.environ, "TERM": "xterm-256color"}
    launcher = [sys.executable, "-c", _ON_THE_PTY, os.ttyname(slave)]
    proc = subprocess.Popen([*launcher, *argv], env=env, start_new_session=True)
    return proc, master, slave  # the slave stays open here until the app has drawn


@pytest.mark.parametrize("parent", [True, False], ids=["under-a-parent-like-make", "directly"])
def test_closing_the_terminal_ends_the_app(tmp_path, parent):
    proc, master, slave = _in_a_terminal(tmp_path, parent=parent)
    try:
        screen = _read_until(master, b"Welcome to PersonaCo", timeout=60)
        assert b"Welcome to PersonaCo" in screen, screen[-500:]
        os.close(slave)
        os.close(master)  # the terminal window closes
        master = slave = -1
        closed = time.monotonic()
        rc = proc.wait(timeout=10 * CHECK_EVERY_S + GIVE_UP_AFTER_S)  # raises if it outlived it
        assert rc == HANGUP_EXIT
        # through the orderly exit, not the last-resort one that cuts a stuck exit short
        assert time.monotonic() - closed < GIVE_UP_AFTER_S - 2
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # the whole session: parent and app
        proc.wait(timeout=10)
        for fd in (master, slave):
            if fd >= 0:
                os.close(fd)


def test_hung_up_reads_a_live_terminal_as_live_and_a_closed_one_as_hung_up():
    master, slave = os.openpty()
    try:
        assert not hung_up(slave)
    finally:
        os.close(master)
    try:
        assert hung_up(slave)
    finally:
        os.close(slave)
