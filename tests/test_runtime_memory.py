"""A model and context that cannot fit in memory are refused before llama.cpp allocates."""

from __future__ import annotations

import pytest

from personaco_tui.catalog.gguf import inspect_gguf, memory_estimate
from personaco_tui.errors import ModelError
from personaco_tui.runtime import Runtime, available_memory, check_memory


def test_the_estimate_grows_with_the_context_by_the_kv_cache(bundled_gguf):
    info = inspect_gguf(bundled_gguf)
    small, big = memory_estimate(info, 1024), memory_estimate(info, 2048)
    assert small is not None and big is not None
    # Worked out by hand from SmolLM2-135M's card (30 layers, 3 KV heads, 576 / 9 = 64-dim
    # heads, f16): K and V take 23,040 bytes a token, so 1024 more tokens cost 23,592,960.
    assert (info.metadata["llama.block_count"], info.metadata["llama.attention.head_count_kv"]) == (
        30,
        3,
    )
    assert big - small == 23_592_960
    # at 1024 tokens: the weights, that cache, and the 64 MiB floor of the compute margin
    # (a tenth of this 98 MB file is less)
    assert small - info.size == 23_592_960 + 67_108_864


def test_check_memory_says_the_numbers():
    check_memory("m", 4096, 100 << 20, 200 << 20)  # fits: nothing raised
    check_memory("m", 4096, None, 1)  # unknown need: let llama.cpp try
    with pytest.raises(ModelError) as e:
        check_memory("smollm2-135m", 4096, 3000 << 20, 1000 << 20)
    assert "3,000 MB" in e.value.message and "1,000 MB" in e.value.message
    assert "n_ctx" in e.value.todo


def test_a_context_no_machine_holds_is_refused_before_loading(monkeypatch):
    if available_memory() is None:
        pytest.skip("no MemAvailable on this system")
    monkeypatch.setenv("PERSONACO_MODEL_N_CTX", str(1 << 30))  # ~ 24 TB of KV cache
    monkeypatch.setenv("PERSONACO_MODEL_N_GPU_LAYERS", "0")
    rt = Runtime.open()
    try:
        with pytest.raises(ModelError, match="MB of memory"):
            rt.load_engine()
        assert rt.engine is None
    finally:
        rt.close()
