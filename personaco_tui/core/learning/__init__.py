"""Learning the user over time from their choices (issue 14, part A).

- features.py: interpretable features of a candidate within its generation;
- model.py: the conditional-logit preference model (fit, utility, describe, JSON);
- proposals.py: `behaviour_proposals()`: signals suggested from behaviour, never added
  without the user's consent;
- how a learned model joins the pick: core/personaco.py (choose, learned_pick).
"""

from .features import FEATURES, ChoiceSet, featurize, text_features
from .model import Choice, PreferenceModel, fit
from .proposals import BehaviourChoice, Proposal, behaviour_proposals

__all__ = [
    "FEATURES",
    "BehaviourChoice",
    "Choice",
    "ChoiceSet",
    "PreferenceModel",
    "Proposal",
    "behaviour_proposals",
    "featurize",
    "fit",
    "text_features",
]
