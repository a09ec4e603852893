"""Would the candidates fit more often if each began by naming the person's facts back to them?
Runs `personaco generate` with one change: every persona fact (a signal no rule checks and
`mood` reads as a fact) is said back in the second person and forced as the answers'
opening, "Since you're vegetarian, ..." ("I live in Germany." -> "Since you live in
Germany,"), through the steering plan's forced prefix (so the plan's guided particle, a plain
answer after the opening, is one of the k).

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit
    python scripts/persona_opening.py generate --input $S/dev.jsonl --output op.jsonl \
        --k 8 --max-tokens 192 --seed 0
    python ../shared/eval/score.py $S/dev.jsonl base.jsonl op.jsonl

Takes the arguments of `personaco generate`."""

from __future__ import annotations

import re
import sys

import personaco_tui.core.personaco as turn
from personaco_tui.cli import entry
from personaco_tui.core.signals import understand
from personaco_tui.core.signals.mood import is_wish

_SECOND_PERSON = [
    (r"\bI'm\b", "you're"), (r"\bI am\b", "you are"), (r"\bI've\b", "you've"),
    (r"\bI'd\b", "you'd"), (r"\bI'll\b", "you'll"), (r"\bI\b", "you"), (r"\b[Mm]y\b", "your"),
    (r"\bme\b", "you"), (r"\bmyself\b", "yourself"), (r"\bmine\b", "yours"),
    (r"\b[Ww]e're\b", "you're"), (r"\b[Ww]e\b", "you"), (r"\b[Oo]ur\b", "your"),
    (r"\bus\b", "you"), (r"\bam\b", "are"), (r"\bwas\b", "were"),
]  # fmt: skip


def second_person(fact: str) -> str:
    """ "I'm vegetarian." -> "you're vegetarian" (pronouns and their verbs only)."""
    t = fact.strip().rstrip(".!").strip()
    for pattern, repl in _SECOND_PERSON:
        t = re.sub(pattern, repl, t)
    return t


def opening(facts: list[str]) -> str:
    # no space after the comma: the model's next token carries it (a forced trailing space
    # made it write a newline or a second space next)
    return f"Since {' and '.join(second_person(f) for f in facts)},"


_build_plan = turn.build_plan


def build_plan(signals, readings=None):  # type: ignore[no-untyped-def]
    plan = _build_plan(signals, readings)
    facts = [s for s in signals if not understand(s).parts and not is_wish(s)]
    if facts:
        plan.prefix.insert(0, opening(facts))
    return plan


if __name__ == "__main__":
    turn.build_plan = build_plan  # type: ignore[assignment]
    sys.argv = ["personaco", *sys.argv[1:]]
    entry()
