"""`personaco profile export` and `personaco profile import`: a profile, with everything it
learned, as one JSON file (profile_file.py says what is in it)."""

from __future__ import annotations

import os

import click

from ..errors import PersonacoError
from ..fileio import NotARegularFile, atomic_write
from ..profile_check import read_profile_file
from ..profile_file import dumps, export_profile, import_profile
from ..store import profiles as P
from ..store.db import DuplicateNameError
from .common import echo, echo_json, open_runtime
from .ids import find_profile
from .profile import profile_group


@profile_group.command("export")
@click.argument("name", required=False)
@click.option(
    "-o", "--output", "output", metavar="FILE", help="Write here (default, or -: stdout)."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def export_cmd(name: str | None, output: str | None, force: bool) -> None:
    """Write profile NAME (default: the active one) as one JSON document: its signals, what it
    learned (the model, the choices it came from, in words) and its suggestions."""
    rt = open_runtime()
    p = find_profile(rt, name) if name else P.ensure_default_profile(rt.store)
    text = dumps(export_profile(rt.store, p))
    if output is None or output == "-":  # - is standard output, as for `personaco export`
        echo_json(text.rstrip("\n"))
        return
    if os.path.lexists(output) and not force:
        raise PersonacoError(f"{output} already exists.", "Use --force to replace it.")
    try:
        atomic_write(output, text)
    except NotARegularFile as e:
        raise PersonacoError(f"Cannot write {output}: {e.strerror}.") from None
    except OSError as e:
        raise PersonacoError(f"Cannot write {output}: {e.strerror or e}.") from None
    echo(f"Wrote profile {p.name} to {output}.")


@profile_group.command("import")
@click.argument("file", metavar="FILE")
@click.option(
    "--name", "new_name", metavar="NEW", help="Name the new profile (default: as in FILE)."
)
def import_cmd(file: str, new_name: str | None) -> None:
    """Create a new profile from FILE (written by `profile export`): its signals, suggestions,
    choices and learned model. An existing profile is never changed."""
    pf = read_profile_file(file)
    rt = open_runtime()
    try:
        done = import_profile(rt.store, pf, new_name)
    except DuplicateNameError:
        name = pf.name if new_name is None else new_name
        raise PersonacoError(
            f"A profile named {name!r} already exists; nothing was imported.",
            "Import it under another name: personaco profile import FILE --name NEW",
        ) from None
    learned = (
        f"what it learned from {done.choices} choices"
        if done.model_kept
        else f"{done.choices} choices (nothing learned yet)"
    )
    echo(
        f"Imported profile {done.profile.name}: {done.signals} signals, "
        f"{done.suggestions} suggestions, {learned}."
    )
