"""`personaco config …`: read and change settings in the config file."""

from __future__ import annotations

import click

from .. import config as C
from ..locations import resolve
from .common import echo


@click.group("config")
def config_group() -> None:
    """Show and change settings."""


@config_group.command("show")
def show() -> None:
    """Every setting with its current value and what it does."""
    loc = resolve()
    settings = C.load(loc)
    echo(f"# {C.config_path(loc)}")
    for key, doc, _default in C.describe():
        section, name = key.split(".")
        value = getattr(getattr(settings, section), name)
        echo(f"{key} = {value!r}\n    {doc}")


@config_group.command("path")
def path() -> None:
    """Print where the config file lives."""
    echo(str(C.config_path(resolve())))


# ignore_unknown_options: a negative VALUE (generation.seed -1) is a value, not an option
@config_group.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value")
def set_(key: str, value: str) -> None:
    """Set KEY (e.g. generation.k) to VALUE and save the file."""
    loc = resolve()
    section, name = C.spec_for(key)  # before reading the file: a typo is named as such
    checked = C.check_value(key, value)
    C.load(loc, env=False)  # a broken file is named before anything is written to it
    # Only this key is written, even when it equals the default: the user asked for it.
    C.set_values(loc, {section: {name: checked}})
    echo(f"{key} = {checked!r}")
