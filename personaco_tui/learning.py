"""Learning a profile's preferences from its choices, as both front ends use it: read the
choices from the store, fit the model of core/learning, keep it, and hand it to the turn.

A choice is a pick ("pick another" in the why view: that candidate against the others of its
turn) or a blind A/B rating tied to the profile (the chosen answer against the other). The
model is refitted when the number of choices changed since the stored fit, so a pick is
learned from on the next turn. Nothing learned leaves the machine: it is in the SQLite store,
shown by `personaco profile learned`, reset by `--reset`, exported by `--json`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.learning import (
    BehaviourChoice,
    Choice,
    ChoiceSet,
    PreferenceModel,
    Proposal,
    behaviour_proposals,
    featurize,
    fit,
)
from .core.types import Generation
from .errors import NotFoundError
from .store import generations as G
from .store import preferences as PR
from .store import profiles as P
from .store.db import Store

# Choices a profile needs before a learned model is used in the pick (generation.learning
# = "learned"): with fewer, a single odd pick would steer every turn.
MIN_CHOICES = 5


@dataclass
class Observed:
    """A profile's choices, ready for the learner and for behaviour proposals."""

    choices: list[Choice]
    behaviour: list[BehaviourChoice]


def observed(store: Store, profile_id: int) -> Observed:
    """Every choice of the profile since its last reset, oldest first (picks, then
    ratings; each in the order made)."""
    choices: list[Choice] = []
    behaviour: list[BehaviourChoice] = []
    for pick in PR.list_picks(store, profile_id):
        try:
            gen: Generation = G.load_generation(store, pick.generation_id)
        except NotFoundError:
            continue
        if not 0 <= pick.chosen < len(gen.candidates):
            continue
        choices.append(Choice(featurize(ChoiceSet.of(gen)), pick.chosen, "pick"))
        behaviour.append(BehaviourChoice([c.text for c in gen.candidates], pick.chosen, pick.shown))
    for r in PR.list_ratings(store, profile_id):
        pair = ChoiceSet([r.chosen_text, r.other_text], [True, True])
        choices.append(Choice(featurize(pair), 0, "rating"))
        behaviour.append(BehaviourChoice([r.chosen_text, r.other_text], 0))
    return Observed(choices, behaviour)


def refit(store: Store, profile_id: int) -> PreferenceModel:
    """Fit the profile's model from its choices now and keep it."""
    seen = observed(store, profile_id)
    model = fit(seen.choices)
    PR.save_model(store, profile_id, model.to_json(), len(seen.choices))
    return model


def current(store: Store, profile_id: int) -> PreferenceModel | None:
    """The profile's model, refitted first when choices were added or forgotten since the
    stored fit; None when it has no choices."""
    n = len(PR.list_picks(store, profile_id)) + len(PR.list_ratings(store, profile_id))
    learned = PR.get_learned(store, profile_id)
    if n == 0:
        return None
    if learned.model is not None and learned.n_choices == n:
        try:
            return PreferenceModel.from_json(learned.model)
        except ValueError:
            pass  # a model of another version: fit again
    return refit(store, profile_id)


def for_turn(store: Store, profile_id: int | None, setting: str) -> PreferenceModel | None:
    """The model a turn of `profile_id` uses: None when learning is off, the profile unknown,
    or it has fewer than MIN_CHOICES choices."""
    if setting != "learned" or profile_id is None:
        return None
    model = current(store, profile_id)
    return model if model is not None and model.n_choices >= MIN_CHOICES else None


def proposals(store: Store, profile_id: int) -> list[Proposal]:
    """Signals the profile's choices suggest (never added here): for part B's suggestions.
    A behaviour one of the profile's signals already checks is not proposed."""
    existing = [s.text for s in P.list_signals(store, profile_id)]
    return behaviour_proposals(observed(store, profile_id).behaviour, existing)
