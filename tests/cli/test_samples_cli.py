"""`personaco profile add-sample`: a writing sample kept as a signal and used by the pick;
one-line errors for a missing, short, binary or doubled source."""

from __future__ import annotations

import json
from pathlib import Path

from personaco_tui.cli import main
from personaco_tui.locations import Locations
from personaco_tui.store import generations as G
from personaco_tui.store.db import Store

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "writing_samples"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_add_sample_then_ask_scores_it_by_style(capsys, loc: Locations) -> None:
    run(capsys, "profile", "create", "me", "--use")
    rc, out, err = run(
        capsys, "profile", "add-sample", "me", "--file", str(SAMPLES / "terse.txt"), "--label", "x"
    )
    assert rc == 0 and "Added writing sample #" in out and "98 words" in out, err
    _, out, _ = run(capsys, "profile", "show", "me")
    assert "writing sample, 98 words: scored by style" in out and "(x)" in out
    data = json.loads(run(capsys, "profile", "show", "me", "--json")[1])
    (signal,) = data["signals"]
    assert signal["reading"]["kind"] == "writing_sample" and signal["checkable"] is False
    rc, out, err = run(
        capsys,
        "ask",
        "Describe the sea.",
        "--k",
        "2",
        "--max-tokens",
        "8",
        "--seed",
        "3",
        "--json",
    )
    assert rc == 0, err
    gen_id = json.loads(out)["id"]
    with Store.open(loc) as s:
        gen = G.load_generation(s, gen_id)
    assert {c.reflector for c in gen.cells} == {"style"}
    assert all(c.score is not None and 0.0 <= c.score <= 1.0 for c in gen.cells)
    assert all("style closeness" in c.raw for c in gen.cells)


def test_add_sample_errors(capsys, tmp_path: Path) -> None:
    run(capsys, "profile", "create", "me", "--use")
    rc, _, err = run(capsys, "profile", "add-sample", "me", "--text", "too short")
    assert rc != 0 and "at least 20 words" in err
    rc, _, err = run(capsys, "profile", "add-sample", "me")
    assert rc != 0 and "exactly one of --file F or --text T" in err
    rc, _, err = run(capsys, "profile", "add-sample", "me", "--file", str(tmp_path / "no.txt"))
    assert rc != 0 and "Cannot read" in err
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe" * 40)
    rc, _, err = run(capsys, "profile", "add-sample", "me", "--file", str(binary))
    assert rc != 0 and "not UTF-8 text" in err
    _, out, _ = run(capsys, "profile", "show", "me")
    assert "no signals" in out
