"""`personaco bench`: the speed benchmark (ratios measured side by side in one run)."""

from __future__ import annotations

import json

import click

from .common import open_runtime


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--model", "model_name", default=None, help="Model name or .gguf path (default: configured)."
)
@click.option("--tokens", "n_tokens", type=click.IntRange(1, 4096), default=128, show_default=True)
@click.option("--k", type=click.IntRange(1, 32), default=8, show_default=True)
@click.option("--repeats", type=click.IntRange(1, 20), default=1, show_default=True)
@click.option("--no-naive", is_flag=True, help="Skip the slow high-level-API comparison.")
def bench(as_json, model_name, n_tokens, k, repeats, no_naive):
    """Time a baseline answer, k batched samples, a PersonaCo turn and a naive turn."""
    from ..benchmarks.speed import run_speed

    rt = open_runtime()
    engine = rt.load_engine(model_name)
    _, path = rt.model_path(model_name)
    report = run_speed(
        engine,
        path,
        n_tokens=n_tokens,
        k=k,
        repeats=repeats,
        naive=not no_naive,
        log=lambda line: click.echo(line, err=True),
    )
    data = report.as_dict()
    if as_json:
        click.echo(json.dumps(data))
    else:
        for key, value in data.items():
            click.echo(f"{key:>20}: {value}")
