"""llama.cpp in-process engine: k samples decoded together in one context.

The prompt is evaluated once for all k sequences, then every step decodes one token for each
live sequence in a single `llama_decode` call. Each sequence has its own sampler chain and
seed, so results are reproducible for a given seed. Reflection reads P("1") vs P("0") from
the logits of the reflection turns; shared prefixes are evaluated once and the KV cells of
the k answers are reused, not evaluated again.

Two KV layouts (`LlamaOptions.kv_layout`):

- `streams` (default): when a turn fits, the context holds one KV stream per sequence
  (llama.cpp's non-unified cache). The prompt is decoded in stream 0 and copied to the others.
  Attention then runs over a sequence's own cells only. In one unified cache the k answers'
  cells interleave (step t puts one token of every sequence side by side), so a reflection
  token attends over all of them through a mask and llama.cpp's flash attention cannot skip
  a masked block (profiled: ~20% of reflection CPU went to mask tiles). Measured on 2 cores,
  the bench turn (k = 8, 5 signals, `self`) with both layouts in one process, interleaved,
  median of 4: 1.15x faster with BF16 compute weights, 1.18x with the Q4_1 file.
- `unified`: one cache shared by every sequence; prompt cells carry all sequence ids and
  reflection turns are decoded as one prefix tree. Used when a turn does not fit in
  per-sequence streams of n_ctx / k cells, and selectable for comparison (the environment
  variable PERSONACO_LLAMA_KV=unified sets the default, e.g. for `personaco bench`).
"""

from __future__ import annotations

import codecs
import ctypes
import os
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp import _internals as internals

from ..errors import Cancelled, EngineError, ModelError
from .base import (
    CancelToken,
    Capabilities,
    ChatMessage,
    Progress,
    ProgressFn,
    SampleOutput,
    SamplingParams,
    StopWhen,
    YesNo,
)
from .chat_template import ChatTemplate

_backend_lock = threading.Lock()
_backend_ready = False
_log_lines: deque[str] = deque(maxlen=40)


@llama_cpp.llama_log_callback
def _log_callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    # llama.cpp writes its own log to stderr, which would tear the TUI; keep the last lines
    # so a failed load can say why.
    try:
        line = text.decode("utf-8", errors="replace").rstrip()
    except Exception:  # noqa: BLE001 - a log callback must never raise into C
        return
    if line:
        _log_lines.append(line)


def _init_backend() -> None:
    global _backend_ready
    with _backend_lock:
        if not _backend_ready:
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
            llama_cpp.llama_backend_init()
            _backend_ready = True


def gpu_offload_supported() -> bool:
    _init_backend()
    return bool(llama_cpp.llama_supports_gpu_offload())


def system_info() -> str:
    _init_backend()
    return llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")


def quantize_file(src: Path, dst: Path, ftype: int) -> None:
    """Write `src`'s weights to `dst` in llama.cpp file type `ftype` (see catalog/weights.py).
    Raises ModelError with llama.cpp's reason when it fails."""
    _init_backend()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.allow_requantize = True
    params.nthread = _available_cpus()
    _log_lines.clear()
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    if rc != 0:
        raise ModelError(f"llama.cpp could not convert {src.name}: {_last_error() or rc}.")


def _available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _last_error() -> str:
    for line in reversed(_log_lines):
        low = line.lower()
        if "error" in low or "failed" in low or "corrupt" in low or "invalid" in low:
            return line.strip()
    return ""


@dataclass
class LlamaOptions:
    n_ctx: int = 8192
    n_gpu_layers: int = -1  # -1: all layers when the build supports GPU offload
    n_threads: int = 0  # 0: let llama.cpp decide
    n_batch: int = 2048
    n_ubatch: int = 512
    n_seq_max: int = 64  # sequences of the unified layout
    kv_layout: str = field(default_factory=lambda: os.environ.get(KV_LAYOUT_ENV, "streams"))


