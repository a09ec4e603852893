"""Does the helpfulness term reward answers that copy the question? The term is the mean,
over an answer's tokens, of log P(token | question) - log P(token | "Write something."); a
token copied from the question is made likely by the copy itself, so an answer that restates
the question ("I'll suggest a quick dinner I can cook tonight.") ranks high while saying
nothing. Re-scores the stored candidates of a `personaco generate` output (persona cells as
`auto` scores them) with three terms and writes one output per term:

- `mean` (the product): the mean over every token;
- `nocopy`: the mean over the tokens that do not continue a pair of tokens of the question
  (a token is copied where it and the token before or after it appear side by side in the
  question); an answer of copies only scores 0, no gain;
- `clip`: the mean with each token's gain clipped to [-2, 2] nats.

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit
    personaco generate --input $S/dev.jsonl --output imp.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/helpfulness_copy.py $S/dev.jsonl imp.jsonl hc
    python ../shared/eval/score.py $S/dev.jsonl base.jsonl hc.mean.jsonl   # and the others
    python scripts/persona_guard.py tests/data/persona_guard.jsonl hc.nocopy.jsonl plain.jsonl

Also prints, per term, how often the pick copies more than half its tokens from the
question."""

from __future__ import annotations

import contextlib
import sys

import rescore

from personaco_tui import reflector_registry
from personaco_tui.core.helpfulness import NEUTRAL, addresses_scores, answer_items
from personaco_tui.core.personaco import choose
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.engines.base import ChatMessage, Engine
from personaco_tui.runtime import Runtime

WAYS = ("mean", "nocopy", "clip")


def _pairs(tokens: list[int]) -> set[tuple[int, int]]:
    return set(zip(tokens, tokens[1:], strict=False))


def copied(cont: list[int], question: set[tuple[int, int]]) -> list[bool]:
    """Per token: whether it and a neighbour appear side by side in the question."""
    out = []
    for i, t in enumerate(cont):
        before = i > 0 and (cont[i - 1], t) in question
        after = i + 1 < len(cont) and (t, cont[i + 1]) in question
        out.append(before or after)
    return out


def _read(engine: Engine, context: list[ChatMessage], texts: list[str]):  # type: ignore[no-untyped-def]
    prefixes, conts = answer_items(engine, context, texts)
    return prefixes[0], conts, engine.continuation_logprobs(prefixes, conts)


def terms(
    engine: Engine, query: str, texts: list[str]
) -> tuple[dict[str, list[float]], list[float]]:
    """Each way's gain per answer, and the share of each answer's tokens copied."""
    qp, qc, ql = _read(engine, [{"role": "user", "content": query}], texts)
    np_, nc, nl = _read(engine, [{"role": "user", "content": NEUTRAL}], texts)
    question = _pairs(qp) - _pairs(np_)  # the question's own pairs, not the template's
    out: dict[str, list[float]] = {w: [] for w in WAYS}
    share = []
    for a, b, la, lb in zip(qc, nc, ql, nl, strict=True):
        if a != b:  # tokenized differently after the two contexts: means only
            g = sum(la) / len(la) - sum(lb) / len(lb)
            for w in WAYS:
                out[w].append(g)
            share.append(0.0)
            continue
        gains = [x - y for x, y in zip(la, lb, strict=True)]
        marks = copied(a, question)
        kept = [g for g, m in zip(gains, marks, strict=True) if not m]
        out["mean"].append(sum(gains) / len(gains))
        out["nocopy"].append(sum(kept) / len(kept) if kept else 0.0)
        out["clip"].append(sum(max(-2.0, min(2.0, g)) for g in gains) / len(gains))
        share.append(sum(marks) / len(marks))
    return out, share


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    engine = Runtime.open().load_engine(None)
    reflector = reflector_registry.build("auto", engine, lambda: None)
    copies = dict.fromkeys(WAYS, 0)
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], WAYS)
        for row in rows:
            texts, query, signals, prompt = rescore.question(items, row)
            cells = reflector.score(ReflectionInput(prompt, query, texts, signals))
            matrix = rescore.matrix(cells, len(texts), len(signals))
            gains, share = terms(engine, query, texts)
            for w in WAYS:
                best, _ = choose(
                    cells, len(texts), None, None, texts, addresses=addresses_scores(gains[w])
                )
                copies[w] += share[best] > 0.5
                rescore.write(outs[w], row, best, matrix)
            print(row["id"], [round(s, 2) for s in share], flush=True)
    print("picks copying over half their tokens:", copies)


if __name__ == "__main__":
    main(sys.argv[1:])
