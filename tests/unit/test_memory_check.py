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
    # SmolLM2-135M: 30 layers x 3 KV heads x (64 + 64) dims x 2 bytes per token
    assert big - small == 1024 * 30 * 3 * 128 * 2
    assert small > info.size


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
