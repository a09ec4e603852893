"""`personaco config …`: read and change settings in the config file."""

from __future__ import annotations

import click

from .. import config as C
from ..catalog.manifest import load_catalog
from ..errors import ModelError
from ..locations import resolve
from .common import echo, open_runtime


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
    if key == "model.default":
        _check_model(str(checked))
    # Only this key is written, even when it equals the default: the user asked for it.
    C.set_values(loc, {section: {name: checked}})
    echo(f"{key} = {checked!r}")


def _check_model(name: str) -> None:
    """An unknown model is refused now, not at the next `ask`; a known one whose file is not
    here yet (a catalog model to pull) is kept, with a note saying so."""
    rt = open_runtime()
    try:
        rt.model_path(name)  # NotFoundError for an unknown name
    except ModelError as e:
        if name not in load_catalog(rt.loc):  # a path or registered file that is gone
            raise
        echo(f"personaco: note: {e.message}", err=True)
