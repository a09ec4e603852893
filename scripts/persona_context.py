"""After which context should the persona replies and the question's likelihood be read?
Re-scores the stored candidates of a `personaco generate` output two ways and writes one
output per way, for `score.py` or `scripts/persona_guard.py`:

- `q` (the product): the answers after the question alone, as core/helpfulness.py and the
  persona reflector read them;
- `p`: the answers after the sampling prompt (the question with the signals), which is what
  sampling leaves in the engine's cache: read there, a turn would not decode the k answers
  again (about a fifth of a persona turn).

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit
    personaco generate --input $S/dev.jsonl --output imp.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_context.py $S/dev.jsonl imp.jsonl ctx
    python ../shared/eval/score.py $S/dev.jsonl base.jsonl ctx.q.jsonl   # and ctx.p.jsonl

About 10 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import IO

import rescore

from personaco_tui.core.helpfulness import NEUTRAL, addresses_scores
from personaco_tui.core.personaco import choose
from personaco_tui.core.prompts import personalization_prompt
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import PersonaReflector
from personaco_tui.engines.base import ChatMessage, Engine
from personaco_tui.runtime import Runtime


class AfterPrompt(PersonaReflector):
    """The user's replies read after the sampling prompt, not the question alone."""

    def _pairs(self, inp: ReflectionInput):  # type: ignore[no-untyped-def]
        # the product builds "the question alone" from inp.query: hand it the prompt instead
        prompt = inp.messages[-1]["content"]
        return super()._pairs(ReflectionInput(inp.messages, prompt, inp.candidates, inp.signals))


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as f:
        items = {d["id"]: d for d in map(json.loads, f) if d}
    engine = Runtime.open().load_engine(None)
    with open(argv[1], encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    with contextlib.ExitStack() as stack:
        outs = {
            w: stack.enter_context(open(f"{argv[2]}.{w}.jsonl", "w", encoding="utf-8"))
            for w in "qp"
        }
        for row in rows:
            _rescore(engine, items[row["id"]], row, outs)


def _rescore(engine: Engine, item: dict, row: dict, outs: dict[str, IO[str]]) -> None:
    texts, query = row["candidates"], item["query"]
    signals = [s for s in item["signals"] if s.strip()]
    prompt: list[ChatMessage] = [
        {"role": "user", "content": personalization_prompt(query, signals)}
    ]
    neutral = rescore.means(rescore.read(engine, [{"role": "user", "content": NEUTRAL}], texts))
    inp = ReflectionInput(prompt, query, texts, signals)
    ways = {
        "q": (PersonaReflector(engine), [{"role": "user", "content": query}]),
        "p": (AfterPrompt(engine), prompt),
    }
    for way, (reflector, context) in ways.items():
        gain = [
            a - b
            for a, b in zip(
                rescore.means(rescore.read(engine, context, texts)), neutral, strict=True
            )
        ]
        cells = reflector.score(inp)
        best, _ = choose(cells, len(texts), None, None, texts, addresses=addresses_scores(gain))
        matrix: list[list[float | None]] = [[None] * len(signals) for _ in texts]
        for c in cells:
            matrix[c.candidate][c.signal] = c.score
        out = {"id": row["id"], "response": texts[best], "candidates": texts, "matrix": matrix}
        outs[way].write(json.dumps(out) + "\n")
        outs[way].flush()
    print(row["id"], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
