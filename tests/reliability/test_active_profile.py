"""Deleting the active profile made the next `ask` silently use another profile's signals
(the first by name). The CLI now refuses, as the TUI's sidebar does: switch first."""

from __future__ import annotations

from personaco_tui.cli import main
from personaco_tui.runtime import Runtime
from personaco_tui.store import profiles as P


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_deleting_the_active_profile_is_refused_in_one_line(capsys) -> None:
    assert run(capsys, "profile", "create", "work", "--use")[0] == 0
    assert run(capsys, "profile", "create", "alpha")[0] == 0
    assert run(capsys, "profile", "add-signal", "alpha", "Answer in French.")[0] == 0
    rc, out, err = run(capsys, "profile", "delete", "work", "--yes")
    lines = err.strip().splitlines()
    assert rc != 0 and len(lines) == 1, err
    assert "'work' is the active profile" in lines[0] and "profile use alpha" in lines[0]
    rt = Runtime.open()
    try:
        # what `ask` would use next: still work, not alpha's French
        assert P.ensure_default_profile(rt.store).name == "work"
    finally:
        rt.close()
    assert run(capsys, "profile", "use", "alpha")[0] == 0
    rc, out, err = run(capsys, "profile", "delete", "work", "--yes")
    assert rc == 0 and "Deleted profile 'work'" in out, err


def test_the_only_profile_when_active_says_to_create_another(capsys) -> None:
    assert run(capsys, "profile", "create", "solo", "--use")[0] == 0
    rc, _, err = run(capsys, "profile", "delete", "solo", "--yes")
    assert rc != 0 and "profile create NAME --use" in err and len(err.strip().splitlines()) == 1
