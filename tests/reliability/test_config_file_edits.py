"""`personaco config set` and every other save edit the user's config.toml in place: comments,
other tools' tables, symlinks and the file mode survive, and only what was set is written."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from personaco_tui import config as C
from personaco_tui.cli import main
from personaco_tui.errors import ConfigError
from personaco_tui.locations import Locations

USER_FILE = """\
# my settings, kept in dotfiles
[generation]
k = 4  # fewer samples on the laptop

[mytool]
foo = "bar"
"""


def set_(capsys: pytest.CaptureFixture[str], key: str, value: str) -> None:
    rc = main(["config", "set", key, value])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert out.strip().startswith(key)


def test_comments_foreign_tables_and_only_the_set_key(
    capsys: pytest.CaptureFixture[str], loc: Locations
) -> None:
    loc.config_path.parent.mkdir(parents=True, exist_ok=True)
    loc.config_path.write_text(USER_FILE, encoding="utf-8")
    set_(capsys, "judge.timeout_s", "2.5")
    text = loc.config_path.read_text(encoding="utf-8")
    assert text.startswith(USER_FILE)  # every line the user wrote, as written
    data = tomllib.loads(text)
    assert data["mytool"] == {"foo": "bar"}
    assert data["judge"] == {"timeout_s": 2.5}  # no defaults written alongside
    assert set(data) == {"generation", "mytool", "judge"}
    set_(capsys, "generation.k", "6")
    text = loc.config_path.read_text(encoding="utf-8")
    assert "k = 6  # fewer samples on the laptop" in text and "# my settings" in text
    assert C.load(loc).generation.k == 6


def test_a_new_file_holds_only_the_set_key(capsys: pytest.CaptureFixture[str], loc: Locations):
    set_(capsys, "generation.k", "8")  # the default, but the user asked for it
    assert tomllib.loads(loc.config_path.read_text(encoding="utf-8")) == {"generation": {"k": 8}}


def test_a_symlinked_config_is_written_through_with_its_mode(
    capsys: pytest.CaptureFixture[str], loc: Locations, tmp_path: Path
) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "personaco.toml"
    target.write_text(USER_FILE, encoding="utf-8")
    target.chmod(0o644)
    loc.config_path.parent.mkdir(parents=True, exist_ok=True)
    loc.config_path.symlink_to(target)
    set_(capsys, "generation.temperature", "0.7")
    assert loc.config_path.is_symlink() and loc.config_path.resolve() == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert "temperature = 0.7" in target.read_text(encoding="utf-8")
    assert [p.name for p in dotfiles.iterdir()] == ["personaco.toml"]  # no temp file left
    assert [p.name for p in loc.config_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_save_writes_only_what_changed(loc: Locations) -> None:
    loc.config_path.parent.mkdir(parents=True, exist_ok=True)
    loc.config_path.write_text(USER_FILE, encoding="utf-8")
    os.chmod(loc.config_path, 0o640)
    s = C.load(loc)
    s.model.weights = "q8_0"
    C.save(loc, s)
    text = loc.config_path.read_text(encoding="utf-8")
    assert text.startswith(USER_FILE)
    assert tomllib.loads(text)["model"] == {"weights": "q8_0"}
    assert stat.S_IMODE(loc.config_path.stat().st_mode) == 0o640
    before = loc.config_path.read_text(encoding="utf-8")
    C.save(loc, C.load(loc))  # nothing changed: nothing is added
    assert loc.config_path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("section", ["mytool", "tool.poetry", "editor", "x"])
def test_another_tools_table_is_no_error(loc: Locations, section: str) -> None:
    loc.config_path.parent.mkdir(parents=True, exist_ok=True)
    loc.config_path.write_text(f'[{section}]\nfoo = "bar"\n[generation]\nk = 3\n', "utf-8")
    assert C.load(loc).generation.k == 3


@pytest.mark.parametrize(
    ("section", "meant"), [("generaton", "generation"), ("modle", "model"), ("jugde", "judge")]
)
def test_a_misspelt_section_is_still_an_error(loc: Locations, section: str, meant: str) -> None:
    loc.config_path.parent.mkdir(parents=True, exist_ok=True)
    loc.config_path.write_text(f"[{section}]\nk = 3\n", "utf-8")
    with pytest.raises(ConfigError, match=f"did you mean {meant}"):
        C.load(loc)
