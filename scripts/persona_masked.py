"""Could a persona turn read the k answers once instead of twice? Re-scores the stored
candidates of a `personaco generate` output three ways and writes one output per way, for
`score.py` or `scripts/persona_guard.py` (the matrix holds the way's cells):

- `q` (the product): the user's replies after the question alone; the helpfulness term is
  the answer's mean log-probability after the question minus after "Write something." (two
  readings of every answer);
- `m`: the replies read where sampling leaves the answers, after the sampling prompt, but
  with the KV cells of its instruction and facts removed before the replies are decoded (the
  answers' own cells, which saw the facts, stay); the same helpfulness term. Read after the
  whole prompt, the facts in view make "because I'm vegetarian" likely after every answer
  (scripts/persona_context.py); removed, the replies read the answer alone again;
- `n`: the replies read after "Write something." and the answer, the helpfulness term's
  numerator taken after the sampling prompt (what sampling computes anyway): one reading of
  every answer a turn.

    export PERSONACO_MODEL_N_THREADS=1 S=../shared/eval/implicit
    personaco generate --input $S/dev.jsonl --output imp.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_masked.py $S/dev.jsonl imp.jsonl mk
    python ../shared/eval/score.py $S/dev.jsonl base.jsonl mk.m.jsonl   # and mk.q, mk.n

Uses the llama.cpp engine's internals (its cache, decode and stream copies): measurement
only. About 12 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import sys

import llama_cpp
import numpy as np
import rescore

from personaco_tui.core.helpfulness import NEUTRAL, addresses_scores
from personaco_tui.core.personaco import choose
from personaco_tui.core.reflectors import polarity
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import PersonaReflector, margin_score
from personaco_tui.core.types import ReflectionCell
from personaco_tui.engines.base import ChatMessage
from personaco_tui.engines.llama_score import log_softmax_rows
from personaco_tui.runtime import Runtime


def _sides(eng, context: list[ChatMessage], answer: str, signals, hide=None):  # type: ignore[no-untyped-def]
    """[suits, doesn't work] log-likelihood of each signal's reply after `context` and
    `answer`; `hide` (start, end): prompt positions removed once the answer is decoded."""
    # the reflector's own replies, built after `context` as if it were the question alone
    inp = ReflectionInput(context, context[-1]["content"], [answer], signals)
    pairs, prefixes, conts = PersonaReflector(eng, rules_out=_none)._pairs(inp)
    items = zip(pairs, prefixes, conts, strict=True)
    lists = [(side, j, p + c, len(p)) for (_, j, side), p, c in items]
    shared = min(len(t) for *_, t, _ in lists)
    for *_, t, _ in lists:
        shared = next((n for n in range(shared) if t[n] != lists[0][2][n]), shared)
    head = eng.prompt_tokens(context)
    upto = min(shared, len(head) + len(eng.tokenize(answer, special=False, add_bos=False)))
    eng._clear()
    eng._prefill(lists[0][2][:upto], [0])
    if hide is not None:
        llama_cpp.llama_memory_seq_rm(eng._mem, 0, hide[0], hide[1])
    entries, reads = [], []
    for x, (side, j, t, first) in enumerate(lists):
        eng._copy(0, 1 + x)
        for p in range(upto, len(t) - 1):
            entries.append((t[p], p, (1 + x,), p >= first - 1))
            reads.append((side, j, t[p + 1]) if p >= first - 1 else None)
    out = [[0.0, 0.0] for _ in signals]
    for off in range(0, len(entries), eng._batch_cap):
        eng._decode(entries[off : off + eng._batch_cap])
        wanted = [r for r in reads[off : off + eng._batch_cap] if r is not None]
        rows = np.ctypeslib.as_array(llama_cpp.llama_get_logits(eng._context.ctx),
                                     shape=(len(wanted), eng.n_vocab))  # fmt: skip
        lps = log_softmax_rows(rows, [w[2] for w in wanted])
        for (side, j, _), lp in zip(wanted, lps, strict=True):
            out[j][side] += float(lp)
    return out


def _none(facts, cancel):  # type: ignore[no-untyped-def]
    return [False] * len(facts)  # main() reads the polarity itself


def _facts_span(eng, prompt: list[ChatMessage]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Positions of the sampling prompt's instruction and facts: after the turn's opening
    markers, up to " Question:" (core/prompts.py)."""
    head = eng.prompt_tokens(prompt)
    other = eng.prompt_tokens([{"role": "user", "content": "Zzz"}])
    start = next(n for n in range(len(head)) if head[n] != other[n])
    mark = eng.tokenize(" Question:", special=False, add_bos=False)
    end = next(n for n in range(start, len(head)) if head[n : n + len(mark)] == mark)
    return start, end


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    eng = Runtime.open().load_engine(None)
    eng._fit_layout(16, 1024)  # one stream per reply of an answer
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], "qmn")
        for row in rows:
            texts, query, signals, prompt = rescore.question(items, row)
            out = polarity.of(eng).rules_out(signals, None)
            ask = [{"role": "user", "content": query}]
            neutral = [{"role": "user", "content": NEUTRAL}]
            read = {n: rescore.means(rescore.read(eng, c, texts))
                    for n, c in (("q", ask), ("n", neutral), ("p", prompt))}  # fmt: skip
            span = _facts_span(eng, prompt)
            ways = {
                "q": (ask, None, "q"),
                "m": (prompt, span, "q"),
                "n": (neutral, None, "p"),
            }
            for way, (context, hide, numerator) in ways.items():
                sides = [_sides(eng, context, t, signals, hide) for t in texts]
                cells = []
                for j in range(len(signals)):
                    col = [-s[j][1] if out[j] else s[j][0] - s[j][1] for s in sides]
                    for i, (score, _) in enumerate(margin_score(col)):
                        cells.append(ReflectionCell(i, j, score, "persona"))
                gain = [a - b for a, b in zip(read[numerator], read["n"], strict=True)]
                best, _ = choose(cells, len(texts), None, None, texts, query=query,
                                 signals=signals, addresses=addresses_scores(gain))  # fmt: skip
                rescore.write(outs[way], row, best, rescore.matrix(cells, len(texts), len(signals)))
            print(row["id"], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
