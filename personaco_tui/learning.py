"""Learning a profile's preferences from its choices, as both front ends use it: read the
choices from the store, fit the model of core/learning, keep it, and hand it to the turn.

A choice is a pick ("pick another" in the why view: that candidate against the others of its
turn), a blind A/B rating tied to the profile (the chosen answer against the other), or one
that came with an imported profile (`personaco profile import`, kept as its choice set). The
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
from .core.types import Generation, Signal
from .errors import NotFoundError
from .store import generations as G
from .store import preferences as PR
from .store import profiles as P
from .store import suggestions as S
from .store.db import Store

# Choices a profile needs before a learned model is used in the pick (generation.learning
# = "learned"): with fewer, a single odd pick would steer every turn.
MIN_CHOICES = 5


@dataclass(frozen=True)
class StoredChoice:
    """One choice as the learner reads it, wherever it was made: the choice set, the answer
    chosen and, for a pick, the one the app had shown."""

    source: str  # "pick" | "rating"
    choice_set: ChoiceSet
    chosen: int
    shown: int | None = None

    @classmethod
    def rating(cls, chosen_text: str, other_text: str) -> StoredChoice:
        """A rating: the chosen answer first, against the other, both finished."""
        return cls("rating", ChoiceSet([chosen_text, other_text], [True, True]), 0)


@dataclass
class Observed:
    """A profile's choices, ready for the learner and for behaviour proposals."""

    choices: list[Choice]
    behaviour: list[BehaviourChoice]


def stored_choices(store: Store, profile_id: int) -> list[StoredChoice]:
    """Every choice of the profile since its last reset, oldest first: imported ones (made
    elsewhere, before), then picks, then ratings, each in the order made."""
    out: list[StoredChoice] = []
    for c in PR.list_imported(store, profile_id):
        try:
            cs = ChoiceSet.from_json(c.choice_set)
        except (ValueError, AssertionError):
            continue  # checked when imported; a hand-edited row is skipped
        out.append(StoredChoice(c.source, cs, c.chosen, c.shown))
    for pick in PR.list_picks(store, profile_id):
        try:
            gen: Generation = G.load_generation(store, pick.generation_id)
        except NotFoundError:
            continue
        out.append(StoredChoice("pick", ChoiceSet.of(gen), pick.chosen, pick.shown))
    for r in PR.list_ratings(store, profile_id):
        out.append(StoredChoice.rating(r.chosen_text, r.other_text))
    return [c for c in out if 0 <= c.chosen < len(c.choice_set.texts)]


def observed(store: Store, profile_id: int) -> Observed:
    """The profile's choices (stored_choices) as the learner and the proposals take them."""
    seen = Observed([], [])
    for c in stored_choices(store, profile_id):
        seen.choices.append(Choice(featurize(c.choice_set), c.chosen, c.source))
        seen.behaviour.append(BehaviourChoice(c.choice_set.texts, c.chosen, c.shown))
    return seen


def n_choices(store: Store, profile_id: int) -> int:
    """How many choices the profile has since its last reset (without reading them)."""
    return sum(
        len(f(store, profile_id)) for f in (PR.list_picks, PR.list_ratings, PR.list_imported)
    )


def refit(store: Store, profile_id: int) -> PreferenceModel:
    """Fit the profile's model from its choices now and keep it."""
    seen = observed(store, profile_id)
    model = fit(seen.choices)
    PR.save_model(store, profile_id, model.to_json(), len(seen.choices))
    return model


def current(store: Store, profile_id: int) -> PreferenceModel | None:
    """The profile's model, refitted first when choices were added or forgotten since the
    stored fit; None when it has no choices."""
    n = n_choices(store, profile_id)
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


def add_proposal(store: Store, profile_id: int, proposal: Proposal) -> Signal:
    """The user said yes to a proposal: add it as a signal, recorded as an accepted
    suggestion from behaviour (so it is never proposed again). A text the user dismissed
    before is added all the same, since this yes is explicit; one the profile already has
    as a signal is not added twice."""
    norm = S.fold(proposal.text)
    with store.transaction():
        for signal in P.list_signals(store, profile_id):
            if S.fold(signal.text) == norm:
                return signal
        made = S.add_suggestion(store, profile_id, proposal.text, "behaviour", proposal.evidence)
        if made is None:  # offered before: still open, or dismissed
            made = next(
                (x for x in S.list_suggestions(store, profile_id) if S.fold(x.text) == norm), None
            )
        if made is None:
            return P.add_signal(store, profile_id, proposal.text)
        accepted = S.accept_suggestion(store, made.id)
        assert accepted.signal_id is not None  # accepting always makes the signal
        return P.get_signal(store, accepted.signal_id)
