"""The `rules` reflector: deterministic checks for the signals that state something checkable;
"not checkable" (score None) for the others, so another reflector can take those cells."""

from __future__ import annotations

import logging

from ....engines.base import CancelToken, Progress, TurnProgressFn
from ....errors import Cancelled
from ...types import ReflectionCell
from ..base import ReflectionInput

log = logging.getLogger(__name__)

NOT_CHECKABLE = "not checkable"


class RulesReflector:
    name = "rules"

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        # The same reading as the verifiable judge's. Imported here: core.signals builds on
        # this package, which must finish loading first.
        from ...signals import understood_check

        checks = [understood_check(s) for s in inp.signals]
        total = len(inp.candidates) * len(inp.signals)
        cells: list[ReflectionCell] = []
        for i, answer in enumerate(inp.candidates):
            for j, check in enumerate(checks):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if check is None:
                    cell = ReflectionCell(i, j, None, self.name, NOT_CHECKABLE)
                else:
                    try:
                        ok = check.check(answer)
                    except Exception:  # a check must never break a generation
                        log.exception("rules check %s failed", check.kind)
                        cell = ReflectionCell(i, j, None, self.name, f"{check.description}: error")
                    else:
                        verdict = "passed" if ok else "failed"
                        cell = ReflectionCell(
                            i, j, 1.0 if ok else 0.0, self.name, f"{check.description}: {verdict}"
                        )
                cells.append(cell)
                if on_progress is not None:
                    on_progress(Progress("reflect", candidate=i, done=len(cells), total=total))
        return cells
