"""Do other generation prompts make more candidates fit persona facts? Samples k answers per
question under each prompt on the bundled model (no scoring, no pick) and judges them with a
set's own checks: persona checks (`checks` per item, a `check(spec, text)` module) or the
`answer` regex.

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit D=tests/data/persona_dev
    python scripts/persona_prompts.py $S/dev.jsonl $S/checks.py
    python scripts/persona_prompts.py $D/dev.jsonl $D/checks.py
    python scripts/persona_prompts.py tests/data/persona_guard.jsonl

Prints, per prompt, the fit of a random candidate (the mean over the k) and the oracle (any
of the k fits), over the set's signals. About 3 minutes a prompt per 10 questions on 2 cores."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable

from personaco_tui.core.prompts import join_signals, personalization_prompt
from personaco_tui.engines.base import ChatMessage, SamplingParams
from personaco_tui.runtime import Runtime

ACKNOWLEDGED = "Thanks for telling me. I'll keep that in mind in my answers."

PROMPTS: dict[str, Callable[[str, list[str]], list[ChatMessage]]] = {
    "paper (the model's own system prompt)": lambda q, s: [
        {"role": "user", "content": personalization_prompt(q, s)}
    ],
    "paper, a neutral system prompt": lambda q, s: [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": personalization_prompt(q, s)},
    ],
    "the facts in the system prompt": lambda q, s: [
        {
            "role": "system",
            "content": "You are a helpful assistant. The user has told you this about "
            "themselves and how they want answers: " + join_signals(s),
        },
        {"role": "user", "content": q},
    ],
    "the facts as an earlier turn the assistant acknowledged, then the question": lambda q, s: [
        {"role": "user", "content": "A bit about me: " + join_signals(s)},
        {"role": "assistant", "content": ACKNOWLEDGED},
        {"role": "user", "content": q},
    ],
    "the question, then the facts in brackets": lambda q, s: [
        {"role": "user", "content": f"{q}\n\n(About me: {join_signals(s)})"}
    ],
}


def _judge(item: dict, checks_path: str | None) -> Callable[[str], list[bool]]:
    if checks_path is None:
        ok = re.compile(item["answer"], re.I).search
        return lambda text: [bool(ok(text))]
    spec = importlib.util.spec_from_file_location("checks", checks_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return lambda text: [bool(module.check(c, text)) for c in item["checks"]]


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    checks = argv[1] if len(argv) > 1 else None
    engine = Runtime.open().load_engine(None)
    params = SamplingParams(temperature=0.7, top_p=1.0, min_p=0.1, top_k=40, max_tokens=192)
    only = [w for w in os.environ.get("PROMPTS", "").split(",") if w]  # name prefixes
    for name, build in PROMPTS.items():
        if only and not any(name.startswith(w) for w in only):
            continue
        fit = oracle = n = 0.0
        for item in items:
            judge = _judge(item, checks)
            outs = engine.sample(build(item["query"], item["signals"]), 8, params)
            marks = [judge(o.text) for o in outs]
            for j in range(len(marks[0])):
                column = [m[j] for m in marks]
                fit += sum(column) / len(column)
                oracle += any(column)
                n += 1
        print(
            f"{name}: random {fit / n:.3f}, oracle {oracle / n:.3f} ({n:.0f} signals)", flush=True
        )


if __name__ == "__main__":
    main(sys.argv[1:])
