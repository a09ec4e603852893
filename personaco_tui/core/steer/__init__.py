"""Steering generation toward the signals (issue 13): a `SteerPlan` built from the signals'
checks says per signal what is enforced and how; a `Controller` per sequence turns the plan
into per-token `Directive`s (banned characters and token classes, text to force, whether the
end is banned, word boosts) and a `potential(text)` for SMC weighting. Pure Python: engines
map directives onto their vocabularies (engines/llama_steer.py).

    plan = build_plan(signals)            # before generation; plan.conflicts for the user
    ctrl = Controller(plan, max_tokens, measure=lambda s: len(engine.tokenize(s)))
    d = ctrl.next(text_so_far, tokens_left)   # or ctrl.eog(...) when the model ends
"""

from .controller import Act, Controller, Directive, Record, rough_tokens
from .events import SteerEvent, act_event, held_back, resample_event
from .plan import Limit, SignalSteer, Span, SteerPlan, build_plan, skeleton
from .tokens import CLASSES, banned, recased, starts_word, token_classes

__all__ = [
    "CLASSES",
    "Act",
    "Controller",
    "Directive",
    "Limit",
    "Record",
    "SignalSteer",
    "Span",
    "SteerEvent",
    "SteerPlan",
    "act_event",
    "banned",
    "build_plan",
    "held_back",
    "recased",
    "resample_event",
    "rough_tokens",
    "skeleton",
    "starts_word",
    "token_classes",
]
