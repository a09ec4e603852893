"""`personaco profile add-sample`: a text the user wrote, kept as a signal of kind "writing
sample". Answers are then picked by closeness to its style (the `style` reflector, which
`auto` uses for these signals)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from ..benchmarks.style import QUESTIONS, load_samples, measures, run_style, table
from ..core.signals import ReadingError
from ..core.signals.kinds import read_sample_file, sample_reading, sample_signal_text
from ..errors import PersonacoError
from ..store import profiles as P
from ..store.db import MAX_TEXT_BYTES
from .common import echo, echo_json, open_runtime
from .ids import find_profile


@click.command("add-sample")
@click.argument("name")
@click.option("--file", "file", type=click.Path(path_type=Path), help="A text file you wrote.")
@click.option("--text", "text", help="The text itself.")
@click.option("--label", default=None, help='A short name shown with it, e.g. "emails".')
def add_sample(name: str, file: Path | None, text: str | None, label: str | None) -> None:
    """Add a writing sample (--file F or --text T) to profile NAME as a signal: answers that
    read like it are preferred."""
    if (file is None) == (text is None):
        raise PersonacoError("Give exactly one of --file F or --text T.")
    sample = read_sample_file(file) if file is not None else str(text)
    if len(sample.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise PersonacoError("The sample is too long.", "Cut it down to a page or two.")
    try:
        reading = sample_reading(sample)
    except ReadingError as e:
        raise PersonacoError(str(e), "Paste a paragraph or more of your own writing.") from None
    rt = open_runtime()
    p = find_profile(rt, name)
    s = P.add_signal(rt.store, p.id, sample_signal_text(sample, label), reading=reading)
    echo(f"Added writing sample #{s.id} to {p.name} ({len(sample.split())} words).")


@click.command("style-bench")
@click.option(
    "--samples",
    "folder",
    type=click.Path(path_type=Path),  # load_samples says what is wrong, in one line
    required=True,
    help="A folder of writing samples, one *.txt each.",
)
@click.option("--k", type=click.IntRange(2, 32), default=8)
@click.option("--max-tokens", type=click.IntRange(1, 4096), default=128)
@click.option("--questions", type=click.IntRange(1, len(QUESTIONS)), default=len(QUESTIONS))
@click.option("--model", "model_name", default=None)
@click.option("--rows", type=click.Path(path_type=Path), default=None, help="Write rows as JSONL.")
@click.option("--json", "as_json", is_flag=True)
def style_bench(folder, k, max_tokens, questions, model_name, rows, as_json) -> None:
    """Writing samples: is the picked answer closer to each sample's style than the baseline
    answer, by char 3-gram TF-IDF and function-word measures the pick does not use?"""
    samples = load_samples(folder)
    if not samples:
        raise PersonacoError(f"No *.txt writing samples in {folder}.")
    rt = open_runtime()
    engine = rt.load_engine(model_name)
    got = run_style(
        engine,
        samples,
        QUESTIONS[:questions],
        k=k,
        max_tokens=max_tokens,
        progress=lambda s: echo(f"  {s}", err=True),
    )
    if rows is not None:
        rows.write_text(
            "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in got), "utf-8"
        )
    report = measures(got)
    if as_json:
        echo_json(json.dumps(report))
        return
    for line in table(report):
        echo(line)
