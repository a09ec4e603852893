"""What a signal becomes, as data: its checks (kind, parameters, description), the IFEval
instruction ids that measure each, or "judged by the model", with a confidence. One reading
(`core.signals.understand`) serves the pick, the verifiable judge and `personaco signal
explain`; this module only describes it, and measures it on a list of phrasings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.reflectors import polarity
from ..core.signals import Understanding, understand
from ..core.signals.mood import is_wish
from ..core.types import Reading
from ..engines.base import Engine
from .ifeval import ifeval_for_check

JUDGED_BY_MODEL = "judged by the model"

_WHY_NONE = {
    "vetoed": "it reads as a fact about you or a wish no rule can check, not a rule for answers",
    "none": "no rule can check it",
    "user": "you chose to have the model judge it",
}
_READ_BY = {"rules": "the rules parser", "classifier": "the signal classifier", "user": "you"}


def _jsonable(v: object) -> Any:
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def explain(text: str, reading: Reading | None = None) -> dict[str, Any]:
    """The JSON of `personaco signal explain`; `reading` is the user's correction, if any."""
    u = understand(text, reading)
    whole = ifeval_for_check(u.check) if u.check is not None else None
    own = [sorted({c["instruction_id"] for c in ifeval_for_check(part) or []}) for part in u.parts]
    # a checker only the parts together map to ("3 paragraphs" with "the second starts with
    # 'However'": one nth-paragraph check) belongs to each part that has none of its own
    together = sorted({c["instruction_id"] for c in whole or []} - {i for ids in own for i in ids})
    checks = [
        {
            "kind": part.kind,
            "params": _jsonable(dict(part.params)),
            "description": part.description,
            "ifeval": ids or together,
        }
        for part, ids in zip(u.parts, own, strict=True)
    ]
    return {
        "signal": text,
        "checkable": u.checkable,
        "checks": checks,
        # the verifiable judge scores the signal only when every check has an IFEval checker
        "verifiable": whole is not None,
        # the IFEval checkers of the whole signal (one may cover two parts: a number of
        # paragraphs and one paragraph's first word are a single IFEval check)
        "ifeval": sorted({c["instruction_id"] for c in whole or []}),
        "confidence": round(u.confidence, 3),
        "source": u.source,
        "judged_by": "rules" if u.checkable else JUDGED_BY_MODEL,
        **(
            {}
            if u.checkable
            else {
                "why": _WHY_NONE.get(u.source, _WHY_NONE["none"]),
                "read_as": "wish" if is_wish(text) else "fact",
            }
        ),
    }


_READ_AS = {
    "wish": "Read as a wish about the answers: the persona reflector scores each answer by how "
    "much reading the wish first makes it likely.",
    "fact": "Read as a fact about you: the persona reflector scores each answer by how the "
    "model, playing you, would reply to it.",
}


def fact_reading(engine: Engine, text: str) -> dict[str, Any]:
    """How the loaded model reads a fact (core/reflectors/polarity.py): whether it rules
    something out, with P(rules something out). Raises EngineError where the engine cannot
    score text."""
    (p,) = polarity.of(engine).probabilities([text])
    return {"model": engine.name, "rules_out": p > polarity.THRESHOLD, "p_rules_out": round(p, 3)}


def describe_reading(reading: Mapping[str, Any]) -> str:
    """The fact reading in words."""
    p = f"P {reading['p_rules_out']:.2f}"
    if reading["rules_out"]:
        return (
            f"{reading['model']} reads it as a fact that rules something out ({p}): each answer "
            "is scored by how unlikely it makes your complaint “Hmm, that doesn't work for me "
            "because ...”."
        )
    return (
        f"{reading['model']} reads it as a fact that shapes the answer ({p}): each answer is "
        "scored by your “Thanks, that suits me perfectly because ...” against that complaint."
    )


def describe(u: Understanding, data: Mapping[str, Any]) -> list[str]:
    """Short lines in words for the human output."""
    conf = f"confidence {data['confidence']:.2f}"
    if not data["checkable"]:
        return [f"Judged by the model ({conf}): {data['why']}.", _READ_AS[data["read_as"]]]
    by = _READ_BY.get(u.source, "the signal classifier")
    lines = [f"Checked by rules ({conf}, read by {by}):"]
    for c in data["checks"]:
        ids = ", ".join(c["ifeval"]) if c["ifeval"] else "no IFEval checker measures this"
        lines.append(f"  - {c['description']} [{c['kind']}]; IFEval: {ids}")
    return lines


@dataclass
class Measure:
    """Recall on checkable phrasings (the expected IFEval id among the explained ones) and
    false positives on the others (checkable although nothing should be)."""

    recognised: int = 0
    checkable: int = 0
    false_positives: int = 0
    not_checkable: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"recognised {self.recognised} of {self.checkable} checkable, "
            f"{self.false_positives} false positives of {self.not_checkable}"
        )


def read_phrasings(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("signal"), str):
            raise ValueError(f"{path}:{n}: each line needs a JSON object with a 'signal' string")
        rows.append(row)
    return rows


def measure(rows: Iterable[Mapping[str, Any]]) -> Measure:
    m = Measure()
    for row in rows:
        data = explain(row["signal"])
        expect = row.get("expect")
        if expect:
            m.checkable += 1
            if expect in data["ifeval"] or any(expect in c["ifeval"] for c in data["checks"]):
                m.recognised += 1
            else:
                m.misses.append(row["signal"])
        else:
            m.not_checkable += 1
            if data["checkable"]:
                m.false_positives += 1
                m.wrong.append(row["signal"])
    return m
