"""The verifiable judge: IFEval checkers decide each (query, signal) pair, with no API.

For a signal an IFEval checker can measure (see `ifeval.ifeval_checks`), each response either
satisfies it (passes every check) or not:

    A passes, B fails -> "A"        both pass -> "SAME"
    B passes, A fails -> "B"        both fail -> "SAME" (equally bad: the paper's SAME is
                                                 "both satisfy it to the same degree")

A signal no checker can measure is "N/A": this judge cannot say whether it applies or which
response satisfies it better. A checker that raises gives "INVALID" with the error as raw
text. The raw text of every other verdict is a small JSON object naming the checks and what
each response got, so an export shows why.

The verdict is about the true methods, so the order shown does not matter; it is still
stored as given, like every other judgment.
"""

from __future__ import annotations

import json
from functools import lru_cache

from .ifeval import Checkers, IFEvalCheck, ifeval_checks
from .judge import Judgment
from .verdicts import INVALID

NOT_CHECKABLE = "no IFEval checker measures this signal"


@lru_cache(maxsize=4096)
def _checks_for(signal: str) -> tuple[str, ...] | None:
    # cached as JSON text: the same signal is judged once per item and pass
    got = ifeval_checks(signal)
    return None if got is None else tuple(json.dumps(c, sort_keys=True) for c in got)


def checks_for(signal: str) -> list[IFEvalCheck] | None:
    """The IFEval checks for `signal`, or None when it is not checkable."""
    got = _checks_for(signal)
    return None if got is None else [json.loads(c) for c in got]


def verdict_from(a_passes: bool, b_passes: bool) -> str:
    if a_passes == b_passes:
        return "SAME"
    return "A" if a_passes else "B"


class VerifiableJudge:
    kind = "verifiable"
    model = "ifeval"
    concurrency = 1  # pure Python, CPU-bound: threads would only contend for the GIL

    def __init__(self, checkers: Checkers | None = None) -> None:
        self._checkers = checkers or Checkers("The verifiable judge")

    def __repr__(self) -> str:
        return "VerifiableJudge(model='ifeval')"

    def judge(self, query: str, signal: str, a: str, b: str, order: str = "AB") -> Judgment:
        checks = checks_for(signal)
        if checks is None:
            return Judgment("N/A", json.dumps({"note": NOT_CHECKABLE}), order)
        try:
            a_ok = all(self._checkers.passed(a, c) for c in checks)
            b_ok = all(self._checkers.passed(b, c) for c in checks)
        except Exception as e:  # a checker bug must not stop the session; keep it visible
            note = f"checker failed: {type(e).__name__}: {' '.join(str(e).split())[:200]}"
            return Judgment(INVALID, json.dumps({"checks": checks, "note": note}), order)
        raw = json.dumps({"checks": checks, "A": a_ok, "B": b_ok}, ensure_ascii=False)
        return Judgment(verdict_from(a_ok, b_ok), raw, order)

    def close(self) -> None:
        pass

    def __enter__(self) -> VerifiableJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
