"""The three enforcers `personaco bench-masks` compares (benchmarks/masks.py), each replaying
token sequences: `verdict` says whether it accepts one, `time` the cost of each step for k of
them at once.

- `Own`: the project's masks, driven by the per-sequence `Controller` (forced text fed as the
  engine feeds it, engines/llama_steer.py);
- `Guidance`: an llguidance `LLMatcher` per sequence, the k masks filled in one batched call;
- `Grammar`: llama.cpp's grammar sampler, on the full candidate array (the exact mask) or on
  the drawn token alone (what llama.cpp's common sampler checks first).
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..core.steer import Controller, Directive, SteerPlan, recased
from ..errors import PersonacoError

if TYPE_CHECKING:
    from ..engines.llama import LlamaEngine

MAX_TOKENS = 256  # the plan's budget: above every replay, so no budget rule cuts one short
# A replay: segments of (text, forced); forced text is what the own steering writes itself.
Replay = list[tuple[str, bool]]
Row = npt.NDArray[np.float32]


@dataclass
class Seq:
    """One replayed sequence: its tokens, each token's text, and which the own steering forces."""

    tokens: list[int]
    text: list[str]
    forced: list[bool]


def tokenize(engine: LlamaEngine, replay: Replay) -> Seq:
    toks: list[int] = []
    forced: list[bool] = []
    for text, f in replay:
        ids = engine.tokenize(text, special=False, add_bos=False)
        toks += ids
        forced += [f] * len(ids)
    return Seq(toks, [engine._piece(t) for t in toks], forced)


class Own:
    """The own steering: per step the controller's directive, its mask cached per vocabulary,
    forced text tokenized and fed (no mask) as engines/llama_steer.py does."""

    def __init__(self, engine: LlamaEngine, plan: SteerPlan, table: Any) -> None:
        self.engine, self.plan, self.table = engine, plan, table

    def _directive(self, ctrl: Controller, text: str, i: int, forced: bool) -> Directive:
        d = ctrl.next(text, MAX_TOKENS - i)
        if not d.force and not d.stop and forced:
            d = ctrl.eog(text, MAX_TOKENS - i)  # the model ended its part: the ending comes next
        return d

    def verdict(self, seq: Seq) -> str:
        ctrl, text, i = Controller(self.plan, MAX_TOKENS), "", 0
        while i < len(seq.tokens):
            d = self._directive(ctrl, text, i, seq.forced[i])
            if d.stop:
                return f"stops at token {i}"
            if d.force:
                if not "".join(seq.text[i:]).startswith(d.force):
                    return f"forces {d.force!r} at token {i}"
                end = len(text) + len(d.force)
                while len(text) < end:
                    text += seq.text[i]
                    i += 1
                continue
            piece = seq.text[i]
            mask = self.table.banned(d)
            if mask is not None and mask[seq.tokens[i]]:
                return f"rejects token {i} {piece!r}"
            if d.recase and recased(piece, d.recase) != piece:
                return f"re-cases token {i} {piece!r}"
            text += piece
            i += 1
        d = ctrl.eog(text, MAX_TOKENS - i)
        return "accepts" if d.stop else f"adds {d.force!r}"

    def time(self, seqs: list[Seq], steps: int, logits: Row) -> list[float]:
        ctrls = [Controller(self.plan, MAX_TOKENS) for _ in seqs]
        texts = [""] * len(seqs)
        queued = [0] * len(seqs)
        rows = np.empty((len(seqs), len(logits)), dtype=np.float32)
        out = []
        for i in range(steps):
            live = [j for j, s in enumerate(seqs) if i < len(s.tokens)]
            if not live:
                break
            t0 = time.perf_counter()
            for j in live:
                if queued[j]:
                    queued[j] -= 1
                else:
                    d = self._directive(ctrls[j], texts[j], i, seqs[j].forced[i])
                    if d.force:
                        ids = self.engine.tokenize(d.force, special=False, add_bos=False)
                        queued[j] = len(ids) - 1
                    elif not d.stop:
                        rows[j] = logits
                        mask = self.table.banned(d)
                        if mask is not None:
                            rows[j][mask] = -np.inf
                texts[j] += seqs[j].text[i]
            out.append(time.perf_counter() - t0)
        return out


