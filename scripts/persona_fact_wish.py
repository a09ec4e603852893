"""Could a fact be read as the wish it implies? The bundled model completes the plain-text cloze
"FACT So when you explain something to me, use" ("I'm a 9-year-old kid." -> "simple language
and avoid jargon", "I live in Germany." -> "the German language"), and "Use COMPLETION." is
read as the persona reflector reads a wish: how much it raises each answer's log-likelihood
after the question. Re-scores the stored candidates of a `personaco generate` output and
writes one output per way (the cells in the matrix, the pick with the product's helpfulness
term after the question alone), for `score.py` beside the set's checks:

- `now`: the product's cells (the user's two replies naming the fact);
- `wish`: the derived wish's gain alone;
- `both`: the mean of the two cells.

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit
    python scripts/persona_fact_wish.py $S/dev.jsonl imp.jsonl fw
    python ../shared/eval/score.py $S/dev.jsonl base.jsonl fw.wish.jsonl

About 10 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import sys

import rescore

from personaco_tui.core.reflectors import persona
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.runtime import Runtime

CLOZE = "{fact} So when you explain something to me, use"
WAYS = ("now", "wish", "both")


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    engine = Runtime.open().load_engine(None)
    reflector = persona.PersonaReflector(engine)
    lm = rescore.text_model()
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], WAYS)
        for row, texts, query, signals, prompt, add in rescore.each(engine, items, rows):
            cols: dict[str, list[list[float]]] = {w: [] for w in WAYS}
            wishes = []
            for fact in signals:
                fact = fact.strip() + ("" if fact.strip()[-1:] in ".!?" else ".")
                out = lm(CLOZE.format(fact=fact), max_tokens=12, temperature=0, stop=["\n", "."])
                wish = f"Use {out['choices'][0]['text'].strip()}."
                wishes.append(wish)
                one = ReflectionInput(prompt, query, texts, [fact])
                now = reflector._fact_columns(one, [0], None)[0]
                gain = reflector._wish_gains(
                    ReflectionInput(prompt, query, texts, [wish]), [0], None
                )
                cols["now"].append([s for s, _ in persona.margin_score(now)])
                cols["wish"].append([s for s, _ in persona.margin_score(gain[0])])
                cols["both"].append(
                    [(a + b) / 2 for a, b in zip(cols["now"][-1], cols["wish"][-1], strict=True)]
                )
            rescore.write_picks(outs, row, add, cols)
            print(row["id"], wishes, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
