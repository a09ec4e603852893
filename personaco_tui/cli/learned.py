"""`personaco profile learned`: what a profile's choices taught, in words (the same view as
the app's F9 screen, learned_view.py); reset; JSON; add a proposal as a signal."""

from __future__ import annotations

import json

import click

from .. import learning
from ..errors import PersonacoError
from ..learned_view import learned_view
from ..store import preferences as PR
from ..store import profiles as P
from .common import echo, echo_json, open_runtime
from .ids import ID, find_profile
from .profile import profile_group


@profile_group.command("learned")
@click.argument("name", required=False)
@click.option("--reset", is_flag=True, help="Forget what was learned (your choices stay stored).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole model as one JSON object.")
@click.option("--add", "add", type=ID, metavar="N", help="Add proposal N (as listed) as a signal.")
def learned(name: str | None, reset: bool, as_json: bool, add: int | None) -> None:
    """What PersonaCo learned from your choices (picks in the why view, your A/B ratings)."""
    rt = open_runtime()
    p = find_profile(rt, name) if name else P.ensure_default_profile(rt.store)
    if reset:
        n = PR.reset(rt.store, p.id)
        echo(f"Forgot what profile {p.name} learned from {n} choices; learning starts again.")
        return
    view = learned_view(rt.store, p, rt.settings.generation.learning)
    if add is not None:
        if add > len(view.proposals):
            raise PersonacoError(
                f"Profile {p.name} has no proposal {add} ({len(view.proposals)} listed).",
                f"See them with: personaco profile learned {p.name}",
            )
        s = learning.add_proposal(rt.store, p.id, view.proposals[add - 1])
        echo(f"Added signal #{s.id} “{s.text}” to {p.name}.")
        return
    if as_json:
        echo_json(json.dumps(view.to_json(), ensure_ascii=False))
        return
    echo(f"Profile {p.name}")
    echo(f"  {view.summary()}")
    echo(f"  {view.usage()}")
    for i, prop in enumerate(view.proposals, 1):
        echo(f'  Proposal {i}: add "{prop.text}"? {prop.evidence}')
    for x in view.suggestions:
        echo(f'  Suggestion #{x.id}: "{x.text}" (from {x.source})')
    if view.proposals:
        echo(f"Add a proposal with: personaco profile learned {p.name} --add N")
    if view.suggestions:
        echo("Accept a suggestion with: personaco profile suggestions accept ID (or dismiss ID).")
