"""`personaco signal explain "TEXT"`: what a personalization signal becomes (its checks and
the IFEval instructions that measure them), or that the model judges it."""

from __future__ import annotations

import json

import click

from ..core.reflectors.rules.parser import MAX_SIGNAL_CHARS
from ..core.signals import understand
from ..core.signals.kinds import KINDS, kind_usage
from ..errors import PersonacoError
from ..evaluation.signal_explain import describe, describe_reading, explain, fact_reading
from .common import echo, echo_json, open_runtime


@click.group("signal")
def signal_group() -> None:
    """How PersonaCo reads personalization signals."""


@signal_group.command("explain")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--model",
    "with_model",
    is_flag=True,
    help="For a fact, also load the configured model and say whether it reads the fact as "
    "ruling something out, as the persona reflector will (a second or two).",
)
def explain_cmd(text: str, as_json: bool, with_model: bool) -> None:
    """Show what the signal TEXT becomes: rule checks (with their IFEval ids) or "judged by
    the model", with a confidence."""
    if not text.strip():
        raise PersonacoError(
            "The signal is empty.",
            'Pass its text in quotes, e.g. personaco signal explain "No commas"',
        )
    data = explain(text)
    if with_model and data.get("read_as") == "fact":
        data["model_reading"] = fact_reading(open_runtime().load_engine(), text)
    if as_json:
        echo_json(json.dumps(data, ensure_ascii=False))
        return
    for line in describe(understand(text), data):
        echo(line)
    if "model_reading" in data:
        echo(describe_reading(data["model_reading"]))
    if len(text) > MAX_SIGNAL_CHARS:
        echo(
            f"(The rules read signals of at most {MAX_SIGNAL_CHARS:,} characters; this one has "
            f"{len(text):,}, so only the model judges it.)"
        )


@signal_group.command("kinds")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def kinds_cmd(as_json: bool) -> None:
    """The checks a signal's reading can be corrected to (profile add-signal --check KIND
    --param NAME=VALUE), with their parameters; or --judge-by-model."""
    if as_json:
        data = {
            name: {
                "label": k.label,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "choices": list(p.choices),
                        "default": p.default,
                        "required": p.required and p.default is None,
                    }
                    for p in k.params
                ],
            }
            for name, k in KINDS.items()
        }
        echo_json(json.dumps(data, ensure_ascii=False))
        return
    for k in KINDS.values():
        echo(f"  {kind_usage(k):60}  {k.label}")
    echo("  or --judge-by-model: no rule; the model judges the signal")
