"""A small, defensive reader of GGUF headers: enough to describe a model and to refuse a
broken file with a clear message before llama.cpp sees it (llama.cpp's own errors on a
truncated or foreign file are long, C-level, and sometimes a crash).

Layout (little-endian, version 2 or 3): magic b"GGUF", u32 version, u64 tensor_count,
u64 kv_count, the key/value metadata, the tensor infos (name, n_dims, dims, ggml type,
offset), padding to `general.alignment`, then the tensor data. Every count and length read
from the file is checked against what is left of the file before it is used, so random
bytes cannot make the reader allocate or loop without bound.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Hard caps on top of "fits in the file": nothing real comes near them.
MAX_STRING = 64 * 1024 * 1024  # chat templates are KBs; token strings are bytes
MAX_TENSORS = 1_000_000
MAX_KV = 1_000_000
MAX_DIMS = 8  # ggml has 4
MAX_ARRAY_DEPTH = 3
MAX_ARRAY = 1 << 27  # a vocabulary is ~10^5 items
ARRAY_KEEP = 64  # arrays up to this many items are kept; longer ones only counted

# fmt: off
# general.file_type (llama_ftype) -> label. 4-6 and 33-35 were removed from llama.cpp.
FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 7: "Q8_0", 8: "Q5_0",
    9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S",
    15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
    21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S",
    27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
    36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}
FTYPE_GUESSED = 1024  # flag llama.cpp ORs in when the type was inferred

# ggml type -> (name, elements per block, bytes per block). Checked against
# ggml_blck_size/ggml_type_size of the ggml that llama-cpp-python 0.3.x ships.
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74), 18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
}

# GGUF metadata value types 0..12: struct format for the fixed-size ones.
_SCALARS: dict[int, str] = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
    10: "<Q", 11: "<q", 12: "<d",
}
# fmt: on
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GGUFArray:
    """A long metadata array (e.g. the tokenizer's tokens): its type and length only."""

    item_type: int
    count: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int  # relative to the start of the data section

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def n_bytes(self) -> int | None:
        """Size of the tensor's data, or None for a ggml type this reader does not know."""
        known = GGML_TYPES.get(self.ggml_type)
        if known is None:
            return None
        _, block, type_size = known
        row = self.shape[0] if self.shape else 1
        rows = self.n_elements // row if row else 0
        return (row + block - 1) // block * type_size * rows


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    size: int  # bytes on disk
    version: int
    architecture: str | None
    name: str | None
    file_type: int | None
    quantization: str | None
    context_length: int | None
    parameter_count: int  # elements over all tensors
    size_label: str | None  # general.size_label, e.g. "135M", when the file has one
    has_chat_template: bool
    tensor_count: int
    alignment: int
    data_offset: int  # where tensor data starts
    min_size: int  # the file must be at least this long to hold every tensor it declares
    sizes_known: bool  # False when a tensor has a ggml type this reader cannot size
    metadata: dict[str, Any] = field(repr=False, default_factory=dict)
    tensors: tuple[TensorInfo, ...] = field(repr=False, default=())

    @property
    def truncated(self) -> bool:
        return self.size < self.min_size


class _Corrupt(Exception):
    """The header says something impossible (bad type, absurd count)."""


class _Short(Exception):
    """The header needs more bytes than the file has."""

    def __init__(self, needed: int) -> None:
        super().__init__(needed)
        self.needed = needed


class _Reader:
    """Bounds-checked reads over a memory map; raises _Short instead of reading past the end."""

    def __init__(self, buf: mmap.mmap | bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos
        self.end = len(buf)

    def need(self, n: int) -> None:
        if n < 0 or self.pos + n > self.end:
            raise _Short(self.pos + max(n, 0))

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        self.need(size)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        n = self.unpack("<Q")
        if n > MAX_STRING:
            raise _Corrupt(f"a string of {n} bytes at byte {self.pos - 8}")
        self.need(n)
        raw = self.buf[self.pos : self.pos + n]
        self.pos += n
        return bytes(raw).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        n = self.unpack("<Q")
        if n > MAX_STRING:
            raise _Corrupt(f"a string of {n} bytes at byte {self.pos - 8}")
        self.need(n)
        self.pos += n

    def value(self, vtype: int, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            return self.array(depth + 1)
        raise _Corrupt(f"unknown value type {vtype} at byte {self.pos - 4}")

    def array(self, depth: int) -> list[Any] | GGUFArray:
        if depth > MAX_ARRAY_DEPTH:
            raise _Corrupt(f"arrays nested deeper than {MAX_ARRAY_DEPTH}")
        item_type = self.unpack("<I")
        count = self.unpack("<Q")
        if count > MAX_ARRAY:
            raise _Corrupt(f"an array of {count} items at byte {self.pos - 8}")
        if item_type in _SCALARS:
            # Fixed-size items: check they fit, then keep a short array or jump over a long one.
            total = count * struct.calcsize(_SCALARS[item_type])
            self.need(total)
            if count > ARRAY_KEEP:
                self.pos += total
                return GGUFArray(item_type, count)
            return [self.value(item_type, depth) for _ in range(count)]
        if item_type not in (_STRING, _ARRAY):
            raise _Corrupt(f"unknown array item type {item_type} at byte {self.pos - 12}")
        # Every string or array item takes at least 8 bytes: fail fast if they cannot fit.
        self.need(count * 8)
        if count > ARRAY_KEEP:
            for _ in range(count):
                if item_type == _STRING:
                    self.skip_string()
                else:
                    self.array(depth + 1)
            return GGUFArray(item_type, count)
        return [self.value(item_type, depth) for _ in range(count)]


def _open_error(path: Path, e: OSError) -> ModelError:
    return ModelError(
        f"Cannot read model file {path} ({e.strerror or e}).",
        "Check that it exists and is readable.",
    )


def _not_gguf(path: Path, head: bytes) -> ModelError:
    if head.startswith(b"version https://git-lfs"):
        what = "a Git LFS pointer, not the model itself"
    elif head.lstrip().lower().startswith((b"<!doctype", b"<html")):
        what = "an HTML page, not a model (a failed download?)"
    else:
        what = f"not a GGUF model file (it starts with {head[:8]!r})"
    return ModelError(f"{path} is {what}.", "Point to a .gguf file.")


def _truncated(path: Path, size: int, needed: int) -> ModelError:
    return ModelError(
        f"{path} is truncated ({size} bytes, at least {needed} expected).", "Download it again."
    )


def _parse(path: Path, buf: mmap.mmap | bytes, size: int) -> GGUFInfo:
    r = _Reader(buf)
    r.need(4)
    r.pos = 4
    version = r.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        swapped = int.from_bytes(version.to_bytes(4, "little"), "big")
        detail = "big-endian GGUF" if swapped in SUPPORTED_VERSIONS else f"GGUF version {version}"
        raise ModelError(
            f"{path} is a {detail} file, which this app cannot read.",
            "Use a little-endian GGUF v2 or v3 file (any recent llama.cpp conversion).",
        )
    tensor_count = r.unpack("<Q")
    kv_count = r.unpack("<Q")
    # Absurd counts mean garbage; plausible ones that do not fit mean a cut-off file, which
    # the reads below report as truncated (each loop step consumes bytes or stops).
    if kv_count > MAX_KV:
        raise _Corrupt(f"{kv_count} metadata entries")
    if tensor_count > MAX_TENSORS:
        raise _Corrupt(f"{tensor_count} tensors")

    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = r.string()
        metadata[key] = r.value(r.unpack("<I"))

    tensors = []
    for _ in range(tensor_count):
        name = r.string()
        n_dims = r.unpack("<I")
        if n_dims > MAX_DIMS:
            raise _Corrupt(f"tensor {name!r} with {n_dims} dimensions")
        shape = tuple(r.unpack("<Q") for _ in range(n_dims))
        ggml_type = r.unpack("<I")
        offset = r.unpack("<Q")
        tensors.append(TensorInfo(name, shape, ggml_type, offset))

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise _Corrupt(f"general.alignment = {alignment!r} (must be a power of two)")
    data_offset = (r.pos + alignment - 1) // alignment * alignment

    # The data must reach the end of every tensor it declares. A tensor of a type we cannot
    # size still proves the file reaches its offset; the sized ones give exact ends.
    min_size = data_offset
    sizes_known = True
    for t in tensors:
        n_bytes = t.n_bytes
        if n_bytes is None:
            sizes_known = False
            n_bytes = 0
        min_size = max(min_size, data_offset + t.offset + n_bytes)

    arch = metadata.get("general.architecture")
    arch = arch if isinstance(arch, str) else None
    ctx = metadata.get(f"{arch}.context_length") if arch else None
    file_type = metadata.get("general.file_type")
    file_type = file_type if isinstance(file_type, int) else None
    return GGUFInfo(
        path=path,
        size=size,
        version=version,
        architecture=arch,
        name=_str_or_none(metadata.get("general.name")),
        file_type=file_type,
        quantization=_quant_label(file_type, tensors),
        context_length=ctx if isinstance(ctx, int) else None,
        parameter_count=sum(t.n_elements for t in tensors),
        size_label=_str_or_none(metadata.get("general.size_label")),
        has_chat_template=bool(metadata.get("tokenizer.chat_template")),
        tensor_count=tensor_count,
        alignment=alignment,
        data_offset=data_offset,
        min_size=min_size,
        sizes_known=sizes_known,
        metadata=metadata,
        tensors=tuple(tensors),
    )


def _str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _quant_label(file_type: int | None, tensors: list[TensorInfo]) -> str | None:
    if file_type is not None:
        return FILE_TYPES.get(file_type & ~FTYPE_GUESSED, f"file type {file_type}")
    # No general.file_type (older converters): name the type holding the most weight bytes.
    by_type: dict[int, int] = {}
    for t in tensors:
        by_type[t.ggml_type] = by_type.get(t.ggml_type, 0) + (t.n_bytes or 0)
    if not by_type:
        return None
    main = max(by_type, key=lambda k: by_type[k])
    return GGML_TYPES.get(main, (f"ggml type {main}",))[0]


def _read(path: Path | str, check: Callable[[GGUFInfo], None] | None = None) -> GGUFInfo:
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(
            f"Model file {path} does not exist.",
            "Run `personaco models list` to see the models you have, or check the path.",
        )
    if path.is_dir():
        raise ModelError(f"{path} is a directory, not a model file.", "Point to a .gguf file.")
    try:
        fh = path.open("rb")
    except OSError as e:
        raise _open_error(path, e) from None
    with fh:
        try:
            size = path.stat().st_size
            head = fh.read(32)  # enough to recognise an LFS pointer or an HTML page
        except OSError as e:
            raise _open_error(path, e) from None
        if not head.startswith(MAGIC):
            # A file shorter than the magic that matches it so far was cut off, not foreign.
            if len(head) < 4 and MAGIC.startswith(head):
                raise _truncated(path, size, 24)
            raise _not_gguf(path, head)
        try:
            buf: mmap.mmap | bytes = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # e.g. a pipe or a filesystem without mmap
            buf = b""
        try:
            if not buf:
                fh.seek(0)
                buf = fh.read()
            info = _parse(path, buf, size)
        except _Short as e:
            raise _truncated(path, size, e.needed) from None
        except _Corrupt as e:
            raise ModelError(
                f"{path} is not a valid GGUF file (its header declares {e}).", "Download it again."
            ) from None
        finally:
            if isinstance(buf, mmap.mmap):
                buf.close()
    if check is not None:
        check(info)
    return info


def inspect_gguf(path: Path | str) -> GGUFInfo:
    """Describe a GGUF file from its header. Raises ModelError if the header is unreadable."""
    return _read(path)


def check_gguf(path: Path | str) -> GGUFInfo:
    """Like inspect_gguf, and also refuse a file too short to hold the tensors it declares."""

    def whole(info: GGUFInfo) -> None:
        if info.truncated:
            raise _truncated(info.path, info.size, info.min_size)

    return _read(path, whole)


def memory_estimate(info: GGUFInfo, n_ctx: int) -> int | None:
    """Bytes of memory a loaded model needs for a context of `n_ctx` tokens: the weights, the
    f16 K and V caches of every layer, and a margin for compute buffers. None when the file
    does not say enough (an architecture without the usual llama-style keys)."""
    arch = info.architecture or ""
    meta = info.metadata

    def key(name: str) -> int | None:
        return _positive(meta.get(f"{arch}.{name}"))

    layers, embd, heads = key("block_count"), key("embedding_length"), key("attention.head_count")
    if layers is None or embd is None or heads is None:
        return None
    kv_heads = key("attention.head_count_kv") or heads
    k_len = key("attention.key_length") or embd // heads
    v_len = key("attention.value_length") or embd // heads
    kv = layers * n_ctx * kv_heads * (k_len + v_len) * 2  # f16
    return info.size + kv + max(64 << 20, info.size // 10)


def _positive(value: object) -> int | None:
    # bool is an int subclass, and no dimension is ever True
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
