"""A profile as one JSON document, to take to another machine: `personaco profile export` and
`personaco profile import`.

The document holds the profile's name, its signals (text, on or off, weight, reading), what
it learned (the model's JSON, how many choices, the summary in words), the choices themselves
as the learner reads them (picks: the candidates' texts, whether each finished, the signals'
cells, the answer chosen and the one shown; ratings: the chosen and the other answer), and
its suggestions with their status. No setting of the config and no conversation is in it.

Import makes a new profile from it in one transaction: the signals and suggestions, the
choices (kept as imported choices, learned from with the new profile's own), and the model as
given. A file that is not one of ours, of another version, or broken anywhere is refused with
one line before anything is written (profile_check.py reads it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import learning
from .core.types import Profile, Reading
from .learned_view import NOTHING_YET
from .profile_check import FORMAT, VERSION, ProfileFile
from .store import preferences as PR
from .store import profiles as P
from .store import suggestions as S
from .store.db import Store, utc_now


def _choice_json(c: learning.StoredChoice) -> dict[str, Any]:
    cs = c.choice_set
    if c.source == "rating":
        return {"kind": "rating", "chosen_text": cs.texts[0], "other_text": cs.texts[1]}
    return {
        "kind": "pick",
        "candidates": cs.texts,
        "finished": cs.finished,
        "signals": cs.signals,
        "cells": cs.cells,
        "chosen": c.chosen,
        "shown": c.shown,
    }


def export_profile(store: Store, profile: Profile) -> dict[str, Any]:
    """The whole profile as one JSON-ready document (refits its model first if choices
    changed since the last fit)."""
    model = learning.current(store, profile.id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_now(),
        "profile": profile.name,
        "signals": [
            {
                "text": s.text,
                "enabled": s.enabled,
                "weight": s.weight,
                "reading": None if s.reading is None else s.reading.to_json(),
            }
            for s in P.list_signals(store, profile.id)
        ],
        "learned": {
            "n_choices": 0 if model is None else model.n_choices,
            "summary": NOTHING_YET if model is None else model.summary(),
            "preferences": [] if model is None else model.describe(),
            "model": None if model is None else model.to_json(),
        },
        "choices": [_choice_json(c) for c in learning.stored_choices(store, profile.id)],
        "suggestions": [
            {"text": s.text, "status": s.status, "source": s.source, "evidence": s.evidence}
            for s in S.list_suggestions(store, profile.id, status=None)
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class Imported:
    profile: Profile
    signals: int
    suggestions: int
    choices: int
    model_kept: bool  # the file's model was stored as given


def import_profile(store: Store, pf: ProfileFile, name: str | None = None) -> Imported:
    """Create a new profile from `pf` (named `name`, else as in the file), all in one
    transaction: a name that is taken or any text the store refuses leaves nothing behind."""
    with store.transaction():
        p = P.create_profile(store, name if name is not None else pf.name)
        for s in pf.signals:
            reading = None if s.reading is None else Reading.from_json(s.reading)
            P.add_signal(store, p.id, s.text, s.weight, reading, enabled=s.enabled)
        made = [
            S.restore_suggestion(store, p.id, x.text, x.source, x.evidence, x.status)
            for x in pf.suggestions
        ]
        PR.add_imported_choices(
            store,
            p.id,
            [
                PR.ImportedChoice(c.source, c.choice_set.to_json(), c.chosen, c.shown)
                for c in pf.choices
            ],
        )
        n = learning.n_choices(store, p.id)
        keep = pf.model is not None and n > 0  # a model with no choices has nothing to go on
        if keep:
            assert pf.model is not None
            PR.save_model(store, p.id, pf.model, n)
    return Imported(p, len(pf.signals), sum(m is not None for m in made), n, keep)
