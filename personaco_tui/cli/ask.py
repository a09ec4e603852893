"""`personaco ask`: one turn from the command line, stored like a TUI turn."""

from __future__ import annotations

import json
import sys

import click

from .. import chat
from ..store import profiles as P
from .common import echo, echo_json, open_runtime


@click.command("ask")
@click.argument("query")
@click.option(
    "--profile", "profile_name", help="Profile whose enabled signals apply (default: active)."
)
@click.option(
    "--signal", "signals", multiple=True, help="Use these signals instead of the profile's."
)
@click.option("--method", type=click.Choice(["personaco", "baseline"]), default=None)
@click.option("--k", type=click.IntRange(1, 32), default=None, help="Samples per turn.")
@click.option("--max-tokens", type=click.IntRange(1, 32768), default=None)
@click.option("--temperature", type=click.FloatRange(0, 5), default=None)
@click.option("--seed", type=int, default=None)
@click.option("--model", "model_name", default=None, help="Model name or path to a .gguf file.")
@click.option("--json", "as_json", is_flag=True, help="Print the generation as JSON.")
@click.option("--no-save", is_flag=True, help="Do not store the turn.")
def ask(
    query,
    profile_name,
    signals,
    method,
    k,
    max_tokens,
    temperature,
    seed,
    model_name,
    as_json,
    no_save,
):
    """Answer QUERY with the bundled or configured model ('-' reads it from stdin)."""
    if query == "-":
        query = sys.stdin.read()
    rt = open_runtime()
    profile = (
        P.get_profile(rt.store, profile_name)
        if profile_name
        else P.ensure_default_profile(rt.store)
    )
    if model_name:
        rt.load_engine(model_name)
    result = chat.ask(
        rt,
        query,
        profile_id=profile.id,
        signals=list(signals) if signals else None,
        save=not no_save,
        method=method,
        k=k,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
    )
    gen = result.generation if isinstance(result, chat.TurnResult) else result
    if as_json:
        echo_json(
            json.dumps(
                {
                    "id": gen.id,
                    "method": gen.settings.method,
                    "model": gen.settings.model,
                    "seed": gen.settings.seed,
                    "response": gen.response,
                    "candidates": [c.text for c in gen.candidates],
                    "matrix": gen.matrix(),
                    "chosen": gen.chosen_index,
                    "seconds": gen.total_s,
                },
                ensure_ascii=False,
            )
        )
    else:
        echo(gen.response)