KV_LAYOUT_ENV = "PERSONACO_LLAMA_KV"  # "streams" or "unified": see the module docstring
_STREAM_PAD = 256  # llama.cpp rounds a stream up to a multiple of this many cells
# Room a stream keeps after prompt + answer for the reflection turn that follows
# (turn markers, the reflection question and a signal); a turn that needs more than a stream
# holds uses the unified layout instead of re-evaluating its answers later.
_REFLECT_ROOM = 128


class LlamaEngine:
    """A loaded GGUF model with one batched decoding context."""

    def __init__(
        self,
        path: str | Path,
        name: str | None = None,
        options: LlamaOptions | None = None,
        *,
        weights: str = "native",
    ):
        _init_backend()
        self.path = Path(path)
        self.name = name or self.path.stem
        self.weights = weights  # "native", or the format of a derived copy (catalog/weights)
        self.options = opts = options or LlamaOptions()
        self._lock = threading.Lock()  # one decode at a time: the context is not thread-safe

        gpu = bool(llama_cpp.llama_supports_gpu_offload())
        mparams = llama_cpp.llama_model_default_params()
        layers = opts.n_gpu_layers if opts.n_gpu_layers >= 0 else 10_000
        mparams.n_gpu_layers = layers if gpu else 0
        _log_lines.clear()
        try:
            self._model = internals.LlamaModel(
                path_model=str(self.path), params=mparams, verbose=False
            )
        except (ValueError, OSError) as e:
            detail = _last_error() or str(e)
            raise ModelError(
                f"llama.cpp could not load {self.path.name}: {detail}.",
                "The file may be damaged or of an unsupported architecture; download it again.",
            ) from None
        self.n_gpu_layers = mparams.n_gpu_layers
        self.capabilities = Capabilities(
            cancel=True, batch=True, logprobs=True, gpu_offload=gpu and mparams.n_gpu_layers > 0
        )

        threads = opts.n_threads if opts.n_threads > 0 else _available_cpus()
        self.n_threads = threads
        # the same batch in every layout: decoding chunks never depend on the layout
        self._batch_alloc = min(opts.n_batch, opts.n_ctx)
        self._ctx: internals.LlamaContext | None = None
        self._streams = 1  # 1: the unified layout; more: one KV stream per sequence
        self._cells = 0  # KV cells of one stream (the whole cache when unified)
        try:
            self._open_context(1)
        except ValueError:
            self._model.close()
            raise ModelError(
                f"llama.cpp could not create a context of {opts.n_ctx} tokens for {self.path.name}"
                f" ({_last_error() or 'out of memory?'}).",
                "Lower model.n_ctx in the config.",
            ) from None
        # The budget every layout shares: the unified cache's size (llama.cpp pads n_ctx).
        self.n_ctx = self._cells
        self._vocab = self._model.vocab
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._batch = llama_cpp.llama_batch_init(self._batch_alloc, 0, opts.n_seq_max)
        self._eog = [t for t in range(self.n_vocab) if llama_cpp.llama_vocab_is_eog(self._vocab, t)]
        self.metadata = self._model.metadata()
        self.template = ChatTemplate.from_metadata(
            self.metadata,
            bos=self._piece(self._model.token_bos(), True),
            eos=self._piece(self._model.token_eos(), True),
        )
        # Tokens resident in the KV cache per sequence after the last `sample` call: the
        # reflection that follows reuses them instead of evaluating prompt and answers again.
        self._resident: dict[int, list[int]] = {}
        self._yes_ids = self._answer_ids("1")
        self._no_ids = self._answer_ids("0")

    @property
    def eog_tokens(self) -> list[int]:
        """Token ids that end a generation (end of sequence, end of turn)."""
        return list(self._eog)

    # -- KV layout ------------------------------------------------------------------------

    def _open_context(self, streams: int) -> None:
        """(Re)create the context: `streams` == 1 is one unified KV cache of n_ctx cells for
        every sequence; more gives sequences 0..streams-1 a stream of n_ctx // streams cells
        each (the same memory in all)."""
        opts = self.options
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None
            self._resident = {}
        cparams = llama_cpp.llama_context_default_params()
        if streams > 1:
            cparams.n_ctx = self._stream_cells(streams) * streams
            cparams.n_seq_max = streams
            cparams.kv_unified = False
        else:
            cparams.n_ctx = opts.n_ctx
            cparams.n_seq_max = opts.n_seq_max
            # Unified KV: the sequences share the prompt's cells and the whole n_ctx budget.
            cparams.kv_unified = True
        cparams.n_batch = min(self._batch_alloc, cparams.n_ctx)
        cparams.n_ubatch = min(opts.n_ubatch, cparams.n_batch)
        cparams.no_perf = True
        # llama.cpp's own default (4 threads) oversubscribes small machines and halves speed.
        cparams.n_threads = self.n_threads
        cparams.n_threads_batch = self.n_threads
        self._ctx = internals.LlamaContext(model=self._model, params=cparams, verbose=False)
        self._mem = llama_cpp.llama_get_memory(self._ctx.ctx)
        self._batch_cap = min(self._batch_alloc, llama_cpp.llama_n_batch(self._ctx.ctx))
        self._streams = streams
        self._cells = (
            llama_cpp.llama_n_ctx_seq(self._ctx.ctx)
            if streams > 1
            else llama_cpp.llama_n_ctx(self._ctx.ctx)
        )

    def _stream_cells(self, streams: int) -> int:
        return (self.n_ctx // streams) // _STREAM_PAD * _STREAM_PAD

    def _fit_layout(self, n: int, cells: int) -> None:
        """Make the context hold `n` sequences of up to `cells` tokens each, preferring one
        stream per sequence; the current context is kept whenever it already fits."""
        if self._streams > 1 and n <= self._streams and cells <= self._cells:
            return
        want = 1
        if self.options.kv_layout == "streams" and n > 1:
            # one stream more than sequences when it fits: the spare that _compact uses
            want = next((m for m in (n + 1, n) if self._stream_cells(m) >= cells), 1)
        if want == self._streams:
            return
        try:
            self._open_context(want)
        except ValueError:
            if want == 1:
                why = _last_error() or "out of memory?"
                raise EngineError(
                    f"llama.cpp could not recreate the context ({why}).",
                    "Reload the model; lower model.n_ctx if it persists.",
                ) from None
            self._open_context(1)

    # -- tokens ---------------------------------------------------------------------------

    def _piece(self, token: int, special: bool = False) -> str:
        if token < 0:
            return ""
        return self._piece_bytes(token, special).decode("utf-8", errors="replace")

    def _piece_bytes(self, token: int, special: bool = False) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, 64, 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, -n, 0, special)
        return buf.raw[:n]

    def tokenize(
        self, text: str, *, special: bool = True, add_bos: bool | None = None
    ) -> list[int]:
        data = text.encode("utf-8")
        if add_bos is None:
            bos = self._model.token_bos()
            add_bos = self._model.add_bos_token() and not (
                bos >= 0 and text.startswith(self._piece(bos, True))
            )
        return self._model.tokenize(data, add_bos, special)

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

    def _decode(self, entries: Sequence[tuple[int, int, Sequence[int], bool]]) -> None:
        """Decode (token, pos, seq_ids, want_logits) entries; len(entries) <= batch capacity."""
        b = self._batch
        for i, (tok, pos, seqs, logits) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = len(seqs)
            for j, s in enumerate(seqs):
                b.seq_id[i][j] = s
            b.logits[i] = 1 if logits else 0
        b.n_tokens = len(entries)
        rc = llama_cpp.llama_decode(self._ctx.ctx, b)
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
        self._resident = {}

    def _sampler(self, p: SamplingParams, seed: int) -> llama_cpp.llama_sampler_p:
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        if p.ignore_eos and self._eog:
            biases = (llama_cpp.llama_logit_bias * len(self._eog))()
            for i, t in enumerate(self._eog):
                biases[i].token = t
                biases[i].bias = float("-inf")
            llama_cpp.llama_sampler_chain_add(
                chain, llama_cpp.llama_sampler_init_logit_bias(self.n_vocab, len(self._eog), biases)
            )
        if p.temperature <= 0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
            return chain
        if p.top_k > 0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(p.top_k))
        if p.top_p < 1.0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(p.top_p, 1))
        if p.min_p > 0.0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_min_p(p.min_p, 1))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(p.temperature))
        llama_cpp.llama_sampler_chain_add(
            chain, llama_cpp.llama_sampler_init_dist(seed & 0xFFFFFFFF)
        )
        return chain

    def _prefill(self, tokens: list[int], seqs: Sequence[int], start: int = 0) -> int:
        """Decode a prompt shared by all `seqs`; returns the batch index of the last logits."""
        if self._streams > 1 and len(seqs) > 1:
            # llama.cpp cannot give one token to sequences of different streams: decode the
            # prompt once, then copy the stream (applied before the next decode).
            last = self._prefill(tokens, seqs[:1], start)
            for s in seqs[1:]:
                llama_cpp.llama_memory_seq_cp(self._mem, seqs[0], s, -1, -1)
            return last
        last = 0
        for off in range(0, len(tokens), self._batch_cap):
            chunk = tokens[off : off + self._batch_cap]
            end = off + len(chunk) == len(tokens)
            entries = [
                (t, start + off + i, seqs, end and i == len(chunk) - 1) for i, t in enumerate(chunk)
            ]
            self._decode(entries)
            last = len(chunk) - 1
        return last

    # -- the engine interface ---------------------------------------------------------------

    def check_budget(self, prompt_len: int, n: int, max_tokens: int, extra: int = 0) -> None:
        need = prompt_len + n * max_tokens + extra
        if n > self.options.n_seq_max:
            raise EngineError(
                f"k = {n} exceeds the {self.options.n_seq_max} sequences this context holds.",
                "Lower k.",
            )
        if need > self.n_ctx:
            raise EngineError(
                f"This turn needs about {need} tokens of context (prompt {prompt_len} + {n} x "
                f"{max_tokens} new + {extra} for reflection) but the model's context holds "
                f"{self.n_ctx}.",
                "Lower k or max tokens, shorten the signals, or raise model.n_ctx.",
            )

    def sample(
        self,
        messages: list[ChatMessage],
        n: int,
        params: SamplingParams,
        *,
        on_progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        prompt: list[int] | None = None,
        stop_when: StopWhen | None = None,
    ) -> list[SampleOutput]:
        tokens = prompt if prompt is not None else self.prompt_tokens(messages)
        self.check_budget(len(tokens), n, params.max_tokens)
        with self._lock:
            self._fit_layout(n, len(tokens) + params.max_tokens + _REFLECT_ROOM)
            self._clear()
            samplers = [self._sampler(params, params.seed + i) for i in range(n)]
            try:
                return self._sample_locked(
                    tokens, n, params, samplers, on_progress, cancel, stop_when
                )
            except BaseException:
                self._clear()  # a cancelled or failed run leaves nothing behind
                raise
            finally:
                for s in samplers:
                    llama_cpp.llama_sampler_free(s)

    def _sample_locked(self, tokens, n, params, samplers, on_progress, cancel, stop_when):
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

        def final(s: int) -> str:
            text = texts[s] + decoders[s].decode(b"", final=True)
            for st in stops:
                cut = text.find(st)
                if cut >= 0:
                    text = text[:cut]
            return text.strip()

        # The sequence id (in the streams layout, the KV stream) holding each candidate, and a
        # stream that holds nothing: see _compact.
        where = list(seqs)
        spare = n if n < self._streams > 1 else -1
        while live:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            nxt: dict[int, int] = {}
            still = []
            done: list[int] = []
            for s in live:
                tok = llama_cpp.llama_sampler_sample(samplers[s], self._ctx.ctx, idx_of[s])
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
        resident = {where[s]: toks for s, toks in resident.items()}
        self._resident = resident
        return [
            SampleOutput(text=final(s), n_tokens=counts[s], finish_reason=finish[s]) for s in seqs
        ]

    def _compact(self, where: list[int], done: list[int], live: list[int], spare: int) -> int:
        """Keep the live sequences of the streams layout in the lowest streams. llama.cpp puts
        only consecutive sequence ids of a non-unified cache in one micro-batch, so the gap a
        finished answer leaves would split every later step into several decodes (measured:
        4 live sequences in streams 0, 2, 4, 6 decode ~30% slower than in 0-3). The finished
        answer's stream is copied to the spare one (reflection reuses its cells), the highest
        live stream moves into the gap and becomes the spare. llama.cpp copies whole streams
        at the next decode, in the order asked. Returns the new spare stream."""
        for c in done:
            gap = where[c]
            top = max(live, key=where.__getitem__)
            if where[top] < gap:
                continue
            llama_cpp.llama_memory_seq_cp(self._mem, gap, spare, -1, -1)
            where[c] = spare
            moved = where[top]
            llama_cpp.llama_memory_seq_cp(self._mem, moved, gap, -1, -1)
            llama_cpp.llama_memory_seq_rm(self._mem, moved, -1, -1)
            where[top] = gap
            spare = moved
        return spare

    def yes_no(
        self,
        conversations: list[list[ChatMessage]],
        *,
        on_progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        seqs = [self.prompt_tokens(c) for c in conversations]
        return self.yes_no_tokens(seqs, on_progress=on_progress, cancel=cancel)

    def yes_no_tokens(
        self,
        token_lists: list[list[int]],
        *,
        on_progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[YesNo]:
        """P("1") for each token list. Shared prefixes are evaluated once (a prefix tree), and
        prefixes still resident from the last `sample` call are copied, not evaluated."""
        for t in token_lists:
            if len(t) > self.n_ctx:
                raise EngineError(
                    f"A reflection prompt of {len(t)} tokens exceeds the context ({self.n_ctx}).",
                    "Lower max tokens or raise model.n_ctx.",
                )
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
        on_progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[YesNo]:
        order = sorted(range(len(token_lists)), key=lambda i: token_lists[i])
        results: list[YesNo | None] = [None] * len(token_lists)
        done = 0
        resident = self._resident
        used = _trie_size(list(resident.values()))
        free_seqs = self.options.n_seq_max - len(resident)
        if free_seqs < 1 or used > self.n_ctx // 2:
            self._clear()
            resident, used, free_seqs = {}, 0, self.options.n_seq_max
        waves = _waves([token_lists[i] for i in order], self.n_ctx - used, free_seqs)
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
        on_progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> list[YesNo]:
        """Reflection with one KV stream per sequence. Each list is decoded in one stream,
        after the longest prefix the stream already holds (a candidate's prompt and answer
        from `sample`, or a prefix shared by all lists, decoded once and copied). A stream
        takes its lists one after another in sorted order, cutting its cache back to where
        the next list branches off, so what lists share is evaluated once per stream; each
        round decodes the next list of every stream in one batch."""
        same: dict[tuple[int, ...], list[int]] = {}
        for i, t in enumerate(token_lists):
            same.setdefault(tuple(t), []).append(i)
        plan, root = self._stream_plan(sorted(same))
        held = dict(self._resident)  # the tokens each stream holds
        if root >= 0:  # nothing resident helps: start every stream from the shared prefix
            self._clear()
            first = next(iter(plan.values()))[0]
            if root > 0:
                self._prefill(list(first[:root]), sorted(plan))
            held = {s: list(first[:root]) for s in plan}
        results: list[YesNo | None] = [None] * len(token_lists)
        done = 0
        for rnd in range(max(map(len, plan.values()))):
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            entries: list[tuple[int, int, tuple[int, ...], tuple[int, ...] | None]] = []
            for s, queue in sorted(plan.items()):  # llama.cpp splits ubatches at id gaps
                if rnd >= len(queue):
                    continue
                t = queue[rnd]
                have = held[s]
                keep = min(_lcp(have, t), len(t) - 1)  # the last token's logits are the answer
                if keep < len(have):
                    llama_cpp.llama_memory_seq_rm(self._mem, s, keep, -1)
                last = len(t) - 1
                entries.extend(
                    (t[p], p, (s,), t if p == last else None) for p in range(keep, len(t))
                )
                held[s] = list(t)
            self._resident = held  # what the cache holds once this round is decoded
            for off in range(0, len(entries), self._batch_cap):
                chunk = entries[off : off + self._batch_cap]
                self._decode([(tok, p, ss, leaf is not None) for tok, p, ss, leaf in chunk])
                for i, (_, _, _, leaf) in enumerate(chunk):
                    if leaf is not None:
                        y = self._read_yes_no(i)
                        for j in same[leaf]:
                            results[j] = y
                        done += len(same[leaf])
            if on_progress is not None:
                on_progress(Progress("reflect", done=done, total=len(token_lists)))
        return [r for r in results if r is not None]

    def _stream_plan(
        self, lists: list[tuple[int, ...]]
    ) -> tuple[dict[int, list[tuple[int, ...]]], int]:
        """Which stream decodes which of the sorted, distinct `lists`, in order. The second
        value is -1 when the streams start from what they hold (every list extends a resident
        stream beyond the prefix all lists share), else the length of that shared prefix,
        which the streams are then filled with first (nothing resident is kept)."""
        root = min(_lcp(lists[0], lists[-1]), min(map(len, lists)) - 1)
        # A resident stream must hold more than the shared prefix, which fresh streams get
        # decoded once; else all lists would queue on one stream, one list per round.
        floor = root if len(lists) > 1 else 0
        queues: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
        for t in lists:
            best_s, best = -1, floor
            for s, rt in self._resident.items():
                n = _lcp(rt, t)
                if n > best:
                    best_s, best = s, n
            if best_s < 0:
                break
            queues.setdefault(best_s, []).append((-best, t))
        else:
            # longest reuse first: the cache is then only ever cut back further (depth-first)
            return {s: [t for _, t in sorted(q)] for s, q in queues.items()}, -1
        return dict(enumerate(_partition(lists, root, self._streams))), root

    def _yes_no_wave(
        self, lists: list[list[int]], resident: dict[int, list[int]], cancel: CancelToken | None
    ) -> list[YesNo]:
        base = max(resident, default=-1) + 1
        seq_ids = [base + i for i in range(len(lists))]
        starts = [0] * len(lists)
        for i, t in enumerate(lists):
            best_seq, best = -1, 0
            for rs, rt in resident.items():
                n = _lcp(rt, t)
                if n > best:
                    best_seq, best = rs, n
            # the last token is always decoded: its logits are the answer
            starts[i] = min(best, len(t) - 1)
            if starts[i] > 0:
                llama_cpp.llama_memory_seq_cp(self._mem, best_seq, seq_ids[i], 0, starts[i])
        entries = _prefix_tree(lists, starts)
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
                llama_cpp.llama_memory_seq_rm(self._mem, sid, -1, -1)
        return [r for r in results if r is not None]

    def _read_yes_no(self, batch_index: int) -> YesNo:
        ptr = llama_cpp.llama_get_logits_ith(self._ctx.ctx, batch_index)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float64)
        m = logits.max()
        probs = np.exp(logits - m)
        probs /= probs.sum()
        p1 = float(probs[self._yes_ids].sum()) if self._yes_ids else 0.0
        p0 = float(probs[self._no_ids].sum()) if self._no_ids else 0.0
        top = int(logits.argmax())
        p_yes = p1 / (p1 + p0) if p1 + p0 > 0 else 0.5
        raw = f"top={self._piece(top)!r} P(1)={p1:.4f} P(0)={p0:.4f}"
        return YesNo(p_yes=p_yes, raw=raw, text=self._piece(top))

    def close(self) -> None:
        with self._lock:
            if self._batch is not None:
                llama_cpp.llama_batch_free(self._batch)
                self._batch = None
            if self._ctx is not None:  # None only if recreating it for a new layout failed
                self._ctx.close()
                self._ctx = None
            self._model.close()


def _trie_size(lists: list[list[int]]) -> int:
    """Distinct KV cells a set of token lists needs when shared prefixes are stored once."""
    ordered = sorted(lists)
    return sum(len(t) - (_lcp(ordered[i - 1], t) if i else 0) for i, t in enumerate(ordered))


def _lcp(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _partition(lists: list[tuple[int, ...]], root: int, parts: int) -> list[list[tuple[int, ...]]]:
    """Split sorted lists into at most `parts` runs, one per stream. Neighbours sharing no more
    than `root` tokens cost nothing to separate (each stream starts with the root), so runs
    end there; when that gives more runs than streams, adjacent runs are joined so that the
    largest group, i.e. the number of rounds, is as small as possible."""
    blocks = [[lists[0]]]
    for a, b in zip(lists, lists[1:], strict=False):
        if _lcp(a, b) > root:
            blocks[-1].append(b)
        else:
            blocks.append([b])
    if len(blocks) <= parts:
        return blocks

    def pack(cap: int) -> list[list[tuple[int, ...]]]:
        groups: list[list[tuple[int, ...]]] = [[]]
        for blk in blocks:
            if groups[-1] and len(groups[-1]) + len(blk) > cap:
                groups.append([])
            groups[-1].extend(blk)
        return groups

    lo, hi = max(map(len, blocks)), len(lists)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(pack(mid)) <= parts:
            hi = mid
        else:
            lo = mid + 1
    return pack(lo)


def _waves(sorted_lists: list[list[int]], n_ctx: int, n_seq_max: int) -> list[tuple[int, int]]:
    """Split sorted token lists into groups whose prefix tree fits the context."""
    waves = []
    lo = 0
    cells = 0
    for i, t in enumerate(sorted_lists):
        new = len(t) - (_lcp(sorted_lists[i - 1], t) if i > lo else 0)
        if i > lo and (cells + new > n_ctx or i - lo >= n_seq_max):
            waves.append((lo, i))
            lo, cells, new = i, 0, len(t)
        cells += new
    if lo < len(sorted_lists):
        waves.append((lo, len(sorted_lists)))
    return waves


def _prefix_tree(lists: list[list[int]], starts: list[int] | None = None):
    """Flatten token lists into decode entries where shared prefixes appear once.

    Each entry is (token, position, list indices, indices of lists that end at it); an entry
    names every list whose tokens pass through it, so its KV cell is shared. Positions below
    `starts[i]` are already in the cache for list i and are not emitted. Parents always come
    before children.
    """
    starts = starts or [0] * len(lists)
    entries: list[tuple[int, int, tuple[int, ...], list[int]]] = []

    def walk(members: list[int], depth: int) -> None:
        # extend the common run of tokens for this group of members
        while True:
            ending = [m for m in members if len(lists[m]) == depth + 1]
            continuing = [m for m in members if len(lists[m]) > depth + 1]
            tok = lists[members[0]][depth]
            todo = tuple(m for m in members if starts[m] <= depth)
            if todo:
                entries.append((tok, depth, todo, ending))
            if not continuing:
                return
            groups: dict[int, list[int]] = {}
            for m in continuing:
                groups.setdefault(lists[m][depth + 1], []).append(m)
            if len(groups) == 1:
                members = continuing
                depth += 1
                continue
            for g in groups.values():
                walk(g, depth + 1)
            return

    roots: dict[int, list[int]] = {}
    for i, t in enumerate(lists):
        if t:
            roots.setdefault(t[0], []).append(i)
    for g in roots.values():
        walk(g, 0)
    return entries
