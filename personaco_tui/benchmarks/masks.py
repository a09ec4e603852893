"""`personaco bench-masks`: the steering plan's exact constraints enforced three ways, side by
side in one run on one model's vocabulary (issue 13, "choose by measurement"):

- own: the project's token classes and masks (core/steer/tokens.py, engines/llama_steer.py),
  driven by the per-sequence `Controller`, forced text included;
- llguidance: the GBNF that core/steer/gbnf.py makes, converted to Lark and compiled to an
  `LLMatcher` per sequence over an `LLTokenizer` built from the llama.cpp vocabulary; the k
  masks of a step are filled in one batched call;
- grammar: llama.cpp's own grammar sampler (`llama_sampler_init_grammar`) on the same GBNF,
  applied to the full candidate array (the exact mask), and, as llama.cpp's common sampler
  does, to the drawn token only ("grammar_check").

The same token sequences (short answers that satisfy the constraint, tokenized by the model,
forced parts tokenized apart as the engine does) are replayed through all three. Per kind:
set-up cost, the median cost of one step for k sequences (the masks made and written into a
row of logits, the state advanced by the replayed token), and agreement: which replays each
accepts, and probes (answers that break the constraint, or that only some can express) with
the project's own rule check as the reference. Speed is reported as ratios from this run only.
"""

from __future__ import annotations

import re
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.signals import understood_check
from ..core.steer import Controller, build_plan
from ..errors import PersonacoError
from .enforcers import MAX_TOKENS, Grammar, Guidance, Own, Replay, Row, tokenize

if TYPE_CHECKING:
    from ..engines.llama import LlamaEngine

METHODS = ("own", "llguidance", "grammar")
# llguidance on gbnf.py's GBNF as it is: agreement only (the timed llguidance uses `native`)
CHECKED = (*METHODS, "llguidance_gbnf")
K = 8

# Answers that keep every constraint below as they are: no commas, no exclamation marks, no
# quotes or backslashes, no list marker at a line start; sentence case.
ANSWERS = (
    "The tides come from the pull of the moon on the sea. The water bulges on the side"
    " facing the moon and on the far side too. So most coasts see two high tides a day.",
    "Bread rises because yeast eats sugar and gives off gas. The gas is trapped in the dough"
    " and makes it swell. Baking sets the shape and the yeast dies in the heat.",
    "A rainbow forms when sunlight enters raindrops and bends. Each colour bends by a"
    " different amount. You see it with the sun behind you and rain in front.",
    "Cats purr by moving the muscles of the voice box very fast. They purr when content and"
    " also when hurt. The sound may help them heal.",
    "Leaves turn red and gold in autumn as the green pigment breaks down. The other colours"
    " were there all along. Cold nights and bright days make the reds stronger.",
    "Planes fly because the wings push air down and the air pushes the wings up. Engines keep"
    " the plane moving fast enough for that to work.",
    "Sleep lets the brain sort the memories of the day. It also clears waste from the brain."
    " Most adults need seven to nine hours a night.",
    "Salt melts ice because salty water freezes at a lower temperature than pure water. The"
    " salt mixes with the thin film of water on the ice and the ice keeps melting.",
)
PS_LINE = " Ask me about the moon next time."
CLOSING = "Is there anything else I can help with?"


@dataclass
class Kind:
    name: str
    signal: str
    replays: list[Replay]
    probes: list[tuple[str, Replay]]  # (what it shows, replay)
    # llguidance's own grammar for the kind (format, text) where gbnf.py's GBNF read through
    # Lark means something else (its lexemes are greedy: `char* "phrase"` never ends) or where
    # Lark says more (Unicode capitals); ("gbnf", "") takes the GBNF as it is
    native: tuple[str, str] = ("gbnf", "")


def _lines(text: str) -> str:
    return text.replace(". ", ".\n")


