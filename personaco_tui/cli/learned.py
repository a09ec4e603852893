"""`personaco profile learned`: what a profile's choices taught, in words; reset; JSON."""

from __future__ import annotations

import json

import click

from .. import learning
from ..store import preferences as PR
from ..store import profiles as P
from .common import echo, echo_json, open_runtime
from .ids import find_profile
from .profile import profile_group


@profile_group.command("learned")
@click.argument("name", required=False)
@click.option("--reset", is_flag=True, help="Forget what was learned (your choices stay stored).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole model as one JSON object.")
def learned(name: str | None, reset: bool, as_json: bool) -> None:
    """What PersonaCo learned from your choices (picks in the why view, your A/B ratings)."""
    rt = open_runtime()
    p = find_profile(rt, name) if name else P.ensure_default_profile(rt.store)
    if reset:
        n = PR.reset(rt.store, p.id)
        echo(f"Forgot what profile {p.name} learned from {n} choices; learning starts again.")
        return
    model = learning.current(rt.store, p.id)
    setting = rt.settings.generation.learning
    n = 0 if model is None else model.n_choices
    used = setting == "learned" and n >= learning.MIN_CHOICES
    proposals = learning.proposals(rt.store, p.id)
    if as_json:
        data = {
            "profile": p.name,
            "setting": setting,
            "choices": n,
            "min_choices": learning.MIN_CHOICES,
            "used_in_pick": used,
            "summary": None if model is None else model.summary(),
            "preferences": [] if model is None else model.describe(),
            "model": None if model is None else model.to_json(),
            "proposals": [
                {
                    "text": x.text,
                    "evidence": x.evidence,
                    "n_consistent": x.n_consistent,
                    "n_total": x.n_total,
                }
                for x in proposals
            ],
        }
        echo_json(json.dumps(data, ensure_ascii=False))
        return
    echo(f"Profile {p.name}")
    if model is None:
        echo("  Nothing learned yet: pick another answer in the why view (F2) to teach it.")
    else:
        echo(f"  {model.summary()}")
    if setting != "learned":
        echo("  Learning is off (generation.learning = off): the pick ignores it.")
    elif not used:
        echo(f"  Used in the pick from {learning.MIN_CHOICES} choices on ({n} so far).")
    else:
        echo("  Used in the pick, after your signals.")
    for x in proposals:
        echo(f'  Proposal: add "{x.text}"? {x.evidence}')
