"""`personaco profile …`: profiles and their personalization signals."""

from __future__ import annotations

import json
import shlex
from typing import Any

import click

from ..core.signals import ReadingError, make_reading, understand
from ..core.signals.conflicts import conflicts_of
from ..core.signals.kinds import parse_param_args
from ..core.types import Reading, Signal
from ..errors import NotFoundError, PersonacoError
from ..store import profiles as P
from .common import echo, echo_json, open_runtime
from .ids import ID, find_profile

_CHECK_HELP = "Read the signal as this check (see: personaco signal kinds)."
_PARAM_HELP = "A parameter of --check, name=value; repeat for more (e.g. --param n=40)."
_MODEL_HELP = 'Mark the signal "judge by the model": no rule checks it.'


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
            f"Switch first, e.g. personaco profile use {shlex.quote(others[0])}"
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


def _reading_words(reading: Reading | None) -> str:
    if reading is None:
        return ""
    if reading.by_model:
        return "  (reading: judged by the model)"
    if reading.sample is not None:
        return f"  (writing sample, {len(reading.sample.split())} words: scored by style)"
    params = " ".join(f"{k}={_param_text(v)}" for k, v in reading.params)
    return f"  (reading: {reading.kind}{' ' + params if params else ''})"


def _param_text(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _signal_json(s: Signal) -> dict[str, Any]:
    u = understand(s.as_text)
    return {
        "id": s.id,
        "text": s.text,
        "enabled": s.enabled,
        "weight": s.weight,
        "reading": s.reading.to_json() if s.reading is not None else None,
        "checkable": u.checkable,
        "checks": [{"kind": c.kind, "description": c.description} for c in u.parts],
        "source": u.source,
    }


def _show(rt, name: str | None, as_json: bool = False) -> None:
    p = find_profile(rt, name) if name else P.ensure_default_profile(rt.store)
    if as_json:
        signals = P.list_signals(rt.store, p.id)
        data = {"profile": p.name, "id": p.id, "signals": [_signal_json(s) for s in signals]}
        echo_json(json.dumps(data, ensure_ascii=False))
        return
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
        echo(f"  {box} #{s.id}  {s.text}{weight}{_reading_words(s.reading)}")


@profile_group.command("show")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(name: str | None, as_json: bool) -> None:
    """Show a profile's signals ([x] on, [ ] off) with their ids."""
    _show(open_runtime(), name, as_json)


def _chosen_reading(check: str | None, params: tuple[str, ...], by_model: bool) -> Reading | None:
    """The reading the options ask for; None when they ask for none (automatic)."""
    if check is not None and by_model:
        raise PersonacoError("Give --check or --judge-by-model, not both.")
    if params and check is None:
        raise PersonacoError("--param goes with --check KIND.", "See: personaco signal kinds")
    try:
        if by_model:
            return make_reading("model")
        if check is not None:
            return make_reading(check, parse_param_args(params))
    except ReadingError as e:
        raise PersonacoError(str(e), "See: personaco signal kinds") from None
    return None


def warn_conflicts(rt, signal: Signal) -> None:
    """One line per enabled signal that `signal` (just added or switched on) conflicts with."""
    if not signal.enabled:
        return
    enabled = P.list_signals(rt.store, signal.profile_id, enabled_only=True)
    index = next((i for i, s in enumerate(enabled) if s.id == signal.id), None)
    if index is None:
        return
    for c in conflicts_of(index, [understand(s.as_text) for s in enabled]):
        other = enabled[c.b if c.a == index else c.a]
        echo(
            f"Warning: signal #{signal.id} “{signal.text}” conflicts with #{other.id} "
            f"“{other.text}”: {c.reason}.",
            err=True,
        )


@profile_group.command("add-signal")
@click.argument("name")
@click.argument("text")
@click.option("--weight", type=float, default=None, help="Optional weight of this signal.")
@click.option("--check", "check", metavar="KIND", default=None, help=_CHECK_HELP)
@click.option("--param", "params", metavar="NAME=VALUE", multiple=True, help=_PARAM_HELP)
@click.option("--judge-by-model", "by_model", is_flag=True, help=_MODEL_HELP)
def add_signal(
    name: str,
    text: str,
    weight: float | None,
    check: str | None,
    params: tuple[str, ...],
    by_model: bool,
) -> None:
    """Add a personalization signal to profile NAME; --check or --judge-by-model correct
    how it is read (default: read automatically, see `personaco signal explain`)."""
    reading = _chosen_reading(check, params, by_model)
    rt = open_runtime()
    p = find_profile(rt, name)
    s = P.add_signal(rt.store, p.id, text, weight=weight, reading=reading)
    echo(f"Added signal #{s.id} to {p.name}.")
    warn_conflicts(rt, s)


@profile_group.command("set-reading")
@click.argument("name")
@click.argument("signal_id", metavar="ID", type=ID)
@click.option("--check", "check", metavar="KIND", default=None, help=_CHECK_HELP)
@click.option("--param", "params", metavar="NAME=VALUE", multiple=True, help=_PARAM_HELP)
@click.option("--judge-by-model", "by_model", is_flag=True, help=_MODEL_HELP)
@click.option("--auto", "auto", is_flag=True, help="Forget the correction: read it automatically.")
def set_reading(
    name: str,
    signal_id: int,
    check: str | None,
    params: tuple[str, ...],
    by_model: bool,
    auto: bool,
) -> None:
    """Correct how signal ID is read: --check KIND [--param k=v ...], --judge-by-model, or
    --auto to go back to the automatic reading."""
    reading = _chosen_reading(check, params, by_model)
    if auto == (reading is not None):
        raise PersonacoError("Give exactly one of --check KIND, --judge-by-model or --auto.")
    rt = open_runtime()
    s = _signal_of(rt, name, signal_id)
    s = P.set_signal_reading(rt.store, s.id, reading)
    shown = _reading_words(s.reading).strip() or "(reading: automatic)"
    echo(f"Signal #{s.id} {shown[1:-1]}.")
    warn_conflicts(rt, s)


def _signal_of(rt, name: str, signal_id: int):
    p = find_profile(rt, name)
    s = P.get_signal(rt.store, signal_id)
    if s.profile_id != p.id:
        raise NotFoundError(
            f"Profile {p.name} has no signal #{signal_id}: it belongs to another profile.",
            f"See its signals with: personaco profile show {shlex.quote(p.name)}",
        )
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
    s = P.set_signal_enabled(rt.store, s.id, enabled)
    echo(f"Signal #{s.id} is now {'on' if enabled else 'off'}.")
    warn_conflicts(rt, s)


@profile_group.command("edit-signal")
@click.argument("name")
@click.argument("signal_id", metavar="ID", type=ID)
@click.argument("text")
def edit_signal(name: str, signal_id: int, text: str) -> None:
    """Replace the text of signal ID."""
    rt = open_runtime()
    s = _signal_of(rt, name, signal_id)
    s = P.edit_signal(rt.store, s.id, text)
    echo(f"Signal #{s.id} updated.")
    warn_conflicts(rt, s)