def kinds() -> list[Kind]:
    """The constraint kinds all three can express, each with k answers and its probes."""
    a0 = ANSWERS[0]
    js_open, js_close = '{"answer": "', '"}'
    return [
        Kind(
            "no_commas",
            "Never use commas.",
            [[(a, False)] for a in ANSWERS],
            [("a comma", [(a0.replace(" so most", ", so most").replace(". So", ", so"), False)])],
        ),
        Kind(
            "lowercase",
            "Write in lowercase only.",
            [[(a.lower(), False)] for a in ANSWERS],
            [
                ("an ASCII capital", [(a0, False)]),
                ("a non-ASCII capital", [("élan and Émile went to the sea.", False)]),
            ],
            ("lark", r"start: /[^\p{Lu}]*/"),
        ),
        Kind(
            "no_lists",
            "No bullet points.",
            [[(_lines(a), False)] for a in ANSWERS],
            [
                ("a bullet line", [("Two things matter.\n* the moon\n* the sun", False)]),
                ("a line starting -5", [("At night it fell to\n-5 degrees in the hills.", False)]),
                ("an indented line", [("The sea rises.\n  Then it falls again.", False)]),
            ],
        ),
        Kind(
            "json",
            "Answer in JSON.",
            [[(js_open, True), (a, False), (js_close, True)] for a in ANSWERS],
            [
                (
                    "a second key",
                    [(js_open, True), ('It rises.", "topic": "tides', False), (js_close, True)],
                ),
                (
                    "an escaped quote",
                    [(js_open, True), ('He said \\"yes\\" to it.', False), (js_close, True)],
                ),
                ("cut off before the close", [(js_open, True), ("The sea rises", False)]),
            ],
            ("json_schema", '{"type": "object"}'),
        ),
        Kind(
            "closing_phrase",
            f'End your answer with "{CLOSING}"',
            [[(a, False), (" " + CLOSING, True)] for a in ANSWERS],
            [
                ("the phrase missing", [(a0, False)]),
                ("the phrase written by the model", [(a0 + " " + CLOSING, False)]),
            ],
            ("lark", "start: /(?s:.*) " + re.escape(CLOSING) + "/"),
        ),
        Kind(
            "postscript",
            "Add a P.S. at the end.",
            [[(a, False), ("\n\nP.S.", True), (PS_LINE, False)] for a in ANSWERS],
            [
                ("no P.S.", [(a0, False)]),
                ("a P.S. written by the model", [(a0 + "\n\nP.S." + PS_LINE, False)]),
            ],
            ("lark", r"start: /(?s:.*)\n\nP\.S\. [^\n]{1,120}/"),
        ),
    ]


CANNOT = {
    "own": [
        'an arbitrary grammar: JSON only as the one frame {"answer": "..."} with a string'
        " body (no second key, no escapes, no nesting)",
        "a P.S. or closing phrase the model writes itself is not recognised as the ending"
        " unless it is the final text (a P.S. is forced again)",
    ],
    "llguidance": [
        "re-casing: all lowercase / all capitals can only ban the other case, pushing the"
        " model off its words",
        "counts and budgets weighed over partial answers (SMC potentials, word limits that"
        " close at a sentence end)",
    ],
    "grammar": [
        "re-casing, as llguidance",
        "counts and budgets, as llguidance",
        "per-step cost: the full mask decodes the whole vocabulary through the grammar",
    ],
}


# -- the run ---------------------------------------------------------------------------------


@dataclass
class KindResult:
    kind: str
    signal: str
    replays: int
    tokens: int  # tokens in the k replays
    setup_ms: dict[str, float] = field(default_factory=dict)
    step_ms: dict[str, float] = field(default_factory=dict)  # median over the timed steps
    first_step_ms: dict[str, float] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)  # of `replays`
    verdicts: dict[str, list[str]] = field(default_factory=dict)  # the replays not accepted
    probes: list[dict[str, Any]] = field(default_factory=list)

    def ratios(self) -> dict[str, float | None]:
        def r(a: float | None, b: float | None) -> float | None:
            # three significant digits: two decimals read a fast grammar check as 0.0x
            return _ratio(a, b) if a is not None and b else None

        own = self.step_ms.get("own")
        own_setup = self.setup_ms.get("own")
        return {
            "step_llguidance_over_own": r(self.step_ms.get("llguidance"), own),
            "step_grammar_over_own": r(self.step_ms.get("grammar"), own),
            "step_grammar_check_over_own": r(self.step_ms.get("grammar_check"), own),
            "setup_llguidance_over_own": r(self.setup_ms.get("llguidance"), own_setup),
            "setup_grammar_over_own": r(self.setup_ms.get("grammar"), own_setup),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "signal": self.signal,
            "replays": self.replays,
            "tokens": self.tokens,
            "setup_ms": self.setup_ms,
            "step_ms": self.step_ms,
            "first_step_ms": self.first_step_ms,
            "ratios": self.ratios(),
            "accepted": self.accepted,
            "not_accepted": self.verdicts,
            "probes": self.probes,
        }


