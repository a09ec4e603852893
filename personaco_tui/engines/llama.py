"""llama.cpp in-process engine: k samples decoded together in one context.

The prompt is evaluated once for all k sequences, then every step decodes one token for each
live sequence in a single `llama_decode` call. Each sequence has its own sampler chain and
seed, so results are reproducible for a given seed. Reflection reads P("1") vs P("0") from
the logits of the reflection turns; shared prefixes are evaluated once and the KV cells of
the k answers are reused, not evaluated again. What each decode carries is planned in
`llama_plan.py`; loading and context parameters live in `llama_backend.py`; steered
sampling in `llama_steer.py`, persona contrast (2k sequences) in `llama_contrast.py`.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Sequence
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp import _internals as internals

from ..core.steer import SteerPlan
from ..errors import Cancelled, EngineError, ModelError
from . import llama_backend as backend
from . import llama_contrast as contrastive
from . import llama_plan as plan
from . import llama_steer as steered
from .base import (
    CancelToken,
    Capabilities,
    ChatMessage,
    Contrast,
    Progress,
    SampleOutput,
    SamplingParams,
    StopWhen,
    TurnProgressFn,
    YesNo,
)
from .chat_template import ChatTemplate
from .llama_backend import KV_LAYOUT_ENV as KV_LAYOUT_ENV
from .llama_backend import LlamaOptions as LlamaOptions
from .llama_score import ScoringMixin


class LlamaEngine(ScoringMixin):
    """A loaded GGUF model with one batched decoding context."""

    def __init__(
        self,
        path: str | Path,
        name: str | None = None,
        options: LlamaOptions | None = None,
        *,
        weights: str = "native",
    ) -> None:
        self.path = Path(path)
        self.name = name or self.path.stem
        self.weights = weights  # "native", or the format of a derived copy (catalog/weights)
        self.options = opts = options or LlamaOptions()
        self._lock = threading.Lock()  # one decode at a time: the context is not thread-safe

        self._model, self.n_gpu_layers = backend.load_model(self.path, opts.n_gpu_layers)
        self.capabilities = Capabilities(self.n_gpu_layers > 0, True, True, steered.STEERING, True)

        threads = opts.n_threads if opts.n_threads > 0 else backend.available_cpus()
        self.n_threads = threads
        self._batch_alloc = min(opts.n_batch, opts.n_ctx)
        self._ctx: internals.LlamaContext | None = None
        self._streams = 1  # 1: the unified layout; more: one KV stream per sequence
        self._cells = 0  # KV cells of one stream (the whole cache when unified)
        # Tokens resident in the KV cache per sequence after the last `sample` call: the
        # reflection that follows reuses them instead of evaluating prompt and answers again.
        self._resident: dict[int, list[int]] = {}
        self.n_ctx = opts.n_ctx  # until the context says how many cells it really has
        try:
            self._open_context(1)
        except ValueError:
            backend.close_model(self._model)
            raise ModelError(
                f"llama.cpp could not create a context of {opts.n_ctx} tokens for {self.path.name}"
                f" ({backend.last_error() or 'out of memory?'}).",
                "Lower model.n_ctx in the config.",
            ) from None
        # The budget every layout shares: the unified cache's size (llama.cpp pads n_ctx).
        self.n_ctx = self._cells
        self._vocab = self._model.vocab
        self.n_vocab: int = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._batch: llama_cpp.llama_batch | None = llama_cpp.llama_batch_init(
            self._batch_alloc, 0, opts.n_seq_max
        )
        self._eog = [t for t in range(self.n_vocab) if llama_cpp.llama_vocab_is_eog(self._vocab, t)]
        self.metadata = self._model.metadata()
        self.template = ChatTemplate.from_metadata(
            self.metadata,
            bos=self._piece(self._model.token_bos(), True),
            eos=self._piece(self._model.token_eos(), True),
        )
        self._yes_ids = self._answer_ids("1")
        self._no_ids = self._answer_ids("0")

    @property
    def eog_tokens(self) -> list[int]:
        """Token ids that end a generation (end of sequence, end of turn)."""
        return list(self._eog)

    @property
    def _context(self) -> internals.LlamaContext:
        if self._ctx is None:  # only after recreating it for a new layout failed, or close()
            raise EngineError("The model's context is gone.", "Reload the model.")
        return self._ctx

    # -- KV layout ------------------------------------------------------------------------

    def _open_context(self, streams: int) -> None:
        """(Re)create the context: `streams` == 1 is one unified KV cache of n_ctx cells; more
        gives sequences 0..streams-1 a stream of n_ctx // streams cells each (same memory)."""
        opts = self.options
        if self._ctx is not None:
            backend.close_context(self._ctx)
            self._ctx = None
            self._resident = {}
        many = streams > 1
        ctx = backend.new_context(
            self._model,
            n_ctx=plan.stream_cells(self.n_ctx, streams) * streams if many else opts.n_ctx,
            n_seq_max=streams if many else opts.n_seq_max,
            kv_unified=not many,
            n_batch=self._batch_alloc,
            n_ubatch=opts.n_ubatch,
            n_threads=self.n_threads,
        )
        self._ctx = ctx
        self._mem = llama_cpp.llama_get_memory(ctx.ctx)
        self._batch_cap = min(self._batch_alloc, int(llama_cpp.llama_n_batch(ctx.ctx)))
        self._streams = streams
        cells = llama_cpp.llama_n_ctx_seq(ctx.ctx) if many else llama_cpp.llama_n_ctx(ctx.ctx)
        self._cells = int(cells)

    def _fit_layout(self, n: int, cells: int) -> None:
        """Make the context hold `n` sequences of up to `cells` tokens each, preferring one
        stream per sequence; the current context is kept whenever it already fits."""
        if self._streams > 1 and n <= self._streams and cells <= self._cells:
            return
        want = plan.streams_for(n, cells, self.n_ctx, self.options.kv_layout)
        if want == self._streams:
            return
        try:
            self._open_context(want)
        except ValueError:
            if want == 1:
                why = backend.last_error() or "out of memory?"
                raise EngineError(
                    f"llama.cpp could not recreate the context ({why}).",
                    "Reload the model; lower model.n_ctx if it persists.",
                ) from None
            self._open_context(1)

    # -- tokens ---------------------------------------------------------------------------

    def _piece(self, token: int, special: bool = False) -> str:
        return "" if token < 0 else self._piece_bytes(token, special).decode("utf-8", "replace")

    def _piece_bytes(self, token: int, special: bool = False) -> bytes:
        return backend.token_piece(self._vocab, token, special)

    def tokenize(
        self, text: str, *, special: bool = True, add_bos: bool | None = None
    ) -> list[int]:
        data = text.encode("utf-8")
        if add_bos is None:
            bos = self._model.token_bos()
            add_bos = self._model.add_bos_token() and not (
                bos >= 0 and text.startswith(self._piece(bos, True))
            )
        tokens: list[int] = self._model.tokenize(data, add_bos, special)
        return tokens

    def _answer_ids(self, digit: str) -> list[int]:
        ids = set()
        for variant in (digit, " " + digit):
            toks = self.tokenize(variant, special=False, add_bos=False)
            if toks and self._piece(toks[-1]).strip() == digit:
                ids.add(toks[-1])
        return sorted(ids)

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        return self.tokenize(self.template.render(messages, add_generation_prompt=True))

    # -- batch plumbing -------------------------------------------------------------------

    def _decode(self, entries: Sequence[backend.DecodeEntry]) -> None:
        """Decode (token, pos, seq_ids, want_logits) entries; len(entries) <= batch capacity."""
        b = self._batch
        if b is None:
            raise EngineError("The model is closed.", "Reload the model.")
        backend.fill_batch(b, entries)
        rc: int = llama_cpp.llama_decode(self._context.ctx, b)
        if rc != 0:
            self._clear()
            if rc == 1:
                raise EngineError(
                    f"The context of {self.n_ctx} tokens is full.",
                    "Lower k or max tokens, or raise model.n_ctx.",
                )
            raise EngineError(
                f"llama.cpp decode failed (code {rc}).",
                "Try again; reload the model if it persists.",
            )

    def _clear(self) -> None:
        llama_cpp.llama_memory_clear(self._mem, True)
        self._resident = {}  # a cleared cache holds nothing to reuse

    def _copy(self, src: int, dst: int, p0: int = -1, p1: int = -1) -> None:
        llama_cpp.llama_memory_seq_cp(self._mem, src, dst, p0, p1)

    def _cut(self, seq: int, keep: int = -1) -> None:
        """Drop the cells of `seq` from position `keep` on (-1: all of them)."""
        llama_cpp.llama_memory_seq_rm(self._mem, seq, keep, -1)

    def _prefill(self, tokens: list[int], seqs: Sequence[int], start: int = 0) -> int:
        """Decode a prompt shared by all `seqs`; returns the batch index of the last logits."""
        if self._streams > 1 and len(seqs) > 1:
            # llama.cpp cannot give one token to sequences of different streams: decode the
            # prompt once, then copy the stream (applied before the next decode).
            last = self._prefill(tokens, seqs[:1], start)
            for s in seqs[1:]:
                self._copy(seqs[0], s)
            return last
        last = 0
        for entries in plan.prefill_chunks(tokens, seqs, start, self._batch_cap):
            self._decode(entries)
            last = len(entries) - 1
        return last

    # -- the engine interface ---------------------------------------------------------------

    def check_budget(self, prompt_len: int, n: int, max_tokens: int, extra: int = 0) -> None:
        plan.check_budget(
            prompt_len, n, max_tokens, extra, n_ctx=self.n_ctx, n_seq_max=self.options.n_seq_max
        )

    def sample(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
        prompt: list[int] | None = None,
        stop_when: StopWhen | None = None,
        steer: SteerPlan | None = None,
        contrast: Contrast | None = None,
    ) -> list[SampleOutput]:
        tokens = prompt if prompt is not None else self.prompt_tokens(messages)
        twins = contrastive.Twins(self, contrast, n, tokens, params) if contrast else None
        seqs, longest = twins.shape if twins else (n, len(tokens))
        if twins is None:
            self.check_budget(len(tokens), n, params.max_tokens)
        with self._lock:
            self._fit_layout(seqs, longest + params.max_tokens + plan.REFLECT_ROOM)
            self._clear()
            samplers = backend.new_samplers(params, n, self._eog, self.n_vocab)
            try:
                if (steer is not None and steer.active) or twins is not None:
                    return steered.sample(self, tokens, params, samplers, steer or SteerPlan(),
                                          on_progress, cancel, twins)  # fmt: skip
                return self._sample_locked(
                    tokens, n, params, samplers, on_progress, cancel, stop_when
                )
            except BaseException:
                self._clear()  # a cancelled or failed run leaves nothing behind
                raise
            finally:
                for s in samplers:
                    llama_cpp.llama_sampler_free(s)

    def _sample_locked(
        self,
        tokens: list[int],
        n: int,
        params: SamplingParams,
        samplers: list[llama_cpp.llama_sampler_p],
        on_progress: TurnProgressFn | None,
        cancel: CancelToken | None,
        stop_when: StopWhen | None,
    ) -> list[SampleOutput]:
        seqs = list(range(n))
        logits_idx = self._prefill(tokens, seqs)
        resident = {s: list(tokens) for s in seqs}
        decoders = [codecs.getincrementaldecoder("utf-8")(errors="replace") for _ in seqs]
        texts = [""] * n
        counts = [0] * n
        finish = ["length"] * n
        live = list(seqs)
        idx_of = dict.fromkeys(seqs, logits_idx)  # batch index holding each sequence's logits
        pos = len(tokens)
        stops = self.template.stop_strings
        ctx = self._context.ctx

        def final(s: int) -> str:
            text = texts[s] + decoders[s].decode(b"", final=True)
            for st in stops:
                cut = text.find(st)
                if cut >= 0:
                    text = text[:cut]
            return text.strip()

        # each candidate's sequence id (its KV stream) and an empty stream: see _compact
        where = list(seqs)
        spare = n if n < self._streams > 1 else -1
        while live:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            nxt: dict[int, int] = {}
            still = []
            done: list[int] = []
            for s in live:
                tok: int = llama_cpp.llama_sampler_sample(samplers[s], ctx, idx_of[s])
                if not params.ignore_eos and llama_cpp.llama_vocab_is_eog(self._vocab, tok):
                    finish[s] = "stop"
                    done.append(s)
                    continue
                counts[s] += 1
                piece = decoders[s].decode(self._piece_bytes(tok))
                texts[s] += piece
                if on_progress is not None and piece:
                    on_progress(Progress("token", candidate=s, n_tokens=counts[s], text=piece))
                if stops and not params.ignore_eos and any(st in texts[s] for st in stops):
                    finish[s] = "stop"
                    done.append(s)
                    continue
                if counts[s] >= params.max_tokens:
                    done.append(s)
                    continue
                nxt[s] = tok
                still.append(s)
            if stop_when is not None and any(stop_when(s, final(s)) for s in done):
                for s in still:  # a finished answer is good enough: cut the others here
                    finish[s] = "early_stop"
                still = []
            if spare >= 0 and done and still:
                spare = self._compact(where, done, still, spare)
            if still:
                order = sorted(still, key=where.__getitem__)
                self._decode([(nxt[s], pos, (where[s],), True) for s in order])
                idx_of = {s: i for i, s in enumerate(order)}
                for s in still:
                    resident[s].append(nxt[s])
            live = still
            pos += 1
        self._resident = {where[s]: toks for s, toks in resident.items()}
        return [
            SampleOutput(text=final(s), n_tokens=counts[s], finish_reason=finish[s]) for s in seqs
        ]

    def _compact(self, where: list[int], done: list[int], live: list[int], spare: int) -> int:
        """Keep the live sequences in the lowest streams (`plan.compact`); the new spare."""
        copies, spare = plan.compact(where, done, live, spare)
        for c in copies:
            self._copy(c.src, c.dst)
            if c.clear_src:
                self._cut(c.src)
        return spare

    def yes_no(
        self,
        conversations: list[list[ChatMessage]],
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        seqs = [self.prompt_tokens(c) for c in conversations]
        return self.yes_no_tokens(seqs, on_progress=on_progress, cancel=cancel)

    def yes_no_tokens(
        self,
        token_lists: list[list[int]],
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        """P("1") for each token list. Shared prefixes are evaluated once (a prefix tree), and
        prefixes still resident from the last `sample` call are copied, not evaluated."""
        plan.check_reflection_fits([len(t) for t in token_lists], self.n_ctx)
        if not token_lists:
            return []
        with self._lock:
            try:
                if self._streams > 1 and not all(0 < len(t) <= self._cells for t in token_lists):
                    self._open_context(1)  # a reflection turn longer than a stream
                if self._streams > 1:
                    return self._yes_no_streams(token_lists, on_progress, cancel)
                return self._yes_no_unified(token_lists, on_progress, cancel)
            except BaseException:
                self._clear()
                raise

    def _yes_no_unified(
        self,
        token_lists: list[list[int]],
        on_progress: TurnProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[YesNo]:
        order = sorted(range(len(token_lists)), key=lambda i: token_lists[i])
        results: list[YesNo | None] = [None] * len(token_lists)
        done = 0
        resident = self._resident
        used = plan.trie_size(list(resident.values()))
        free_seqs = self.options.n_seq_max - len(resident)
        if free_seqs < 1 or used > self.n_ctx // 2:
            self._clear()
            resident, used, free_seqs = {}, 0, self.options.n_seq_max
        waves = plan.waves([token_lists[i] for i in order], self.n_ctx - used, free_seqs)
        for lo, hi in waves:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            ids = order[lo:hi]
            ys = self._yes_no_wave([token_lists[i] for i in ids], resident, cancel)
            for i, y in zip(ids, ys, strict=True):
                results[i] = y
            done += len(ids)
            if on_progress is not None:
                on_progress(Progress("reflect", done=done, total=len(token_lists)))
        return [r for r in results if r is not None]

    def _yes_no_streams(
        self,
        token_lists: list[list[int]],
        on_progress: TurnProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[YesNo]:
        """Reflection with one KV stream per sequence. Each list is decoded in one stream,
        after the longest prefix the stream already holds (a candidate's prompt and answer
        from `sample`, or a prefix shared by all lists, decoded once and copied). A stream
        takes its lists one after another in sorted order, cutting its cache back to where
        the next list branches off, so what lists share is evaluated once per stream; each
        round decodes the next list of every stream in one batch."""
        same: dict[plan.Tokens, list[int]] = {}
        for i, t in enumerate(token_lists):
            same.setdefault(tuple(t), []).append(i)
        queues, root = plan.stream_plan(sorted(same), self._resident, self._streams)
        held = dict(self._resident)  # the tokens each stream holds
        if root >= 0:  # nothing resident helps: start every stream from the shared prefix
            self._clear()
            first = next(iter(queues.values()))[0]
            if root > 0:
                self._prefill(list(first[:root]), sorted(queues))
            held = {s: list(first[:root]) for s in queues}
        results: list[YesNo | None] = [None] * len(token_lists)
        done = 0
        for rnd in range(max(map(len, queues.values()))):
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            cuts, entries = plan.stream_round(queues, held, rnd)
            for s, keep in cuts:
                self._cut(s, keep)
            self._resident = held  # what the cache holds once this round is decoded
            for off in range(0, len(entries), self._batch_cap):
                chunk = entries[off : off + self._batch_cap]
                self._decode([(tok, p, (s,), leaf is not None) for tok, p, s, leaf in chunk])
                for i, (_, _, _, leaf) in enumerate(chunk):
                    if leaf is not None:
                        y = self._read_yes_no(i)
                        for j in same[leaf]:
                            results[j] = y
                        done += len(same[leaf])
            if on_progress is not None:
                on_progress(Progress("reflect", done=done, total=len(token_lists)))
        return [r for r in results if r is not None]

    def _yes_no_wave(
        self, lists: list[list[int]], resident: dict[int, list[int]], cancel: CancelToken | None
    ) -> list[YesNo]:
        base = max(resident, default=-1) + 1
        seq_ids = [base + i for i in range(len(lists))]
        starts = [0] * len(lists)
        for i, (src, start) in enumerate(plan.reuse_sources(lists, resident)):
            starts[i] = start
            if start > 0:
                self._copy(src, seq_ids[i], 0, start)
        entries = plan.prefix_tree(lists, starts)
        results: list[YesNo | None] = [None] * len(lists)
        try:
            for off in range(0, len(entries), self._batch_cap):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                chunk = entries[off : off + self._batch_cap]
                self._decode(
                    [(t, p, tuple(seq_ids[m] for m in ms), bool(leaf)) for t, p, ms, leaf in chunk]
                )
                for i, (_, _, _, leaf) in enumerate(chunk):
                    if leaf:
                        y = self._read_yes_no(i)
                        for j in leaf:
                            results[j] = y
        finally:
            for sid in seq_ids:
                self._cut(sid)
        return [r for r in results if r is not None]

    def _read_yes_no(self, batch_index: int) -> YesNo:
        ptr = llama_cpp.llama_get_logits_ith(self._context.ctx, batch_index)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        p_yes, p1, p0, top = plan.yes_no_odds(logits, self._yes_ids, self._no_ids)
        raw = f"top={self._piece(top)!r} P(1)={p1:.4f} P(0)={p0:.4f}"
        return YesNo(p_yes=p_yes, raw=raw, text=self._piece(top))

    def close(self) -> None:
        with self._lock:
            if self._batch is not None:
                llama_cpp.llama_batch_free(self._batch)
                self._batch = None
            if self._ctx is not None:  # None only if recreating it for a new layout failed
                backend.close_context(self._ctx)
                self._ctx = None
            backend.close_model(self._model)
