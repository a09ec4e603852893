"""`personaco adherence`: the adherence benchmark on any shared set (dev_set, implicit/dev,
guard_dev), judged by the IFEval checkers and, for persona checks, a checks file you name."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import REFLECTORS
from ..errors import PersonacoError
from .common import echo, echo_json, open_runtime

DEFAULT_DEV_SET = Path("../shared/eval/dev_set.jsonl")


@click.command("adherence")
@click.option(
    "--set",
    "--dev-set",
    "dev_set",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DEV_SET,
    show_default=True,
    help="JSONL with id, query, signals, checks (and, for correctness, an answer regex).",
)
@click.option(
    "--checks",
    "checks_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Python file with check(check, text) for checks by `kind` "
    "(default: checks.py beside the set, when there is one).",
)
@click.option("--k", type=click.IntRange(2, 32), default=8, show_default=True)
@click.option("--max-tokens", type=click.IntRange(1, 4096), default=192, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N items.")
@click.option(
    "--reflectors",
    default="self,rules,persona,auto",
    show_default=True,
    help="Comma-separated reflectors to compare.",
)
@click.option("--model", "model_name", default=None)
@click.option("--json", "as_json", is_flag=True)
def adherence(dev_set, checks_file, k, max_tokens, limit, reflectors, model_name, as_json):
    """Baseline, each reflector's pick, a random pick and the best-of-k oracle, scored by the
    if-verifiable checkers (install with: pip install -e '.[eval]') or the checks file; each
    reflector's AUC; correctness against a plain answer where items carry one. Samples with
    the model's configured sampling, as `generate` does."""
    from ..benchmarks.adherence import SetJudge, load_dev_set, run_adherence

    names = [name.strip() for name in reflectors.split(",") if name.strip()]
    unknown = [name for name in names if name not in REFLECTORS]
    if not names or unknown:
        raise PersonacoError(
            f"Unknown reflector {unknown[0]!r}." if unknown else "--reflectors names no reflector.",
            f"Give a comma-separated list of: {', '.join(REFLECTORS)}.",
        )
    items = load_dev_set(dev_set)[:limit]
    if checks_file is None and (dev_set.parent / "checks.py").is_file():
        checks_file = dev_set.parent / "checks.py"
    checkers = SetJudge(items, checks_file)  # fail fast, before loading anything
    rt = open_runtime()
    engine = rt.load_engine(model_name)
    refl = {name: rt.reflector(engine, name) for name in names}
    report = run_adherence(
        engine,
        items,
        refl,
        k=k,
        max_tokens=max_tokens,
        sampling=rt.sampling(model_name),  # as `generate` and the app sample
        checkers=checkers,
        log=lambda line: echo(line, err=True),
    )
    data = report.as_dict()
    echo_json(json.dumps(data) if as_json else json.dumps(data, indent=2))