@dataclass
class MasksReport:
    model: str
    n_vocab: int
    k: int
    steps: int
    threads: int
    vocab_setup_ms: dict[str, float]
    kinds: list[KindResult]

    def as_dict(self) -> dict[str, Any]:
        own = self.vocab_setup_ms["own"]
        return {
            "model": self.model,
            "n_vocab": self.n_vocab,
            "k": self.k,
            "steps": self.steps,
            "threads": self.threads,
            "vocab_setup_ms": self.vocab_setup_ms,
            "vocab_setup_llguidance_over_own": _ratio(self.vocab_setup_ms["llguidance"], own),
            "kinds": [k.as_dict() for k in self.kinds],
            "cannot_express": CANNOT,
        }


def _ratio(a: float, b: float) -> float:
    return float(f"{a / b:.3g}")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _median_ms(times: Sequence[float]) -> float:
    return _ms(statistics.median(times)) if times else 0.0


def require_llguidance() -> None:
    try:
        import llguidance  # noqa: F401
    except ImportError:
        raise PersonacoError(
            "bench-masks compares against llguidance, which is not installed.",
            "Install the development extra: pip install -e '.[dev]'.",
        ) from None


def run_masks(
    engine: LlamaEngine,
    steps: int = 64,
    k: int = K,
    only: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> MasksReport:
    """The three enforcers side by side on `engine`'s vocabulary: `steps` replayed tokens a
    sequence are timed (the agreement checks replay every token)."""
    if steps < 1:
        raise PersonacoError("--steps must be at least 1.")
    require_llguidance()
    import llguidance.llamacpp

    from ..engines.llama_steer import VocabTable

    say = log or (lambda _: None)
    n = engine.n_vocab
    t0 = time.perf_counter()
    table = VocabTable([engine._piece(t) for t in range(n)], engine.eog_tokens)
    own_vocab = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # it asks llama_cpp for each token's attributes by a
        warnings.simplefilter("ignore", DeprecationWarning)  # name llama_cpp deprecates
        tokenizer = llguidance.llamacpp.lltokenizer_from_vocab(engine._vocab)
    llg_vocab = time.perf_counter() - t0
    say(f"vocabulary of {n} tokens: own classes {own_vocab:.2f} s, llguidance {llg_vocab:.2f} s")
    logits = np.random.default_rng(0).normal(size=n).astype(np.float32)
    build_plan([k.signal for k in kinds()])  # the signal readers' first-use cost is no kind's
    results = []
    for kind in kinds():
        if only and kind.name not in only:
            continue
        results.append(_run_kind(engine, kind, table, tokenizer, logits, steps, k))
        r = results[-1]
        say(f"{kind.name}: step ms {r.step_ms}, accepted {r.accepted}")
    return MasksReport(
        model=engine.name,
        n_vocab=n,
        k=k,
        steps=steps,
        threads=engine.n_threads,
        vocab_setup_ms={"own": _ms(own_vocab), "llguidance": _ms(llg_vocab), "grammar": 0.0},
        kinds=results,
    )


def _run_kind(
    engine: LlamaEngine,
    kind: Kind,
    table: Any,
    tokenizer: Any,
    logits: Row,
    steps: int,
    k: int,
) -> KindResult:
    t0 = time.perf_counter()
    plan = build_plan([kind.signal])
    _ = [Controller(plan, MAX_TOKENS) for _ in range(k)]
    own_setup = time.perf_counter() - t0
    gbnf = plan.grammar(None).gbnf
    if gbnf is None or not plan.active:
        raise PersonacoError(f"The signal {kind.signal!r} gives no mask and no grammar.")
    own = Own(engine, plan, table)
    t1 = time.perf_counter()
    fmt, text = kind.native if kind.native[0] != "gbnf" else ("gbnf", gbnf)
    llg = Guidance(tokenizer, fmt, text, engine.n_threads)
    if llg.error:
        raise PersonacoError(f"llguidance does not load the {kind.name} grammar: {llg.error}")
    _ = [llg.new() for _ in range(k - 1)]
    llg_setup = time.perf_counter() - t1
    llg_gbnf = Guidance(tokenizer, "gbnf", gbnf, engine.n_threads) if fmt != "gbnf" else llg
    gram = Grammar(engine, gbnf)
    t1 = time.perf_counter()
    for s in [gram.new() for _ in range(k)]:
        gram.ll.llama_sampler_free(s)
    gram_setup = time.perf_counter() - t1
    seqs = [tokenize(engine, r) for r in (kind.replays * k)[:k]]
    res = KindResult(kind.name, kind.signal, len(seqs), sum(len(s.tokens) for s in seqs))
    res.setup_ms = {
        "own": _ms(own_setup),
        "llguidance": _ms(llg_setup),
        "grammar": _ms(gram_setup),
    }
    timed = {
        "own": own.time(seqs, steps, logits),
        "llguidance": llg.time(seqs, steps, logits)[0],
        "grammar": gram.time(seqs, steps, logits, full=True),
        "grammar_check": gram.time(seqs, steps, logits, full=False),
    }
    res.step_ms = {m: _median_ms(t) for m, t in timed.items()}
    res.first_step_ms = {m: _ms(t[0]) if t else 0.0 for m, t in timed.items()}
    res.step_ms["llguidance_fill"] = _median_ms(llg.time(seqs, steps, logits)[1])
    enforcers: dict[str, Own | Guidance | Grammar] = {
        "own": own,
        "llguidance": llg,
        "grammar": gram,
        "llguidance_gbnf": llg_gbnf,
    }
    for name, e in enforcers.items():
        vs = [e.verdict(s) for s in seqs]
        res.accepted[name] = sum(v == "accepts" for v in vs)
        res.verdicts[name] = sorted({v for v in vs if v != "accepts"})
    check = understood_check(kind.signal)
    for what, replay in kind.probes:
        seq = tokenize(engine, replay)
        text = "".join(t for t, _ in replay)
        row: dict[str, Any] = {"probe": what, "rule": bool(check.check(text)) if check else None}
        for name, e in enforcers.items():
            row[name] = e.verdict(seq)
        res.probes.append(row)
    return res


def table_lines(data: dict[str, Any]) -> list[str]:
    """The report as a table for a terminal."""
    v = data["vocab_setup_ms"]
    out = [
        f"{data['model']}: {data['n_vocab']} tokens, k={data['k']}, {data['steps']} steps timed,"
        f" {data['threads']} threads",
        f"vocabulary set-up ms: own {v['own']:.0f}, llguidance {v['llguidance']:.0f}"
        f" ({data['vocab_setup_llguidance_over_own']}x)",
        "",
        f"{'kind':<15}{'step ms: own':>13}{'llg':>9}{'grammar':>10}{'check':>9}"
        f"{'llg/own':>9}{'gram/own':>10}  accepted own/llg/gram/llg-gbnf",
    ]
    for kd in data["kinds"]:
        s, r, a = kd["step_ms"], kd["ratios"], kd["accepted"]
        out.append(
            f"{kd['kind']:<15}{s['own']:>13.3f}{s['llguidance']:>9.3f}{s['grammar']:>10.3f}"
            f"{s['grammar_check']:>9.3f}{r['step_llguidance_over_own']!s:>9}"
            f"{r['step_grammar_over_own']!s:>10}  "
            + "/".join(str(a[m]) for m in CHECKED)
            + f" of {kd['replays']}"
        )
    out += ["", "probes (rule: the project's check of the text):"]
    for kd in data["kinds"]:
        for p in kd["probes"]:
            out.append(f"  {kd['kind']}: {p['probe']} (rule {'passes' if p['rule'] else 'fails'})")
            for m in CHECKED:
                out.append(f"    {m:<16}{p[m]}")
    out += ["", "cannot express:"]
    for m, why in data["cannot_express"].items():
        out += [f"  {m}: {w}" for w in why]
    return out
