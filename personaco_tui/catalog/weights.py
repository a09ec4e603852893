"""Compute weights: the format llama.cpp multiplies a model's weights in on this machine.

A PersonaCo turn on a CPU is mostly prompt processing: every reflection cell evaluates a
reflection turn (about 30 tokens) after its candidate, 40 cells for k = 8 and 5 signals.
llama.cpp has no fast matrix kernel for some storage formats on some CPUs; the bundled
SmolLM2-135M is Q4_1, which goes through a generic dot product. Decoded once to BF16 on a
CPU with native BF16 dot products (AVX512_BF16 / AMX_BF16), the same weights process a
prompt about 3x faster and decode k sequences about 1.4x faster, at the cost of a file
2.7x bigger; one sequence alone gains nothing (measured on 2 cores: `personaco bench`, README).

`model.weights` picks: `native` (the file as it is), `bf16` or `q8_0` (a derived copy,
written once to the cache dir and reused), or `auto` (the default): BF16 when the CPU has
native BF16, no layer goes to a GPU, the file's matrices are quantized, and the BF16 copy is
small (at most 512 MiB, about 250M parameters). Bigger models decode memory-bound, where a
copy 3x larger than a 4-bit file would make every token slower.

A derived copy changes no weight beyond rounding: Q4_1's values (scale x q + min) are
written in BF16 (8-bit mantissa), far finer than the 4-bit steps themselves. Answers still
differ token for token from the native file, as they do between llama.cpp builds.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import logging
import shutil
from pathlib import Path

from ..config import WEIGHTS
from ..errors import ModelError
from ..fileio import atomic_path
from .gguf import GGUFInfo, check_gguf

log = logging.getLogger(__name__)

AUTO_MAX_BYTES = 512 << 20  # the biggest BF16 copy `auto` makes
_FLOAT_TYPES = {0, 1, 30}  # ggml F32, F16, BF16: nothing to gain from a copy
_BF16_FEATURES = ("AVX512_BF16", "AMX_BF16")
# bits per weight of each derived format, and llama.cpp's file type for it
_FORMATS = {"bf16": (16.0, 32), "q8_0": (8.5, 7)}


@dataclasses.dataclass(frozen=True)
class WeightsChoice:
    kind: str  # "native", "bf16" or "q8_0"
    reason: str  # one line for `doctor` and the log


def cpu_features(system_info: str) -> set[str]:
    """The features llama.cpp's system info reports as present ("AVX2 = 1 | ...")."""
    found = set()
    for part in system_info.replace("\n", "|").split("|"):
        name, _, value = part.partition("=")
        if value.strip() == "1":
            found.add(name.strip().split(":")[-1].strip())
    return found


def derived_size(info: GGUFInfo, kind: str) -> int:
    """About how many bytes the derived copy of `info` takes."""
    bits, _ = _FORMATS[kind]
    return int(info.parameter_count * bits / 8) + info.data_offset


def _quantized(info: GGUFInfo) -> bool:
    mats = [t for t in info.tensors if t.name.startswith("blk.") and len(t.shape) >= 2]
    return bool(mats) and any(t.ggml_type not in _FLOAT_TYPES for t in mats)


def choose(setting: str, info: GGUFInfo, *, gpu: bool, features: set[str]) -> WeightsChoice:
    """Which weights to load for a model file, given `model.weights` and the machine."""
    if setting not in WEIGHTS:
        raise ModelError(
            f"model.weights = {setting!r} is not one of {', '.join(WEIGHTS)}.",
            "Fix it with `personaco config set model.weights auto`.",
        )
    if setting == "native":
        return WeightsChoice("native", "model.weights = native")
    if gpu:
        return WeightsChoice("native", "layers go to the GPU, which has its own kernels")
    if not _quantized(info):
        return WeightsChoice("native", "the file's weights are already floating point")
    if setting != "auto":
        return WeightsChoice(setting, f"model.weights = {setting}")
    has = [f for f in _BF16_FEATURES if f in features]
    if not has:
        return WeightsChoice("native", "this CPU has no native BF16 dot product")
    size = derived_size(info, "bf16")
    if size > AUTO_MAX_BYTES:
        return WeightsChoice(
            "native",
            f"a BF16 copy would take {size >> 20:,} MiB; above {AUTO_MAX_BYTES >> 20} MiB "
            "the larger weights slow decoding more than they speed up prompts",
        )
    return WeightsChoice("bf16", f"this CPU multiplies BF16 natively ({has[0]})")


def choose_here(setting: str, info: GGUFInfo, *, gpu: bool) -> WeightsChoice:
    """`choose` with the features the loaded llama.cpp reports for this CPU."""
    from ..engines.llama_backend import system_info  # llama.cpp, only when a model is about to load

    return choose(setting, info, gpu=gpu, features=cpu_features(system_info()))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _family(src: Path, kind: str) -> str:
    """The name prefix of every copy of one source file in one format."""
    return f"{src.stem}.{_hash(str(src.resolve()))}.{kind}"


def derived_path(src: Path, kind: str, cache_dir: Path) -> Path:
    """Where the copy of `src` lives: named by the source's path, and by its size, mtime
    and the llama.cpp version, so a changed file or a new llama.cpp makes a new copy."""
    import llama_cpp

    st = src.stat()
    version = _hash(f"{st.st_size}|{st.st_mtime_ns}|{llama_cpp.__version__}")
    return cache_dir / f"{_family(src, kind)}.{version}.gguf"


def prepare(src: Path, info: GGUFInfo, kind: str, cache_dir: Path) -> GGUFInfo:
    """The derived copy of `src` in `kind` (checked; its `.path` is the file), written once
    into `cache_dir` and reused while the source file is unchanged. Raises ModelError when
    it cannot be written (the caller then loads the native file). A damaged copy is written
    again; two processes preparing at once each write a private file and the last rename
    wins, both complete."""
    from ..engines.llama_backend import quantize_file  # llama.cpp, only when a copy is wanted

    dst = derived_path(src, kind, cache_dir)
    if dst.is_file():
        try:
            return check_gguf(dst)
        except ModelError as e:
            log.warning("derived weights %s are damaged (%s); writing them again", dst, e)
    need = derived_size(info, kind)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(cache_dir).free
    except OSError as e:
        raise ModelError(f"Cannot use the cache dir {cache_dir}: {e.strerror or e}.") from None
    if free < need + (64 << 20):
        raise ModelError(
            f"{kind.upper()} weights need {need >> 20:,} MiB in {cache_dir}; "
            f"{free >> 20:,} MiB is free.",
            "Free some disk space, or set model.weights = native.",
        )
    try:
        with atomic_path(dst) as tmp:
            quantize_file(src, tmp, _FORMATS[kind][1])
            copy = dataclasses.replace(check_gguf(tmp), path=dst)  # checked before it is in place
    except (OSError, ModelError) as e:
        detail = e.message if isinstance(e, ModelError) else (e.strerror or str(e))
        raise ModelError(
            f"Could not write {kind.upper()} weights for {src.name}: {detail}"
        ) from None
    for old in cache_dir.glob(glob.escape(_family(src, kind)) + ".*.gguf"):
        if old != dst:  # a copy of an earlier version of the same file
            old.unlink(missing_ok=True)
    log.info("wrote %s weights for %s to %s", kind, src, dst)
    return copy
