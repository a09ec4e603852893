from __future__ import annotations

import random
import socket
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from catalog_testlib import F32, Q8_0, make_gguf
from hypothesis import given, settings
from hypothesis import strategies as st

from personaco_tui.catalog.gguf import check_gguf, inspect_gguf
from personaco_tui.errors import ModelError
from tests.support.unreadable import unopenable_file


def _head(src: Path, dest: Path, n: int) -> Path:
    """The first n bytes of src: a download cut off at n."""
    with src.open("rb") as fh:
        dest.write_bytes(fh.read(n))
    return dest


def test_inspect_bundled_model(bundled_gguf: Path) -> None:
    info = check_gguf(bundled_gguf)
    assert info.quantization == "Q4_1"
    assert info.has_chat_template
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.version == 3 and info.tensor_count == 272 == len(info.tensors)
    assert info.size == bundled_gguf.stat().st_size == 98362432
    # Tensor sizes add up to exactly the file: the block-size table is right for Q4_1/Q8_0/F32.
    assert info.sizes_known and info.min_size == info.size
    assert 130e6 < info.parameter_count < 140e6 and info.size_label == "135M"
    assert "{%" in info.metadata["tokenizer.chat_template"]


def test_truncated_to_half(bundled_gguf: Path, tmp_path: Path) -> None:
    half = _head(bundled_gguf, tmp_path / "half.gguf", 98362432 // 2)
    info = inspect_gguf(half)  # the header is intact: it can still be described
    assert info.truncated and info.quantization == "Q4_1"
    with pytest.raises(ModelError) as err:
        check_gguf(half)
    assert err.value.message == (
        f"{half} is truncated (49181216 bytes, at least 98362432 expected). Download it again."
    )


@pytest.mark.parametrize("n", [2, 10, 1000, 200_000])
def test_truncated_inside_header(bundled_gguf: Path, tmp_path: Path, n: int) -> None:
    cut = _head(bundled_gguf, tmp_path / "cut.gguf", n)
    with pytest.raises(ModelError, match="is truncated") as err:
        inspect_gguf(cut)
    assert f"({n} bytes, at least" in err.value.message


def test_text_file_is_not_gguf(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_text("hello, I am not a model\n")
    with pytest.raises(ModelError) as err:
        check_gguf(path)
    assert err.value.message == (
        f"{path} is not a GGUF model file (it starts with b'hello, I'). Point to a .gguf file."
    )


def test_lfs_pointer_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n")
    with pytest.raises(ModelError, match="Git LFS pointer"):
        check_gguf(path)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist. Run `personaco models list`"):
        check_gguf(tmp_path / "nope.gguf")
    with pytest.raises(ModelError, match="is a directory"):
        check_gguf(tmp_path)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="truncated"):
        check_gguf(empty)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs UNIX sockets")
def test_unreadable(gguf_factory: Callable[..., Path]) -> None:
    path = gguf_factory()
    with unopenable_file(path), pytest.raises(ModelError) as e:
        check_gguf(path)
    assert e.value.message.startswith(f"Cannot read model file {path} (")
    assert "\n" not in e.value.message and "readable" in e.value.todo


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_after_magic(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    version = struct.pack("<I", 3) if seed % 2 else rnd.randbytes(4)
    path = tmp_path / "random.gguf"
    path.write_bytes(b"GGUF" + version + rnd.randbytes(rnd.choice([10, 1000, 300_000])))
    with pytest.raises(ModelError):
        check_gguf(path)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_after_header_give_model_error_or_info(tail: bytes) -> None:
    """Whatever follows a valid start, the reader answers ModelError or an info: no crash,
    no MemoryError, no endless loop (hypothesis shrinks any counterexample)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.gguf"
        path.write_bytes(b"GGUF" + struct.pack("<I", 3) + tail)
        try:
            check_gguf(path)
        except ModelError as e:
            assert "\n" not in e.message


def test_absurd_counts_are_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**63, 2**62) + b"\0" * 64)
    with pytest.raises(ModelError, match="not a valid GGUF file"):
        inspect_gguf(path)
    # A string claiming 2^60 bytes, and an array claiming 2^40 items.
    key = struct.pack("<Q", 1) + b"k"
    for body in (struct.pack("<Q", 2**60), struct.pack("<IQ", 4, 2**40)):
        vtype = 8 if len(body) == 8 else 9
        path.write_bytes(
            b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + key + struct.pack("<I", vtype) + body
        )
        with pytest.raises(ModelError, match="not a valid GGUF file"):
            inspect_gguf(path)


def test_other_versions_and_big_endian(tmp_path: Path) -> None:
    path = tmp_path / "v.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 1, 0, 0))
    with pytest.raises(ModelError, match="GGUF version 1"):
        inspect_gguf(path)
    path.write_bytes(b"GGUF" + struct.pack(">IQQ", 3, 0, 0))
    with pytest.raises(ModelError, match="big-endian"):
        inspect_gguf(path)


def test_built_gguf_details(gguf_factory: Callable[..., Path]) -> None:
    path = gguf_factory(
        metadata={
            "general.file_type": 7,
            "llama.context_length": 4096,
            "general.tags": ["a", "b"],
            "tokenizer.chat_template": "{{ x }}",
        },
        tensors=[("a", (64, 3), Q8_0), ("b", (10,), F32)],
        alignment=64,
    )
    info = check_gguf(path)
    assert info.quantization == "Q8_0" and info.context_length == 4096
    assert info.alignment == 64 and info.data_offset % 64 == 0
    assert info.metadata["general.tags"] == ["a", "b"] and info.has_chat_template
    assert info.parameter_count == 64 * 3 + 10
    assert info.min_size == info.size
    # One byte short of the last tensor is caught.
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ModelError, match=f"at least {info.size} expected"):
        check_gguf(path)


def test_quantization_without_file_type_and_unknown_types(
    gguf_factory: Callable[..., Path],
) -> None:
    info = check_gguf(gguf_factory(tensors=[("big", (64, 8), Q8_0), ("n", (4,), F32)]))
    assert info.file_type is None and info.quantization == "Q8_0"
    # A ggml type this reader does not know: no guessing at its size, the rest still checked.
    info = check_gguf(
        gguf_factory(
            metadata={"general.file_type": 15}, tensors=[("w", (8,), F32), ("odd", (8,), 200)]
        )
    )
    assert not info.sizes_known and info.quantization == "Q4_K_M"


def test_long_arrays_are_counted_not_kept(gguf_factory: Callable[..., Path]) -> None:
    tokens = [f"tok{i}" for i in range(1000)]
    info = inspect_gguf(gguf_factory(metadata={"tokenizer.ggml.tokens": tokens}))
    arr = info.metadata["tokenizer.ggml.tokens"]
    assert arr.count == 1000 and arr.item_type == 8


def test_make_gguf_is_readable_by_reader() -> None:
    # Sanity check of the test writer itself against the real model's layout rules.
    data = make_gguf()
    assert data[:4] == b"GGUF" and len(data) % 4 == 0
