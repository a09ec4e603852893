"""Export files go where the user pointed: through symlinks, with the file's mode kept, to
standard output for `-`, and never onto a device or a FIFO; CSV cells that a spreadsheet
could run as formulas are neutralised in every width and after leading whitespace."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from personaco_tui.cli import main
from personaco_tui.evaluation.export import csv_cell
from personaco_tui.fileio import NotARegularFile, atomic_write
from tests.cli.test_eval_cli import ITEMS6, create_with_outputs
from tests.evaluation.test_runner import alternating
from tests.support.servers import scripted_server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def judged(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    create_with_outputs(capsys, tmp_path, "out", ITEMS6[:2])
    with scripted_server(alternating()) as (url, _):
        args = ("eval", "run", "out", "--judge-base-url", url, "--judge-model", "jm")
        rc, _, err = run(capsys, *args)
    assert rc == 0, err
    return "out"


def test_export_through_a_symlink_keeps_the_link_and_the_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, judged: str
) -> None:
    real = tmp_path / "data" / "judgments.csv"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    rc, _, err = run(capsys, "export", judged, "--csv", str(link))
    assert rc == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    rows = list(csv.DictReader(real.open(encoding="utf-8", newline="")))
    assert len(rows) == 2 and rows[0]["session"] == "out"
    assert sorted(p.name for p in real.parent.iterdir()) == ["judgments.csv"]


@pytest.mark.parametrize("bad", ["csv", "jsonl"])
def test_a_second_target_that_fails_leaves_the_first_file_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, judged: str, bad: str
) -> None:
    kept = tmp_path / "kept.out"
    kept.write_text("KEEP\n", encoding="utf-8")
    missing = str(tmp_path / "no-such-folder" / "x.out")
    paths = (
        {"csv": missing, "jsonl": str(kept)}
        if bad == "csv"
        else {"csv": str(kept), "jsonl": missing}
    )
    rc, _, err = run(capsys, "export", judged, "--csv", paths["csv"], "--jsonl", paths["jsonl"])
    assert rc == 1 and err.count("\n") == 1 and "nothing was written" in err, err
    assert kept.read_text(encoding="utf-8") == "KEEP\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".kept")) == []


def test_both_formats_to_one_file_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, judged: str
) -> None:
    same = tmp_path / "same.out"
    rc, _, err = run(
        capsys, "export", judged, "--csv", str(same), "--jsonl", f"{tmp_path}/./same.out"
    )
    assert rc == 1 and "both name" in err and not same.exists(), err


def test_both_formats_are_written_when_both_can_be(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, judged: str
) -> None:
    rc, out, err = run(capsys, "export", judged, "--csv", str(tmp_path / "a.csv"), "--jsonl", "-")
    assert rc == 0, err
    assert len(list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8", newline="")))) == 2
    assert [json.loads(line)["session"] for line in out.splitlines()] == ["out", "out"]


def test_a_new_export_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.jsonl", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o644


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "made.jsonl")
    atomic_write(link, "x\n")
    assert link.is_symlink() and (tmp_path / "made.jsonl").read_text() == "x\n"


def test_a_fifo_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, judged: str
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    rc, _, err = run(capsys, "export", judged, "--csv", str(fifo))
    assert rc != 0 and len(err.strip().splitlines()) == 1, err
    assert "FIFO" in err and "-" in err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(NotARegularFile):
        atomic_write(fifo, "x")


def test_dev_stdout_is_refused_in_a_real_process(tmp_path: Path, judged: str) -> None:
    """A real process, so /dev/stdout is its own pipe; replacing it would need /dev writes
    (root can), and a rename would swap the device node for a file."""
    env = {**os.environ}
    proc = subprocess.run(
        [sys.executable, "-m", "personaco_tui", "export", judged, "--csv", "/dev/stdout"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode != 0, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "not a regular file" in proc.stderr and proc.stdout == ""
    assert os.path.exists("/dev/stdout")


def test_dash_writes_to_standard_output(capsys: pytest.CaptureFixture[str], judged: str):
    rc, out, err = run(capsys, "export", judged, "--jsonl", "-")
    assert rc == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2 and lines[0]["session"] == "out"
    assert "standard output" in err
    rc, out, err = run(capsys, "export", judged, "--csv", "-")
    assert rc == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2
    assert not Path("-").exists()
    rc, out, err = run(capsys, "export", judged, "--csv", "-", "--jsonl", "-")
    assert rc != 0 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        " =1+1",
        "\n=1+1",
        "\u3000=1+1",  # ideographic space
        "\u00a0+1",  # no-break space
        '\uff1dHYPERLINK("http://x")',  # full-width ＝
        "\ufe66cmd",  # small ﹦
        "\uff0b1",  # full-width ＋
        "\uff0d1",  # full-width －
        "\u22121",  # minus sign
        "\uff20SUM(A1)",  # full-width ＠
        "\tcmd",
        "\rcmd",
        "\ncmd",
        "\x0bcmd",
    ],
)
def test_formula_starts_in_every_form_are_neutralised(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["hello", " hello", "a=b", "", "   ", "1+1", "café"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert csv_cell(text) == text
