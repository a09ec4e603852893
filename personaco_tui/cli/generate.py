"""`personaco generate`: batch generation over a JSONL file (baseline or PersonaCo)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from .. import batch
from ..config import REFLECTORS
from .common import echo, open_runtime


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
@click.option("--seed", type=int, default=None, help="Seed for every item (default: configured).")
@click.option("--model", "model_name", default=None, help="Model name or .gguf path.")
def generate(in_path, out_path, method, k, reflector, max_tokens, temperature, seed, model_name):
    """Generate answers for every line of --input, appending to --output."""
    rt = open_runtime()
    bad: list[str] = []

    def on_bad(n: int, why: str) -> None:
        bad.append(f"{in_path}:{n}: skipped ({why})")
        echo(bad[-1], err=True)

    items = list(batch.read_items(in_path, on_bad))
    engine = rt.load_engine(model_name)
    cfg = rt.run_config(
        method=method, k=k, max_tokens=max_tokens, temperature=temperature, seed=seed
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
        )
    echo(
        f"Wrote {n} results to {out_path} ({len(items) - todo} already there, "
        f"{len(bad)} bad lines skipped).",
        err=True,
    )


def _tick(bar: tqdm) -> None:
    bar.update(1)
