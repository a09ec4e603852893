"""Steering coverage, no model: each row's signals steer one fixed scripted text through the
controller (tests/support/steer_sim.py); the IFEval checkers (an independent judge, the
`if-verifiable` package, never imported by the product) score the result. This measures what
the plans can enforce at all, not model adherence.

usage: .venv/bin/python tests/data/steer_coverage.py SET.jsonl [SET.jsonl ...]"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.steer_sim import simulate  # noqa: E402

from personaco_tui.core.steer import build_plan  # noqa: E402

RAMBLE = (
    " The Capital of Spain is Madrid, a City with many Museums, Parks and Cafes. "
    "It is Known for its Art, Food and Nightlife. Many People visit every Year! "
) * 6


def ok(c: dict, text: str) -> bool:
    from if_verifiable.ifeval import instructions_registry as reg

    ins = reg.INSTRUCTION_DICT[c["instruction_id"]](c["instruction_id"])
    ins.build_description(**c["kwargs"])
    try:
        return bool(text.strip()) and bool(ins.check_following(text))
    except LookupError:  # the sentence checker needs nltk data a machine may lack
        return False


def main(paths: list[str]) -> None:
    script = re.findall(r"\s*\S+|\s+", RAMBLE)
    for path in paths:
        for budget in (192, 48):
            n = good = plain = 0
            fails: dict[str, int] = {}
            for line in Path(path).read_text().splitlines():
                row = json.loads(line)
                text, _ = simulate(build_plan(row["signals"]), script, budget)
                for c in row["checks"]:
                    n += 1
                    plain += ok(c, RAMBLE)
                    if ok(c, text):
                        good += 1
                    else:
                        fails[c["instruction_id"]] = fails.get(c["instruction_id"], 0) + 1
            print(
                f"{Path(path).name} budget={budget}: steered {good}/{n} = {good / n:.3f}, "
                f"unsteered script {plain}/{n}, failing {fails}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
