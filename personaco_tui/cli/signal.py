"""`personaco signal explain "TEXT"`: what a personalization signal becomes (its checks and
the IFEval instructions that measure them), or that the model judges it."""

from __future__ import annotations

import json

import click

from ..core.reflectors.rules.parser import MAX_SIGNAL_CHARS
from ..core.signals import understand
from ..evaluation.signal_explain import describe, explain
from .common import echo, echo_json


@click.group("signal")
def signal_group() -> None:
    """How PersonaCo reads personalization signals."""


@signal_group.command("explain")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def explain_cmd(text: str, as_json: bool) -> None:
    """Show what the signal TEXT becomes: rule checks (with their IFEval ids) or "judged by
    the model", with a confidence."""
    if not text.strip():
        raise click.BadParameter(
            "the signal is empty; pass its text in quotes, e.g. "
            'personaco signal explain "No commas"',
            param_hint="TEXT",
        )
    if len(text) > MAX_SIGNAL_CHARS:
        raise click.BadParameter(
            f"the signal has {len(text)} characters, more than {MAX_SIGNAL_CHARS}; shorten it",
            param_hint="TEXT",
        )
    data = explain(text)
    if as_json:
        echo_json(json.dumps(data, ensure_ascii=False))
        return
    for line in describe(understand(text), data):
        echo(line)
