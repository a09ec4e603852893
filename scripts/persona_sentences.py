"""Could the user's replies name something sharper than the fact itself? Re-scores the stored
candidates of a `personaco generate` output with the persona reflector's two replies
("Thanks, that suits me perfectly because ..." / "Hmm, that doesn't work for me because ...")
naming, besides the fact (F), two other sentences:

- its negation (N), made by grammar: "I'm vegetarian." -> "I am not vegetarian.", "I live in
  Germany." -> "I do not live in Germany." (else "It is not true that ..."). If the model
  read the fact's polarity, suits-F against suits-N would cancel what the fact's words prime;
- its consequence (C), the model's own greedy completion of the cloze "FACT Because of this,
  I never" (raw text, no chat turn): "I'm vegetarian." -> "I never eat meat.", "I have a
  severe nut allergy." -> "I never eat nuts."; for facts that shape the answer it drifts
  ("I live in Germany." -> "I never had a chance to travel abroad.").

Writes one output per way (the cells in the matrix, the pick with the product's helpfulness
term), for `score.py` beside the set's checks:

- `now`: suits-F minus doesn't-F (the product);
- `neg`: suits-F minus suits-N; `neg2`: (suits-F minus suits-N) minus (doesn't-F minus
  doesn't-N);
- `cons`: minus doesn't-C (how unlikely the complaint "... because I never eat meat." is);
- `cons3`: `cons` where the cloze ended within 3 tokens ("eat meat", "drink alcohol"), else
  `now`.

    export PERSONACO_MODEL_N_THREADS=1 S=tests/data/persona_dev
    personaco generate --input $S/dev.jsonl --output pd.jsonl --k 8 --max-tokens 192 --seed 0
    python scripts/persona_sentences.py $S/dev.jsonl pd.jsonl ps
    python score.py $S/dev.jsonl base.jsonl ps.cons3.jsonl   # score.py beside implicit/checks.py

About 10 s a question with 8 candidates on one thread."""

from __future__ import annotations

import contextlib
import json
import re
import sys

import rescore

from personaco_tui.core.reflectors import persona
from personaco_tui.core.reflectors.base import ReflectionInput
from personaco_tui.runtime import Runtime

CLOZE = "{fact} Because of this, I never"
WAYS = ("now", "neg", "neg2", "cons", "cons3")
_AUX = r"(?:am|is|are|was|were|'m|'re|'s|have|has|had|'ve|can|will|would|should|could)"
_STRONG_VERBS = ("grew", "told", "got", "made", "went", "took", "gave", "lost", "sold")


def _not_true(t: str) -> str:
    keep = re.match(r"I\b", t) is not None  # "I grew up ..." keeps its capital
    return "It is not true that " + (t if keep else t[0].lower() + t[1:])


def negate(fact: str) -> str:
    """The fact said the other way round, by grammar alone (no word lists about people)."""
    t = fact.strip()
    if re.search(r"n't\b|\b(?:not|never|nobody|no|nothing)\b", t, re.I):
        return _not_true(t)
    had = re.sub(
        r"^(I|We|They|You) (?:only |just |still )?(?:have|has) (?!been\b|\w+ed\b)",
        lambda m: f"{m.group(1)} do not have ",
        t,
    )
    if had != t:
        return had
    m = re.match(rf"^(.*?\b{_AUX})\b(.*)$", t)
    if m and len(m.group(1).split()) <= 6:
        head, rest = m.groups()
        for short, full in (("'m", " am"), ("'re", " are"), ("'ve", " have"), ("'s", " is")):
            if head.endswith(short):
                return head[: -len(short)] + full + " not" + rest
        return head + " not" + rest
    subject = r"((?:I|We|You|They|My \w+|Our \w+)(?: \w+ly| only| just| still)?)"
    m = re.match(rf"^{subject} (\w+?)(s|ed)?\b(.*)$", t)
    if m is None or m.group(2).lower() in _STRONG_VERBS:
        return _not_true(t)
    subj, verb, suffix, rest = m.groups()
    if suffix == "ed":
        return f"{subj} did not {verb}{rest}"
    if suffix == "s" and subj.split()[0] in ("My", "Our"):
        return f"{subj} does not {verb}{rest}"
    return f"{subj} do not {verb}{suffix or ''}{rest}"


class Cloze:
    """The bundled model as a plain text completer, for the consequence cloze."""

    def __init__(self) -> None:
        self.lm = rescore.text_model()

    def consequence(self, fact: str) -> tuple[str, int]:
        """("I never eat meat.", its number of tokens after the cloze)."""
        fact = fact.strip() + ("" if fact.strip()[-1:] in ".!?" else ".")
        stops = ["\n", ".", ",", ";", " but", " and"]
        out = self.lm(CLOZE.format(fact=fact), max_tokens=10, temperature=0, stop=stops)
        text = out["choices"][0]["text"].rstrip()
        n = len(self.lm.tokenize(text.encode(), add_bos=False))
        return f"I never{text}.", n


def _columns(engine, reflector, inp: ReflectionInput) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Sum of each reply's log-probabilities, per reply ("SF", "DN", ...) and answer."""
    pairs, prefixes, conts = reflector._pairs(inp)
    out: dict[str, list[float]] = {}
    k = len(inp.candidates)
    for (i, j, side), lp in zip(pairs, engine.continuation_logprobs(prefixes, conts), strict=True):
        out.setdefault("SD"[side] + "FNC"[j], [0.0] * k)[i] = sum(lp)
    return out


def ways(c: dict[str, list[float]], n_cons: int) -> dict[str, list[float]]:
    now = [a - b for a, b in zip(c["SF"], c["DF"], strict=True)]
    cons = [-d for d in c["DC"]]
    return {
        "now": now,
        "neg": [a - b for a, b in zip(c["SF"], c["SN"], strict=True)],
        "neg2": [
            (a - b) - (d - e) for a, b, d, e in zip(c["SF"], c["SN"], c["DF"], c["DN"], strict=True)
        ],
        "cons": cons,
        "cons3": cons if n_cons <= 3 else now,
    }


def main(argv: list[str]) -> None:
    items, rows = rescore.load(argv[0], argv[1])
    engine = Runtime.open().load_engine(None)
    reflector = persona.PersonaReflector(engine)
    cloze = Cloze()
    with contextlib.ExitStack() as stack:
        outs = rescore.outputs(stack, argv[2], WAYS)
        for row, texts, query, signals, prompt, add in rescore.each(engine, items, rows):
            columns: dict[str, list[list[float]]] = {w: [] for w in WAYS}
            said = []
            for fact in signals:
                cons, n = cloze.consequence(fact)
                said.append({"fact": fact, "negation": negate(fact), "consequence": cons})
                inp = ReflectionInput(prompt, query, texts, [fact, negate(fact), cons])
                for way, col in ways(_columns(engine, reflector, inp), n).items():
                    columns[way].append(col)
            scores = {
                way: [[score for score, _ in persona.margin_score(c)] for c in cols]
                for way, cols in columns.items()
            }
            rescore.write_picks(outs, row, add, scores)
            print(row["id"], json.dumps(said), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
