"""llama.cpp set-up: the backend, its log, what the build supports, loading a model, and the
parameters of a context and a sampler chain. Everything here calls llama-cpp-python, whose
bindings are only partly typed; the functions give the engine precise types to work with."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import llama_cpp
from llama_cpp import _internals as internals

from ..errors import ModelError
from .base import SamplingParams

KV_LAYOUT_ENV = "PERSONACO_LLAMA_KV"  # "streams" or "unified": see llama_plan.py


@dataclass
class LlamaOptions:
    n_ctx: int = 8192
    n_gpu_layers: int = -1  # -1: all layers when the build supports GPU offload
    n_threads: int = 0  # 0: let llama.cpp decide
    n_batch: int = 2048
    n_ubatch: int = 512
    n_seq_max: int = 64  # sequences of the unified layout
    kv_layout: str = field(default_factory=lambda: os.environ.get(KV_LAYOUT_ENV, "streams"))


_backend_lock = threading.Lock()
_backend_ready = False
_log_lines: deque[str] = deque(maxlen=40)


# Ctrl-C that lands while llama.cpp is inside this callback (a model load logs hundreds of
# lines) is swallowed by ctypes, and the load would go on as if nothing happened: the
# callback notes it, and `raise_if_interrupted` raises it once the C call has returned.
_interrupted = threading.Event()


def _keep_log_line(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    # llama.cpp writes its own log to stderr, which would tear the TUI; keep the last lines
    # so a failed load can say why.
    try:
        line = text.decode("utf-8", errors="replace").rstrip()
        if line:
            _log_lines.append(line)
    except KeyboardInterrupt:
        _interrupted.set()
    except Exception:  # noqa: BLE001 - a log callback must never raise into C
        return


def raise_if_interrupted() -> None:
    """Raise the KeyboardInterrupt that arrived while llama.cpp was calling back into Python."""
    if _interrupted.is_set():
        _interrupted.clear()
        raise KeyboardInterrupt


@contextlib.contextmanager
def held_interrupt() -> Iterator[None]:
    """Hold Ctrl-C while the llama.cpp call inside runs: it is noted, for the caller to raise
    with `raise_if_interrupted` once what the call made is closed. Python can raise
    KeyboardInterrupt on a callback's first line, before any `try` in it can catch it. Only
    on the main thread with Python's default handler (elsewhere nothing is changed)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    old = signal.signal(signal.SIGINT, lambda signum, frame: _interrupted.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


# llama.cpp holds a raw pointer to this callback: the module keeps it alive.
_log_callback: object = llama_cpp.llama_log_callback(_keep_log_line)


def init_backend() -> None:
    """Initialise llama.cpp once per process, with its log captured."""
    global _backend_ready
    with _backend_lock:
        if not _backend_ready:
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
            llama_cpp.llama_backend_init()
            _backend_ready = True
    raise_if_interrupted()


def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build can run layers on a GPU."""
    init_backend()
    return bool(llama_cpp.llama_supports_gpu_offload())


def system_info() -> str:
    init_backend()
    info: bytes = llama_cpp.llama_print_system_info()
    return info.decode("utf-8", errors="replace")


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def clear_log() -> None:
    _log_lines.clear()


def last_error() -> str:
    """The last line llama.cpp logged that names a failure, or ""."""
    for line in reversed(_log_lines):
        low = line.lower()
        if "error" in low or "failed" in low or "corrupt" in low or "invalid" in low:
            return line.strip()
    return ""


def quantize_file(src: Path, dst: Path, ftype: int) -> None:
    """Write `src`'s weights to `dst` in llama.cpp file type `ftype` (see catalog/weights.py).
    Raises ModelError with llama.cpp's reason when it fails."""
    init_backend()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.allow_requantize = True
    params.nthread = available_cpus()
    clear_log()
    with held_interrupt():
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params)
    raise_if_interrupted()
    if rc != 0:
        raise ModelError(f"llama.cpp could not convert {src.name}: {last_error() or rc}.")


def load_model(path: Path, n_gpu_layers: int) -> tuple[internals.LlamaModel, int]:
    """Load a GGUF file; `n_gpu_layers` < 0 offloads every layer when the build can. Returns
    the model and the layers actually offloaded."""
    init_backend()
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    mparams = llama_cpp.llama_model_default_params()
    layers = n_gpu_layers if n_gpu_layers >= 0 else 10_000
    mparams.n_gpu_layers = layers if gpu else 0
    clear_log()
    try:
        with held_interrupt():
            model = internals.LlamaModel(path_model=str(path), params=mparams, verbose=False)
    except (ValueError, OSError) as e:
        raise_if_interrupted()
        detail = last_error() or str(e)
        raise ModelError(
            f"llama.cpp could not load {path.name}: {detail}.",
            "The file may be damaged or of an unsupported architecture; download it again.",
        ) from None
    if _interrupted.is_set():
        close_model(model)
        raise_if_interrupted()
    offloaded: int = mparams.n_gpu_layers
    return model, offloaded


