"""`personaco adherence`: the dev-set adherence benchmark (IFEval checkers as the judge)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import echo, echo_json, open_runtime

DEFAULT_DEV_SET = Path("../shared/eval/dev_set.jsonl")


@click.command("adherence")
@click.option(
    "--dev-set",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DEV_SET,
    show_default=True,
    help="JSONL with id, query, signals and IFEval checks.",
)
@click.option("--k", type=click.IntRange(2, 32), default=8, show_default=True)
@click.option("--max-tokens", type=click.IntRange(1, 4096), default=192, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N items.")
@click.option(
    "--reflectors",
    default="self,rules,auto",
    show_default=True,
    help="Comma-separated reflectors to compare.",
)
@click.option("--model", "model_name", default=None)
@click.option("--json", "as_json", is_flag=True)
def adherence(dev_set, k, max_tokens, limit, reflectors, model_name, as_json):
    """Baseline, each reflector's pick, a random pick and the best-of-k oracle, scored by the
    if-verifiable checkers (install with: pip install -e '.[eval]')."""
    from ..benchmarks.adherence import Checkers, load_dev_set, run_adherence

    checkers = Checkers()  # fail fast, before loading anything
    items = load_dev_set(dev_set)[:limit]
    rt = open_runtime()
    engine = rt.load_engine(model_name)
    refl = {name: rt.reflector(engine, name) for name in reflectors.split(",") if name}
    report = run_adherence(
        engine,
        items,
        refl,
        k=k,
        max_tokens=max_tokens,
        checkers=checkers,
        log=lambda line: echo(line, err=True),
    )
    data = report.as_dict()
    echo_json(json.dumps(data) if as_json else json.dumps(data, indent=2))
