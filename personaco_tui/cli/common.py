from __future__ import annotations

import click

from ..runtime import Runtime
from ..terminal_text import json_for_terminal, neutralise


def open_runtime() -> Runtime:
    """The runtime for a CLI command; closed when the click context ends."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    rt = root.meta.get("runtime")
    if rt is None:
        rt = Runtime.open()
        root.meta["runtime"] = rt
        root.call_on_close(rt.close)
    return rt


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print one message for a person. Every CLI line goes through here, because most of
    them hold text PersonaCo does not control (answers, judge replies, signals, names), and
    a control sequence in it would reach the terminal: see terminal_text."""
    click.echo(neutralise(str(message)), err=err, nl=nl)


def echo_json(text: str, *, err: bool = False) -> None:
    """Print JSON text from `json.dumps`: the same value, with no raw control left in it."""
    click.echo(json_for_terminal(text), err=err)
