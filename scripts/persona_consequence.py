"""Can the bundled model say what a persona fact asks of an answer? If it could ("I'm reading
this on my smartwatch." -> "Keep it short."), the rules could check the instruction it
writes. Prints, for every fact of the given sets, the instruction the model writes greedily
after three examples of other facts (none of a kind in the project's persona sets).

    export PERSONACO_MODEL_N_THREADS=1
    python scripts/persona_consequence.py ../shared/eval/implicit/dev.jsonl \
        tests/data/persona_dev/dev.jsonl tests/data/persona_holdout/dev.jsonl

About a second a fact on one thread."""

from __future__ import annotations

import json
import sys

from personaco_tui.engines.base import ChatMessage, SamplingParams
from personaco_tui.runtime import Runtime

SYSTEM = "You turn what a person says about themselves into one instruction for answering them."
SHOTS = (
    ("I'm on a tight budget this month.", "Suggest only cheap or free options."),
    (
        "I use a screen reader because I'm blind.",
        "Do not rely on images or tables; describe everything in plain text.",
    ),
    ("I've been a nurse for twenty years.", "Use medical terms freely and skip the basics."),
)


def messages(fact: str) -> list[ChatMessage]:
    out: list[ChatMessage] = [{"role": "system", "content": SYSTEM}]
    for said, instruction in SHOTS:
        out += [{"role": "user", "content": said}, {"role": "assistant", "content": instruction}]
    return [*out, {"role": "user", "content": fact}]


def main(paths: list[str]) -> None:
    engine = Runtime.open().load_engine(None)
    greedy = SamplingParams(temperature=0.0, top_k=1, max_tokens=30)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    item = json.loads(line)
                    kind = item["checks"][0]["kind"]
                    for fact in item["signals"]:
                        said = engine.sample(messages(fact), 1, greedy)[0].text
                        print(f"{kind}\t{fact}\t{said}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
