"""What a profile's choices taught, as both front ends show it: `personaco profile learned`
and the app's "What I learned" screen (F9) read one LearnedView and say it in the same words.

The view holds the learned model (refitted first when choices changed), whether the pick uses
it, the behaviour proposals that are not yet stored as suggestions, and the open suggestions
(from the user's words and from their behaviour) waiting for a yes or a no.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import learning
from .core.learning import PreferenceModel, Proposal
from .core.types import Profile, Suggestion
from .store import suggestions as S
from .store.db import Store

NOTHING_YET = "Nothing learned yet: pick another answer in the why view (F2) to teach it."


@dataclass(frozen=True)
class LearnedView:
    profile: Profile
    setting: str  # generation.learning: "learned" | "off"
    model: PreferenceModel | None
    proposals: list[Proposal]  # from behaviour, not yet offered as suggestions
    suggestions: list[Suggestion]  # open ones, oldest first

    @property
    def n_choices(self) -> int:
        return 0 if self.model is None else self.model.n_choices

    @property
    def used_in_pick(self) -> bool:
        return self.setting == "learned" and self.n_choices >= learning.MIN_CHOICES

    def summary(self) -> str:
        """The model in one sentence, or how to teach it when nothing was learned."""
        return NOTHING_YET if self.model is None else self.model.summary()

    def preferences(self) -> list[str]:
        return [] if self.model is None else self.model.describe()

    def usage(self) -> str:
        """Whether, and from when, the pick uses what was learned."""
        if self.setting != "learned":
            return "Learning is off (generation.learning = off): the pick ignores it."
        if not self.used_in_pick:
            n, least = self.n_choices, learning.MIN_CHOICES
            return f"Used in the pick from {least} choices on ({n} so far)."
        return "Used in the pick, after your signals."

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile.name,
            "setting": self.setting,
            "choices": self.n_choices,
            "min_choices": learning.MIN_CHOICES,
            "used_in_pick": self.used_in_pick,
            "summary": None if self.model is None else self.model.summary(),
            "preferences": self.preferences(),
            "model": None if self.model is None else self.model.to_json(),
            "proposals": [
                {
                    "text": x.text,
                    "evidence": x.evidence,
                    "n_consistent": x.n_consistent,
                    "n_total": x.n_total,
                }
                for x in self.proposals
            ],
            "suggestions": [
                {"id": s.id, "text": s.text, "source": s.source, "evidence": s.evidence}
                for s in self.suggestions
            ],
        }


def learned_view(store: Store, profile: Profile, setting: str) -> LearnedView:
    """The view of `profile` now (may refit its model: run it off the UI thread)."""
    model = learning.current(store, profile.id)
    offered = {S.fold(s.text) for s in S.list_suggestions(store, profile.id, status=None)}
    fresh = [p for p in learning.proposals(store, profile.id) if S.fold(p.text) not in offered]
    return LearnedView(profile, setting, model, fresh, S.list_suggestions(store, profile.id))
