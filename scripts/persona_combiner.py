"""Would a learned combination of the persona readings pick better than the hand-made rule,
and could the helpfulness term do without its neutral reading? Measurement only.

`read` stores, per question of a `personaco generate` output, every answer's token
log-probabilities after the question alone (q), after "Write something." (n), after the
sampling prompt (g, what sampling computes anyway) and after "FACT QUESTION" per signal, and
both user replies ("suits me" / "doesn't work") per (answer, signal):

    export PERSONACO_MODEL_N_THREADS=1
    python scripts/persona_combiner.py read SET GEN.jsonl FEATURES.jsonl

`fit` takes sets as NAME=SET,GEN,FEATURES,CHECKS (CHECKS: the set's judge, a checks.py with
`check(c, text)`, or `-` for a set scored by its `answer` regex only) and prints, per set,
the cells' AUC and the facts the pick fits (c: factual answers correct):

- the product's stored cells and pick;
- the rule (the complaint alone for a fact that rules something out, else the two replies'
  log-odds) with each helpfulness term: PMI q - n (the product), q alone, q with
  consensus (one reading of the answers fewer), and how often the pick is an answer about
  being an AI or a refusal, which the judges do not see;
- pairwise logistic regressions over the readings, each tested on a set it was not fitted
  on (leave one set out).

    python scripts/persona_combiner.py fit imp=../shared/eval/implicit/dev.jsonl,imp.jsonl,\
imp.f.jsonl,../shared/eval/implicit/checks.py pd=...
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

from personaco_tui.core.consensus import consensus

FEATS = ["suits", "against", "odds", "pmi", "q", "g_q", "fsum", "fmean", "len", "ro_against"]
CHEAP = ["suits", "against", "pmi", "q", "len", "ro_against"]  # no reading beyond today's
ONE_READING = ["suits", "against", "q", "g_q", "len", "ro_against"]  # no neutral reading
META = re.compile(
    r"\b(as an ai|i'm an ai|helpful ai|chatbot|smollm|i'm sorry|i apologi[sz]e|i can't|"
    r"i cannot|i'm not able|i don't have the ability)\b",
    re.I,
)


def _mean(xs: list[float]) -> float:
    return sum(xs) / max(1, len(xs))


def _jsonl(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f) if d}


def read(set_path: str, generated: str, out: str) -> None:
    from personaco_tui.core.helpfulness import NEUTRAL, AnswerReadings, says_nothing
    from personaco_tui.core.prompts import join_signals, personalization_prompt
    from personaco_tui.core.reflectors import polarity
    from personaco_tui.core.reflectors.base import ReflectionInput
    from personaco_tui.core.reflectors.persona import PersonaReflector
    from personaco_tui.core.signals.mood import is_wish
    from personaco_tui.runtime import Runtime

    eng = Runtime.open().load_engine()
    both_sides = PersonaReflector(eng, rules_out=lambda facts, _c: [False] * len(facts))
    items = _jsonl(set_path)
    with open(out, "w", encoding="utf-8") as fh:
        for gid, row in _jsonl(generated).items():
            q, sig, texts = items[gid]["query"], items[gid]["signals"], row["candidates"]
            asks = {"q": q, "n": NEUTRAL, "g": personalization_prompt(q, sig)}
            asks |= {f"f{j}": f"{join_signals([s])} {q}" for j, s in enumerate(sig)}
            lps = AnswerReadings(eng, [], texts).read(list(asks.values()))
            inp = ReflectionInput([{"role": "user", "content": q}], q, texts, sig)
            pairs, prefixes, conts = both_sides._pairs(inp)
            sides: dict[str, list[float]] = {}
            for (i, j, side), lp in zip(
                pairs, eng.continuation_logprobs(prefixes, conts), strict=True
            ):
                sides.setdefault(f"{i},{j}", [0.0, 0.0])[side] = sum(lp)
            rec = {
                "id": gid,
                "lp": dict(zip(asks, lps, strict=True)),
                "sides": sides,
                "rules_out": polarity.of(eng).rules_out(sig),
                "wish": [is_wish(s) for s in sig],
                "says": [not says_nothing(t, q, sig) for t in texts],
            }
            fh.write(json.dumps(rec) + "\n")


def _features(f: dict, i: int, j: int) -> list[float]:
    s, lp = f["sides"][f"{i},{j}"], f["lp"]
    q, n, g, fj = lp["q"][i], lp["n"][i], lp["g"][i], lp[f"f{j}"][i]
    gain = [a - b for a, b in zip(fj, q, strict=True)]
    ro = 1.0 if f["rules_out"][j] else 0.0
    return [s[0], -s[1], s[0] - s[1], _mean(q) - _mean(n), _mean(q), _mean(g) - _mean(q),
            sum(gain), _mean(gain), math.log(1 + len(q)), ro * -s[1]]  # fmt: skip


def _load(spec: str) -> list[dict]:
    set_path, generated, features, checks = spec.split(",")
    judge = None
    if checks != "-":
        loaded = importlib.util.spec_from_file_location(f"judge{abs(hash(spec))}", checks)
        assert loaded and loaded.loader
        judge = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(judge)
    S, P, F = _jsonl(set_path), _jsonl(generated), _jsonl(features)
    out = []
    for gid, row in S.items():
        p, f = P[gid], F[gid]
        texts, k = p["candidates"], len(p["candidates"])
        cols = []
        for j in range(len(row["signals"])):
            X = np.array([_features(f, i, j) for i in range(k)])
            X -= np.median(X, axis=0)  # the answers are compared within one signal only
            stored = [p["matrix"][i][j] for i in range(k)]
            own = f["wish"][j] or p["reflectors"][0][j] != "persona"  # keeps its stored cells
            lab = [bool(judge.check(row["checks"][j], t)) for t in texts] if judge else None
            cols.append({"X": X, "lab": lab, "stored": stored, "own": own, "ro": f["rules_out"][j]})
        cons = consensus(texts)
        out.append({"row": row, "p": p, "f": f, "k": k, "cols": cols, "cons": cons})
    return out


def _logit(p: float) -> float:
    p = min(1 - 1e-9, max(1e-9, p))
    return math.log(p / (1 - p))


def _ranks(v: list[float]) -> list[float]:
    order = sorted(range(len(v)), key=lambda i: v[i])
    out = [0.0] * len(v)
    for pos, i in enumerate(order):
        out[i] = pos / max(1, len(v) - 1)
    return out


def rule(c: dict) -> list[float]:
    return list(c["X"][:, FEATS.index("against" if c["ro"] else "odds")])


def rule_stored(c: dict) -> list[float]:
    return [_logit(s) for s in c["stored"]]


def _cells(c: dict, scorer) -> list[float]:  # type: ignore[no-untyped-def]
    return [_logit(s) for s in c["stored"]] if c["own"] else scorer(c)


def auc(items: list[dict], scorer) -> float:  # type: ignore[no-untyped-def]
    num = den = 0.0
    for it in items:
        for c in it["cols"]:
            if c["lab"] is None:
                continue
            sc = _cells(c, scorer)
            for a in range(it["k"]):
                for b in range(it["k"]):
                    if c["lab"][a] and not c["lab"][b]:
                        den += 1
                        num += 1.0 if sc[a] > sc[b] else 0.5 if sc[a] == sc[b] else 0.0
    return num / den if den else float("nan")


HELP = {
    "pmi (now)": lambda it, i: _mean(it["f"]["lp"]["q"][i]) - _mean(it["f"]["lp"]["n"][i]),
    "q alone": lambda it, i: _mean(it["f"]["lp"]["q"][i]),
}


def picks(items: list[dict], scorer, help_term=None, weight: float = 0.5) -> list[int]:  # type: ignore[no-untyped-def]
    out = []
    for it in items:
        k = it["k"]
        row = [0.0] * k
        for c in it["cols"]:
            for i, s in enumerate(_cells(c, scorer)):
                row[i] += 1 / (1 + math.exp(-max(-50.0, min(50.0, s))))
        if help_term is not None:
            for i, h in enumerate(help_term(it)):
                row[i] += weight * h
        says = it["f"]["says"]
        out.append(max(range(k), key=lambda i: (says[i], row[i], -i)))
    return out


def tally(items: list[dict], chosen: list[int]) -> tuple[int, int, int, int, int]:
    fits = total = correct = asked = meta = 0
    for it, best in zip(items, chosen, strict=True):
        text = it["p"]["candidates"][best]
        meta += bool(META.search(text))
        for c in it["cols"]:
            if c["lab"] is not None:
                fits += c["lab"][best]
                total += 1
        if "answer" in it["row"]:
            correct += bool(re.search(it["row"]["answer"], text, re.I))
            asked += 1
    return fits, total, correct, asked, meta


def fitted(items: list[dict], feats: list[str], C: float = 1.0):  # type: ignore[no-untyped-def]
    """A pairwise logistic regression: passing minus failing answer of one signal."""
    idx = [FEATS.index(n) for n in feats]
    X, y = [], []
    for it in items:
        for c in it["cols"]:
            if c["lab"] is None or c["own"]:
                continue
            for a in range(it["k"]):
                for b in range(it["k"]):
                    if c["lab"][a] and not c["lab"][b]:
                        d = c["X"][a, idx] - c["X"][b, idx]
                        X += [d, -d]
                        y += [1, 0]
    A = np.array(X)
    sd = A.std(axis=0) + 1e-9
    w = LogisticRegression(C=C, fit_intercept=False, max_iter=2000).fit(A / sd, y).coef_[0] / sd
    return lambda c: list(c["X"][:, idx] @ w)


def fit(specs: list[str]) -> None:
    sets = {s.split("=", 1)[0]: _load(s.split("=", 1)[1]) for s in specs}
    everything = [it for items in sets.values() for it in items]

    def line(tag: str, per: dict[str, tuple[float, list[int]]]) -> None:
        parts, score, meta = [], 0, 0
        for name, (a, chosen) in per.items():
            f, t, c, n, m = tally(sets[name], chosen)
            score, meta = score + f + c, meta + m
            fit_part = f" {f}/{t}" + (f" ({a:.3f})" if not math.isnan(a) else "") if t else ""
            parts.append(name + fit_part + (f" c{c}/{n}" if n else ""))
        print(f"{tag:38s} " + " | ".join(parts) + f" | fits+correct {score}, meta {meta}")

    line("product (stored)", {n: (auc(s, rule_stored), [it["p"]["chosen"] for it in s])
                              for n, s in sets.items()})  # fmt: skip

    def by(term):  # type: ignore[no-untyped-def]
        return lambda it: _ranks([term(it, i) for i in range(it["k"])])

    def with_consensus(it: dict) -> list[float]:
        mine = by(HELP["q alone"])(it)
        return [(a + b) / 2 for a, b in zip(mine, _ranks(it["cons"]), strict=True)]

    helps = {
        "rule + pmi (now, 2 readings)": by(HELP["pmi (now)"]),
        "rule + q alone (1 reading)": by(HELP["q alone"]),
        "rule + q and consensus (1 reading)": with_consensus,
        "rule, no helpfulness term": None,
    }
    for tag, h in helps.items():
        line(tag, {n: (auc(s, rule), picks(s, rule, h)) for n, s in sets.items()})
    pmi = helps["rule + pmi (now, 2 readings)"]
    for tag, feats in (("learned, today's readings", CHEAP), ("learned, one reading", ONE_READING),
                       ("learned, + a reading per fact", FEATS)):  # fmt: skip
        per = {}
        for name, items in sets.items():
            others = [it for it in everything if all(it is not x for x in items)]
            scorer = fitted(others, feats)
            per[name] = (auc(items, scorer), picks(items, scorer, pmi))
        line(tag + " (left out)", per)


if __name__ == "__main__":
    if sys.argv[1:2] == ["read"]:
        read(*sys.argv[2:5])
    elif sys.argv[1:2] == ["fit"]:
        fit(sys.argv[2:])
    else:
        print(__doc__)
        sys.exit(2)
