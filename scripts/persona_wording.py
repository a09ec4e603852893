"""How should the user's two replies name a signal that is a wish, not a fact? The persona
reflector's replies read "Thanks, that suits me perfectly because I'm vegetarian.", which for
"Explain like I'm new to this." becomes "... because Explain like I'm new to this.". Re-scores
the stored candidates of a `personaco generate` output with the replies worded three ways
and writes one output per way (its cells in the matrix, the pick with the product's
helpfulness term), for `score.py`:

- `because` (the product): "LEAD SIGNAL";
- `asked`: "LEAD I told you: “SIGNAL”" (grammatical for a fact and for a wish alike);
- `wanted`: "Thanks, that's just what I wanted: “SIGNAL”" against "Hmm, that's not what I
  wanted: “SIGNAL”".

    export PERSONACO_MODEL_N_THREADS=1 S=tests/data/instructions_dev
    personaco generate --input $S/dev.jsonl --output in.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_wording.py $S/dev.jsonl in.jsonl pw
    python score.py $S/dev.jsonl in.jsonl pw.asked.jsonl   # score.py beside implicit/checks.py

About 10 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import sys

import rescore

from personaco_tui.core.personaco import choose
from personaco_tui.core.reflectors import persona
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.runtime import Runtime

WAYS = {
    "because": (persona.LEADS, "{lead} {signal}"),
    "asked": (persona.LEADS, "{lead} I told you: “{signal}”"),
    "wanted": (
        ("Thanks, that's just what I wanted:", "Hmm, that's not what I wanted:"),
        "{lead} “{signal}”",
    ),
}


class Worded(persona.PersonaReflector):
    """The persona reflector with its two replies worded another way."""

    def __init__(self, engine, leads, form):  # type: ignore[no-untyped-def]
        super().__init__(engine)
        self.leads, self.form = leads, form

    def reply(self, lead: str, sentence: str) -> str:
        return self.form.format(lead=lead, signal=sentence)


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    engine = Runtime.open().load_engine(None)
    reflectors = {w: Worded(engine, leads, form) for w, (leads, form) in WAYS.items()}
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], WAYS)
        for row in rows:
            texts, query, signals, prompt = rescore.question(items, row)
            add = rescore.addresses(engine, query, texts)
            inp = ReflectionInput(prompt, query, texts, signals)
            for way, reflector in reflectors.items():
                cells = reflector.score(inp)
                best, _ = choose(cells, len(texts), None, None, texts, addresses=add)
                rescore.write(outs[way], row, best, rescore.matrix(cells, len(texts), len(signals)))
            print(row["id"], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
