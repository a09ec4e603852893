"""`personaco profile …`: profiles and their personalization signals."""

from __future__ import annotations

import click

from ..errors import PersonacoError
from ..store import profiles as P
from .common import echo, open_runtime
from .ids import ID, find_profile


@click.group("profile")
def profile_group() -> None:
    """Create profiles and edit their signals."""


@profile_group.command("list")
def list_profiles() -> None:
    """List profiles; the active one is marked with *."""
    rt = open_runtime()
    active = P.get_active_profile(rt.store)
    for p in P.list_profiles(rt.store):
        n = len(P.list_signals(rt.store, p.id))
        on = len(P.list_signals(rt.store, p.id, enabled_only=True))
        mark = "*" if active and active.id == p.id else " "
        echo(f"{mark} {p.name}  ({on}/{n} signals on)")


@profile_group.command("create")
@click.argument("name")
@click.option("--use", "make_active", is_flag=True, help="Make it the active profile.")
def create(name: str, make_active: bool) -> None:
    """Create a profile."""
    rt = open_runtime()
    p = P.create_profile(rt.store, name)
    if make_active:
        P.set_active_profile(rt.store, p.id)
    echo(f"Created profile {p.name!r}.")


@profile_group.command("use")
@click.argument("name")
def use(name: str) -> None:
    """Make NAME the active profile (the TUI and `ask` use it)."""
    rt = open_runtime()
    p = find_profile(rt, name)
    P.set_active_profile(rt.store, p.id)
    echo(f"Active profile: {p.name}")


@profile_group.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename(name: str, new_name: str) -> None:
    """Rename a profile."""
    rt = open_runtime()
    p = find_profile(rt, name)
    P.rename_profile(rt.store, p.id, new_name)
    echo(f"Renamed {name!r} to {new_name!r}.")


@profile_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, yes: bool) -> None:
    """Delete a profile and its signals (its conversations are kept). The active profile
    cannot be deleted (as in the TUI): switch to another first."""
    rt = open_runtime()
    p = find_profile(rt, name)
    active = P.get_active_profile(rt.store)
    if active is not None and active.id == p.id:
        # deleting it would make the next `ask` quietly use another profile's signals
        others = [o.name for o in P.list_profiles(rt.store) if o.id != p.id]
        todo = (
            f"Switch first, e.g. personaco profile use {others[0]}"
            if others
            else "Create and switch to another first: personaco profile create NAME --use"
        )
        raise PersonacoError(
            f"Profile {p.name!r} is the active profile.", todo + ", then delete it."
        )
    if not yes:
        click.confirm(f"Delete profile {p.name!r} and its signals?", abort=True)
    P.delete_profile(rt.store, p.id)
    echo(f"Deleted profile {p.name!r}.")


def _show(rt, name: str | None) -> None:
    p = find_profile(rt, name) if name else P.ensure_default_profile(rt.store)
    echo(f"Profile {p.name}")
    signals = P.list_signals(rt.store, p.id)
    if not signals:
        echo(
            "  (no signals: add one with `personaco profile add-signal "
            f'{p.name} "Keep it under 80 words."`)'
        )
    for s in signals:
        box = "[x]" if s.enabled else "[ ]"
        weight = f"  (weight {s.weight:g})" if s.weight is not None else ""
        echo(f"  {box} #{s.id}  {s.text}{weight}")


@profile_group.command("show")
@click.argument("name", required=False)
def show(name: str | None) -> None:
    """Show a profile's signals ([x] on, [ ] off) with their ids."""
    _show(open_runtime(), name)


@profile_group.command("add-signal")
@click.argument("name")
@click.argument("text")
@click.option("--weight", type=float, default=None, help="Optional weight of this signal.")
def add_signal(name: str, text: str, weight: float | None) -> None:
    """Add a personalization signal to profile NAME."""
    rt = open_runtime()
    p = find_profile(rt, name)
    s = P.add_signal(rt.store, p.id, text, weight=weight)
    echo(f"Added signal #{s.id} to {p.name}.")


def _signal_of(rt, name: str, signal_id: int):
    p = find_profile(rt, name)
    s = P.get_signal(rt.store, signal_id)
    if s.profile_id != p.id:
        raise click.BadParameter(f"signal #{signal_id} belongs to another profile", param_hint="ID")
    return s


@profile_group.command("remove-signal")
@click.argument("name")
@click.argument("signal_id", metavar="ID", type=ID)
def remove_signal(name: str, signal_id: int) -> None:
    """Remove signal ID (see `profile show`) from profile NAME."""
    rt = open_runtime()
    s = _signal_of(rt, name, signal_id)
    P.remove_signal(rt.store, s.id)
    echo(f"Removed signal #{s.id}.")


@profile_group.command("toggle-signal")
@click.argument("name")
@click.argument("signal_id", metavar="ID", type=ID)
@click.option("--on/--off", "state", default=None, help="Set the state instead of flipping it.")
def toggle_signal(name: str, signal_id: int, state: bool | None) -> None:
    """Turn signal ID on or off for the next turns."""
    rt = open_runtime()
    s = _signal_of(rt, name, signal_id)
    enabled = (not s.enabled) if state is None else state
    P.set_signal_enabled(rt.store, s.id, enabled)
    echo(f"Signal #{s.id} is now {'on' if enabled else 'off'}.")


@profile_group.command("edit-signal")
@click.argument("name")
@click.argument("signal_id", metavar="ID", type=ID)
@click.argument("text")
def edit_signal(name: str, signal_id: int, text: str) -> None:
    """Replace the text of signal ID."""
    rt = open_runtime()
    s = _signal_of(rt, name, signal_id)
    P.edit_signal(rt.store, s.id, text)
    echo(f"Signal #{s.id} updated.")
