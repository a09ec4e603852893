"""Can the bundled model tell a wish from a fact by itself? The signal read as a user's chat
turn after "What I want from your answers:" against after "A little about me:", the
difference of its tokens' log-likelihoods. Prints the AUC (wishes above facts) on the wish
model's data, the held-out mood set and the verbless sets, and, as a third opinion beside
`mood.is_wish` (only for a sentence not about the person), what each threshold adds.

    python scripts/mood_likelihood.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import llama_cpp
import numpy as np

from personaco_tui.core.signals import mood_model
from personaco_tui.core.signals.mood import _PERSON, _TOLD_YOU, _normal, is_wish
from personaco_tui.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "core" / "signals"))
from test_mood import VERBLESS_FACTS, VERBLESS_WISHES  # noqa: E402

WANT, ABOUT = "What I want from your answers:", "A little about me:"


def _turn(llm: llama_cpp.Llama, text: str) -> list[int]:
    return llm.tokenize(f"<|im_start|>user\n{text}".encode(), add_bos=False, special=True)


def loglik(llm: llama_cpp.Llama, lead: str, text: str) -> float:
    head, full = _turn(llm, lead), _turn(llm, f"{lead} {text}<|im_end|>")
    llm.reset()
    llm.eval(full)
    total = 0.0
    for i in range(len(head), len(full)):
        row = np.asarray(llm.scores[i - 1], dtype=np.float64)
        row -= row.max()
        total += float(row[full[i]] - np.log(np.exp(row).sum()))
    return total


def _auc(pos: list[float], neg: list[float]) -> float:
    return float(np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg]))


def _rows(path: Path) -> list[tuple[str, bool]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(d["text"], d["wish"]) for d in map(json.loads, lines) if d]


def main() -> None:
    _, path = Runtime.open().model_path(None)
    llm = llama_cpp.Llama(str(path), n_ctx=256, logits_all=True, verbose=False)
    verbless = ROOT / "tests" / "data" / "instructions_dev" / "verbless.jsonl"
    sets = {
        "wish model's data": [r for f in mood_model.FILES for r in _rows(mood_model.DATA / f)],
        "held-out mood set": _rows(ROOT / "tests" / "data" / "mood" / "holdout.jsonl"),
        "verbless": [(json.loads(x)["signals"][0], True) for x in verbless.read_text().splitlines()]
        + [(t, True) for t in VERBLESS_WISHES]
        + [(t, False) for t in VERBLESS_FACTS],
    }
    for name, rows in sets.items():
        read = [(y, loglik(llm, WANT, t) - loglik(llm, ABOUT, t), is_wish(t), t) for t, y in rows]
        pos = [m for y, m, _, _ in read if y]
        neg = [m for y, m, _, _ in read if not y]
        print(f"{name}: AUC {_auc(pos, neg):.3f}")
        for cut in (5.0, 6.0, 7.0, 8.0):
            says = [(y, _third_opinion(m, w, t, cut)) for y, m, w, t in read]
            found = sum(s for y, s in says if y)
            wrong = sum(s for y, s in says if not y)
            before = sum(w for y, _, w, _ in read if y)
            print(f"  cut {cut}: wishes {before} -> {found} of {len(pos)},", end=" ")
            print(f"facts {wrong} of {len(neg)}")


def _third_opinion(margin: float, wish: bool, text: str, cut: float) -> bool:
    s = _normal(text)
    return wish or (margin >= cut and not _PERSON.match(s) and not _TOLD_YOU.match(s))


if __name__ == "__main__":
    main()
