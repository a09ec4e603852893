"""Does a fact rule something out ("I'm vegetarian.") or shape the answer ("I live in
Germany.")? The two pull the model's readings opposite ways (README, "Where the bundled
model's likelihoods stop"), and persona contrast helped the second kind and hurt the first.
This measures the bundled model's own reading of the difference and the pick it would give:

- the probe: log P(" avoid" | "FACT So I"), as plain text, no chat turn; a fact that rules
  something out makes "avoid" likely. Its threshold is chosen on 40 facts written for this
  (POLAR below, labelled by hand), never on the persona sets;
- the routed pick: each question's row from a contrast run where every fact of it reads as
  shaping, else its row from a plain run (the two runs of the same set, `personaco generate`
  with and without PERSONACO_GENERATION_PERSONA_STEER=contrast).

    export PERSONACO_MODEL_N_THREADS=1 S=tests/data/persona_holdout
    personaco generate --input $S/dev.jsonl --output plain.jsonl --k 8 --max-tokens 192 --seed 0
    PERSONACO_GENERATION_PERSONA_STEER=contrast personaco generate --input $S/dev.jsonl \\
        --output contrast.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_polarity.py $S/dev.jsonl plain.jsonl contrast.jsonl pol
    python score.py $S/dev.jsonl base.jsonl pol.routed.jsonl   # score.py beside its checks
"""

from __future__ import annotations

import sys

import llama_cpp
import numpy as np
import rescore

from personaco_tui.core.reflectors.polarity import TRAINING
from personaco_tui.runtime import Runtime

# (fact, rules something out): written for this probe, none from a persona set; the product's
# reading of a fact's polarity (core/reflectors/polarity.py) is fitted on the same 40
POLAR = list(TRAINING)


def avoid_probe(llm: llama_cpp.Llama, fact: str) -> float:
    """log P(" avoid" | "FACT So I"), plain text."""
    tokens = llm.tokenize(f"{fact} So I".encode(), add_bos=False)
    llm.reset()
    llm.eval(tokens)
    row = np.asarray(llm.scores[len(tokens) - 1], dtype=np.float64)
    row = row - row.max()
    logp = row - np.log(np.exp(row).sum())
    return float(logp[llm.tokenize(b" avoid", add_bos=False)[0]])


def threshold(probes: list[tuple[float, bool]]) -> float:
    """The cut (a fact reads as shaping below it) with the best balanced accuracy."""
    best, cut = -1.0, 0.0
    for t in sorted({p for p, _ in probes}):
        t += 1e-9
        shaping = np.mean([p < t for p, out in probes if not out])
        ruling = np.mean([p >= t for p, out in probes if out])
        if (shaping + ruling) / 2 > best:
            best, cut = (shaping + ruling) / 2, t
    print(f"threshold {cut:.2f}: balanced accuracy {best:.2f} on the {len(probes)} POLAR facts")
    return cut


def main(argv: list[str]) -> None:
    items, plain = rescore.load(argv[0], argv[1])
    _, contrast = rescore.load(argv[0], argv[2])
    by_id = {r["id"]: r for r in contrast}
    _, path = Runtime.open().model_path(None)
    llm = llama_cpp.Llama(str(path), n_ctx=256, logits_all=True, verbose=False)
    cut = threshold([(avoid_probe(llm, f), out) for f, out in POLAR])
    with open(f"{argv[3]}.routed.jsonl", "w", encoding="utf-8") as out:
        for row in plain:
            facts = [s for s in items[row["id"]]["signals"] if s.strip()]
            probes = [avoid_probe(llm, f) for f in facts]
            shaping = all(p < cut for p in probes)
            chosen = by_id[row["id"]] if shaping else row
            best = chosen["candidates"].index(chosen["response"])
            rescore.write(out, chosen, best, chosen["matrix"])
            print(row["id"], "contrast" if shaping else "plain", [f"{p:.2f}" for p in probes])


if __name__ == "__main__":
    main(sys.argv[1:])
