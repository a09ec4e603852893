"""`personaco generate`: batch generation over a JSONL file (baseline or PersonaCo)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from .. import batch
from ..config import REFLECTORS
from ..errors import PersonacoError
from ..terminal_text import neutralise
from .common import echo, open_runtime
from .ids import SEED


@click.command("generate")
@click.option(
    "--input",
    "in_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL: one {"id", "query", "signals": [...]} per line.',
)
@click.option(
    "--output",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL results; ids already there are skipped (resume).",
)
@click.option(
    "--method", type=click.Choice(["baseline", "personaco"]), default="personaco", show_default=True
)
@click.option("--k", type=click.IntRange(1, 32), default=None, help="Samples per item.")
@click.option("--reflector", type=click.Choice(list(REFLECTORS)), default=None)
@click.option("--max-tokens", type=click.IntRange(1, 32768), default=None)
@click.option("--temperature", type=click.FloatRange(0, 5), default=None)
@click.option("--seed", type=SEED, default=None, help="Seed for every item (default: configured).")
@click.option("--model", "model_name", default=None, help="Model name or .gguf path.")
@click.option(
    "--steer/--no-steer", default=None, help="Steer toward the signals (default: configured)."
)
def generate(
    in_path, out_path, method, k, reflector, max_tokens, temperature, seed, model_name, steer
):
    """Generate answers for every line of --input, appending to --output."""
    if os.path.realpath(in_path) == os.path.realpath(out_path):
        raise PersonacoError(
            f"--input and --output are the same file ({in_path}).",
            "Write the results to another file.",
        )
    rt = open_runtime()
    bad: list[str] = []
    failed: list[str] = []
    not_stored: list[str] = []

    def report(into: list[str], line: str) -> None:
        into.append(line)
        tqdm.write(neutralise(line), file=sys.stderr)

    def failed_item(bar: tqdm, item_id: str, why: str) -> None:
        report(failed, f"item {item_id}: failed ({why})")
        _tick(bar)

    items = list(
        batch.read_items(in_path, lambda n, why: report(bad, f"{in_path}:{n}: skipped ({why})"))
    )
    batch.check_output(out_path)  # before the model loads: a wrong path costs nothing
    engine = rt.load_engine(model_name)
    cfg = rt.run_config(
        engine.name,
        method=method,
        k=k,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
        steer=steer,
    )
    refl = None if method == "baseline" else rt.reflector(engine, reflector)
    todo = len(items) - len(batch.done_ids(out_path) & {it.id for it in items})
    with tqdm(
        total=todo,
        unit="item",
        desc=method,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        n = batch.run_batch(
            engine,
            items,
            out_path,
            cfg,
            refl,
            store=rt.store,
            on_done=lambda item, gen: _tick(bar),
            on_failed=lambda item, why: failed_item(bar, item.id, why),
            on_not_stored=lambda item, why: report(
                not_stored, f"item {item.id}: written but not stored in the database ({why})"
            ),
        )
    summary = (
        f"Wrote {n} results to {out_path} ({len(items) - todo} already there, "
        f"{len(bad)} bad lines skipped"
    )
    if failed:
        summary += f", {len(failed)} failed"
    if not_stored:
        summary += f", {len(not_stored)} not stored in the database"
    echo(summary + ").", err=True)


def _tick(bar: tqdm) -> None:
    bar.update(1)