def new_context(
    model: internals.LlamaModel,
    *,
    n_ctx: int,
    n_seq_max: int,
    kv_unified: bool,
    n_batch: int,
    n_ubatch: int,
    n_threads: int,
) -> internals.LlamaContext:
    """A decoding context; raises ValueError when llama.cpp cannot create it."""
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx = n_ctx
    cparams.n_seq_max = n_seq_max
    # Unified KV: the sequences share the prompt's cells and the whole n_ctx budget; else
    # each sequence gets its own stream.
    cparams.kv_unified = kv_unified
    cparams.n_batch = min(n_batch, n_ctx)
    cparams.n_ubatch = min(n_ubatch, cparams.n_batch)
    cparams.no_perf = True
    # llama.cpp's own default (4 threads) oversubscribes small machines and halves speed.
    cparams.n_threads = n_threads
    cparams.n_threads_batch = n_threads
    with held_interrupt():
        ctx = internals.LlamaContext(model=model, params=cparams, verbose=False)
    if _interrupted.is_set():
        close_context(ctx)
        raise_if_interrupted()
    return ctx


def new_sampler(
    p: SamplingParams, seed: int, banned: list[int], n_vocab: int
) -> llama_cpp.llama_sampler_p:
    """The sampler chain of one sequence; `banned` tokens (end of generation, with
    `ignore_eos`) are never drawn."""
    chain: llama_cpp.llama_sampler_p = llama_cpp.llama_sampler_chain_init(
        llama_cpp.llama_sampler_chain_default_params()
    )
    if p.ignore_eos and banned:
        biases = (llama_cpp.llama_logit_bias * len(banned))()
        for i, t in enumerate(banned):
            biases[i].token = llama_cpp.llama_token(t)
            biases[i].bias = float("-inf")
        llama_cpp.llama_sampler_chain_add(
            chain, llama_cpp.llama_sampler_init_logit_bias(n_vocab, len(banned), biases)
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
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(seed & 0xFFFFFFFF))
    return chain


def new_samplers(
    p: SamplingParams, n: int, banned: list[int], n_vocab: int
) -> list[llama_cpp.llama_sampler_p]:
    """The sampler chains of `n` sequences, seeded p.seed, p.seed + 1, ..."""
    return [new_sampler(p, p.seed + i, banned, n_vocab) for i in range(n)]


def close_model(model: internals.LlamaModel) -> None:
    model.close()  # type: ignore[no-untyped-call]  # llama-cpp-python leaves it unannotated


def close_context(ctx: internals.LlamaContext) -> None:
    ctx.close()  # type: ignore[no-untyped-call]  # llama-cpp-python leaves it unannotated


def token_piece(vocab: llama_cpp.llama_vocab_p, token: int, special: bool) -> bytes:
    """The bytes of one token (a piece of a UTF-8 character, possibly)."""
    buf = ctypes.create_string_buffer(64)
    n: int = llama_cpp.llama_token_to_piece(vocab, token, buf, 64, 0, special)
    if n < 0:
        buf = ctypes.create_string_buffer(-n)
        n = llama_cpp.llama_token_to_piece(vocab, token, buf, -n, 0, special)
    return buf.raw[:n]


# (token, position, sequence ids, want logits): one entry of a llama_decode batch
DecodeEntry = tuple[int, int, Sequence[int], bool]


def fill_batch(b: llama_cpp.llama_batch, entries: Sequence[DecodeEntry]) -> None:
    """Write `entries` into `b`; len(entries) <= the batch's capacity."""
    raise_if_interrupted()  # before each decode: a Ctrl-C the log callback caught
    # llama-cpp-python declares `pos` an array of arrays: it holds one position a token
    positions = cast("ctypes.Array[ctypes.c_int32]", b.pos)
    for i, (tok, pos, seqs, logits) in enumerate(entries):
        b.token[i] = tok
        positions[i] = pos
        b.n_seq_id[i] = len(seqs)
        for j, s in enumerate(seqs):
            b.seq_id[i][j] = s
        b.logits[i] = 1 if logits else 0
    b.n_tokens = len(entries)
