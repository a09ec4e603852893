"""`personaco bench-masks`: the steering plan's exact constraints enforced by the own token
masks, llguidance and llama.cpp's grammar sampler, side by side on the model's vocabulary
(benchmarks/masks.py)."""

from __future__ import annotations

import json

import click

from .common import echo, echo_json, open_runtime


@click.command("bench-masks")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--steps",
    type=click.IntRange(1, 4096),
    default=64,
    show_default=True,
    help="Replayed tokens a sequence that are timed (agreement replays them all).",
)
@click.option(
    "--model", "model_name", default=None, help="Model name or .gguf path (default: configured)."
)
def bench_masks(as_json: bool, steps: int, model_name: str | None) -> None:
    """Set-up cost, per-step cost for k=8 sequences and agreement of the own masks,
    llguidance and llama.cpp's grammar sampler, per constraint kind."""
    from ..benchmarks.masks import require_llguidance, run_masks, table_lines
    from ..engines.llama import LlamaEngine
    from ..errors import EngineError

    require_llguidance()
    engine = open_runtime().load_engine(model_name)
    if not isinstance(engine, LlamaEngine):
        raise EngineError(
            "personaco bench-masks measures the in-process llama.cpp engine, and a remote "
            "server is configured.",
            "Name a model: `personaco bench-masks --model smollm2-135m`.",
        )
    data = run_masks(engine, steps=steps, log=lambda line: echo(line, err=True)).as_dict()
    if as_json:
        echo_json(json.dumps(data, ensure_ascii=False))
    else:
        for line in table_lines(data):
            echo(line)