class Guidance:
    """llguidance: one matcher per sequence from the GBNF, k masks filled in one call."""

    def __init__(self, tokenizer: Any, fmt: Any, text: str, threads: int) -> None:
        """`fmt`: an llguidance grammar format ("gbnf", "lark", "json_schema")."""
        import llguidance

        t0 = time.perf_counter()
        grammar = llguidance.grammar_from(fmt, text)
        self.proto = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
        self.error = self.proto.get_error().splitlines()[0] if self.proto.is_error() else ""
        self.compile_s = time.perf_counter() - t0
        self.executor = llguidance.LLExecutor(num_threads=threads)
        self.n = tokenizer.vocab_size

    def new(self) -> Any:
        return self.proto.deep_copy()

    def verdict(self, seq: Seq) -> str:
        if self.error:
            return f"does not load: {self.error}"
        m = self.new()
        for i, tok in enumerate(seq.tokens):
            if not m.consume_token(tok):
                return f"rejects token {i} {seq.text[i]!r}"
        return "accepts" if m.is_accepting() else "cannot end there"

    def time(self, seqs: list[Seq], steps: int, logits: Row) -> tuple[list[float], list[float]]:
        """Per step: the whole step, and the batched mask filling alone."""
        from llguidance.numpy import allocate_token_bitmask, fill_next_token_bitmask_par

        ms = [self.new() for _ in seqs]
        ok = [True] * len(seqs)
        bits = allocate_token_bitmask(len(seqs), self.n)
        rows = np.empty((len(seqs), len(logits)), dtype=np.float32)
        out, fill = [], []
        for i in range(steps):
            live = [j for j, s in enumerate(seqs) if i < len(s.tokens) and ok[j]]
            if not live:
                break
            t0 = time.perf_counter()
            fill_next_token_bitmask_par(self.executor, [(ms[j], j) for j in live], bits)
            t1 = time.perf_counter()
            for j in live:
                allowed = np.unpackbits(bits[j].view(np.uint8), bitorder="little")[: len(logits)]
                rows[j] = logits
                rows[j][allowed == 0] = -np.inf
                ok[j] = bool(ms[j].consume_token(seqs[j].tokens[i]))
            out.append(time.perf_counter() - t0)
            fill.append(t1 - t0)
        return out, fill


_CAND = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


class Grammar:
    """llama.cpp's grammar sampler on the GBNF, one per sequence."""

    def __init__(self, engine: LlamaEngine, gbnf: str) -> None:
        import llama_cpp

        self.ll = llama_cpp
        self.vocab = engine._vocab
        self.gbnf = gbnf.encode()
        eos = int(llama_cpp.llama_vocab_eos(self.vocab))
        self.eog = eos if eos >= 0 else engine.eog_tokens[0]
        self.n = engine.n_vocab

    def new(self) -> Any:
        s = self.ll.llama_sampler_init_grammar(self.vocab, self.gbnf, b"root")
        if not s:
            raise PersonacoError("llama.cpp does not load the grammar gbnf.py made.")
        return s

    def _array(self, cand: npt.NDArray[Any]) -> Any:
        ll = self.ll
        arr = ll.llama_token_data_array(
            data=cand.ctypes.data_as(ctypes.POINTER(ll.llama_token_data)),
            size=len(cand),
            selected=-1,
            sorted=False,
        )
        return arr

    def _allows(self, smp: Any, tok: int) -> bool:
        """Whether the grammar allows `tok` now: the drawn token alone checked, as
        llama.cpp's common sampler does before it masks the whole vocabulary."""
        one = np.zeros(1, dtype=_CAND)
        one["id"] = tok
        self.ll.llama_sampler_apply(smp, ctypes.byref(self._array(one)))
        return bool(np.isfinite(one["logit"][0]))

    def verdict(self, seq: Seq) -> str:
        smp = self.new()
        try:
            for i, tok in enumerate(seq.tokens):
                if not self._allows(smp, tok):
                    return f"rejects token {i} {seq.text[i]!r}"
                self.ll.llama_sampler_accept(smp, tok)
            return "accepts" if self._allows(smp, self.eog) else "cannot end there"
        finally:
            self.ll.llama_sampler_free(smp)

    def time(self, seqs: list[Seq], steps: int, logits: Row, full: bool) -> list[float]:
        """Per step, with the full mask (`full`) or the drawn token checked alone."""
        smps = [self.new() for _ in seqs]
        ok = [True] * len(seqs)
        template = np.zeros(self.n, dtype=_CAND)
        template["id"] = np.arange(self.n)
        template["logit"] = logits[: self.n]
        cands = [template.copy() for _ in seqs]
        arrays = [self._array(c) for c in cands]
        out = []
        try:
            for i in range(steps):
                live = [j for j, s in enumerate(seqs) if i < len(s.tokens) and ok[j]]
                if not live:
                    break
                t0 = time.perf_counter()
                for j in live:
                    tok = seqs[j].tokens[i]
                    if full:
                        np.copyto(cands[j], template)
                        arrays[j].size, arrays[j].selected = self.n, -1
                        self.ll.llama_sampler_apply(smps[j], ctypes.byref(arrays[j]))
                        ok[j] = bool(np.isfinite(cands[j]["logit"][tok]))
                    else:
                        ok[j] = self._allows(smps[j], tok)
                    if ok[j]:
                        self.ll.llama_sampler_accept(smps[j], tok)
                out.append(time.perf_counter() - t0)
        finally:
            for s in smps:
                self.ll.llama_sampler_free(s)
        return out
