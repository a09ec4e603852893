"""Compute weights (catalog/weights.py): which format a load uses, the derived copy written
once and reused, its failure modes, and that it is the same model."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from personaco_tui.catalog import weights
from personaco_tui.catalog.gguf import TensorInfo, check_gguf, inspect_gguf
from personaco_tui.core.reflectors.self_reflector import reflection_conversation
from personaco_tui.engines.llama import LlamaEngine, LlamaOptions
from personaco_tui.engines.llama_backend import system_info
from personaco_tui.errors import ModelError
from personaco_tui.runtime import Runtime

BF16_CPU = {"AVX2", "AVX512", "AVX512_BF16"}


@pytest.fixture(scope="module")
def info(bundled_gguf):
    return inspect_gguf(bundled_gguf)


def test_cpu_features_read_llama_cpp_system_info():
    features = weights.cpu_features(system_info())
    assert features, "llama.cpp reported no CPU feature"
    assert weights.cpu_features("CPU : SSE3 = 1 | AVX512_BF16 = 0 | AMX_BF16 = 1 |") == {
        "SSE3",
        "AMX_BF16",
    }


def test_auto_picks_bf16_only_where_it_pays(info):
    assert weights.choose("auto", info, gpu=False, features=BF16_CPU).kind == "bf16"
    no_bf16 = weights.choose("auto", info, gpu=False, features={"AVX2", "AVX512"})
    assert no_bf16.kind == "native" and "BF16" in no_bf16.reason
    on_gpu = weights.choose("auto", info, gpu=True, features=BF16_CPU)
    assert on_gpu.kind == "native" and "GPU" in on_gpu.reason
    # a model whose BF16 copy would pass the limit (a 1B model) stays as it is
    big = dataclasses.replace(info, parameter_count=1_240_000_000)
    too_big = weights.choose("auto", big, gpu=False, features=BF16_CPU)
    assert too_big.kind == "native" and "MiB" in too_big.reason
    # a file already in floating point gains nothing
    floats = dataclasses.replace(
        info, tensors=tuple(dataclasses.replace(t, ggml_type=1) for t in info.tensors)
    )
    assert weights.choose("bf16", floats, gpu=False, features=BF16_CPU).kind == "native"


def test_explicit_settings_are_followed(info):
    assert weights.choose("native", info, gpu=False, features=BF16_CPU).kind == "native"
    assert weights.choose("q8_0", info, gpu=False, features=set()).kind == "q8_0"
    assert weights.choose("bf16", info, gpu=False, features=set()).kind == "bf16"
    with pytest.raises(ModelError, match="model.weights"):
        weights.choose("fp8", info, gpu=False, features=BF16_CPU)


def test_a_model_without_matrices_is_left_alone(info):
    odd = dataclasses.replace(info, tensors=(TensorInfo("token_embd.weight", (8, 8), 8, 0),))
    assert weights.choose("bf16", odd, gpu=False, features=BF16_CPU).kind == "native"


@pytest.fixture
def model_copy(tmp_path, bundled_gguf) -> Path:
    """A private copy of the bundled model, so a test may change or damage it."""
    dst = tmp_path / "models" / "my model [test].gguf"
    dst.parent.mkdir()
    shutil.copyfile(bundled_gguf, dst)
    return dst


def test_the_copy_is_written_once_and_reused(tmp_path, model_copy):
    cache = tmp_path / "cache"
    info = inspect_gguf(model_copy)
    first = weights.prepare(model_copy, info, "q8_0", cache).path
    assert check_gguf(first).quantization == "Q8_0"
    stamp = first.stat().st_mtime_ns
    again = weights.prepare(model_copy, info, "q8_0", cache).path
    assert again == first and again.stat().st_mtime_ns == stamp
    assert [p.name for p in cache.iterdir()] == [first.name]  # no temporary file left

    # the source changes (a new download): a new copy, and the stale one is removed
    os.utime(model_copy, ns=(stamp + 10**9, stamp + 10**9))
    second = weights.prepare(model_copy, inspect_gguf(model_copy), "q8_0", cache).path
    assert second != first and second.is_file() and not first.exists()


def test_a_damaged_copy_is_written_again(tmp_path, model_copy):
    cache = tmp_path / "cache"
    info = inspect_gguf(model_copy)
    path = weights.prepare(model_copy, info, "q8_0", cache).path
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    again = weights.prepare(model_copy, info, "q8_0", cache).path
    assert again == path and again.stat().st_size == size
    check_gguf(again)


def test_an_unwritable_cache_fails_with_one_line(tmp_path, model_copy):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir should be")
    with pytest.raises(ModelError) as e:
        weights.prepare(model_copy, inspect_gguf(model_copy), "q8_0", blocker / "weights")
    assert "cache dir" in e.value.message and "\n" not in e.value.message
    assert blocker.read_text() == "a file where the cache dir should be"


@pytest.fixture(scope="module")
def native_ok(bundled_gguf) -> bool:
    """Whether llama.cpp runs the bundled file's own Q4_1 weights on this CPU: its Q4_1 CPU
    kernels segfault on some AMX machines (llama-cpp-python 0.3.36), where the product runs a
    BF16 copy instead or says why it cannot."""
    from personaco_tui.catalog.probe import native_runs

    return native_runs(bundled_gguf)


def test_the_runtime_falls_back_to_the_file_itself(tmp_path, monkeypatch, bundled_gguf, native_ok):
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    monkeypatch.setenv("PERSONACO_CACHE_DIR", str(blocker))
    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", "q8_0")
    monkeypatch.setenv("PERSONACO_MODEL_N_GPU_LAYERS", "0")
    rt = Runtime.open()
    try:
        if not native_ok:  # the file itself would crash: one line, no segfault
            with pytest.raises(ModelError, match="crashes running") as e:
                rt.load_engine()
            assert "cache dir" in e.value.message and "\n" not in e.value.message
            return
        engine = rt.load_engine()
        assert engine.weights == "native" and engine.path == bundled_gguf
        assert rt.weights_note.startswith("native:") and "cache dir" in rt.weights_note
        out = engine.sample([{"role": "user", "content": "Hi"}], 1, _greedy(4))
        assert out[0].n_tokens > 0
    finally:
        rt.close()


def _load(monkeypatch, setting: str) -> tuple[Path, str, Path]:
    monkeypatch.setenv("PERSONACO_MODEL_N_GPU_LAYERS", "0")
    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", setting)
    rt = Runtime.open()
    try:
        engine = rt.load_engine()
        return engine.path, engine.weights, rt.loc.weights_cache
    finally:
        rt.close()


def test_the_runtime_loads_what_the_setting_says(monkeypatch, bundled_gguf, native_ok):
    path, kind, cache = _load(monkeypatch, "native")
    if native_ok:
        assert (path, kind) == (bundled_gguf, "native")
    else:  # llama.cpp crashes on the file's own weights here: a BF16 copy runs instead
        assert kind == "bf16" and path.parent == cache
    path, kind, cache = _load(monkeypatch, "auto")
    expect = weights.choose_here("auto", inspect_gguf(bundled_gguf), gpu=False).kind
    assert kind == expect
    assert (path.parent == cache) == (expect != "native")


def _greedy(n: int):
    from personaco_tui.engines.base import SamplingParams

    return SamplingParams(max_tokens=n, temperature=0.0, seed=1)


def test_a_bf16_copy_is_the_same_model(tmp_path, bundled_gguf, native_ok):
    """Rounding only: the reflection probabilities of the same cells stay within a few
    hundredths of the native file's, and the yes/no decisions agree."""
    if not native_ok:
        pytest.skip("llama.cpp crashes running the bundled Q4_1 weights on this CPU")
    cache = tmp_path / "cache"
    path = weights.prepare(bundled_gguf, inspect_gguf(bundled_gguf), "bf16", cache).path
    native = LlamaEngine(bundled_gguf, options=LlamaOptions(n_ctx=2048))
    bf16 = LlamaEngine(path, options=LlamaOptions(n_ctx=2048), weights="bf16")
    try:
        question = [{"role": "user", "content": "What is the capital of France?"}]
        cells = [
            reflection_conversation(question, answer, signal)
            for answer in (
                "The capital of France is Paris.",
                "PARIS IS THE CAPITAL OF FRANCE, AND IT IS BIG.",
                "Paris",
            )
            for signal in ("Answer in one word.", "Use only capital letters.", "Be brief.")
        ]
        a = [y.p_yes for y in native.yes_no(cells)]
        b = [y.p_yes for y in bf16.yes_no(cells)]
        diffs = [abs(x - y) for x, y in zip(a, b, strict=True)]
        assert max(diffs) < 0.1, diffs
        decided = [(x > 0.5) == (y > 0.5) for x, y in zip(a, b, strict=True) if abs(x - 0.5) > 0.1]
        assert all(decided), (a, b)
        text = bf16.sample(question, 1, _greedy(12))[0].text
        assert "Paris" in text, text
    finally:
        native.close()
        bf16.close()


def test_bench_times_the_native_file_beside_a_copy(monkeypatch, capsys, native_ok):
    """`personaco bench` names the weights it ran, and with a copy also times the model
    file's own weights in the same run (tiny answers: this checks the plumbing, not speed)."""
    import json

    from personaco_tui.cli import main

    monkeypatch.setenv("PERSONACO_MODEL_N_GPU_LAYERS", "0")
    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", "q8_0")
    args = ["bench", "--json", "--tokens", "4", "--k", "2", "--repeats", "1", "--no-naive"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    if not native_ok:  # quantized kernels crash here: a BF16 copy ran, the file is not timed
        assert data["weights"] in ("q8_0", "bf16") and "single_native_s" not in data
        return
    assert data["weights"] == "q8_0"
    for key in ("single_native_s", "turn_native_s", "turn_over_best_single"):
        assert data[key] > 0, key
    best = min(data["single_s"], data["single_native_s"])
    assert data["turn_over_best_single"] == pytest.approx(data["turn_s"] / best, rel=0.05)

    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", "native")
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["weights"] == "native" and "single_native_s" not in data


def test_a_copy_that_does_not_fit_in_memory_gives_way_to_the_file(
    monkeypatch, bundled_gguf, native_ok
):
    """The copy is bigger than the file: with memory for the file but not the copy, the
    model still loads, as it is. (Free memory is set between the two needs.)"""
    from personaco_tui import runtime
    from personaco_tui.catalog.gguf import memory_estimate

    monkeypatch.setenv("PERSONACO_MODEL_N_GPU_LAYERS", "0")
    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", "q8_0")
    rt = Runtime.open()
    try:
        n_ctx = rt.settings.model.n_ctx
        info = inspect_gguf(bundled_gguf)
        copy = weights.prepare(bundled_gguf, info, "q8_0", rt.loc.weights_cache).path
        native_need = memory_estimate(info, n_ctx)
        copy_need = memory_estimate(inspect_gguf(copy), n_ctx)
        assert native_need < copy_need
        monkeypatch.setattr(runtime, "available_memory", lambda: (native_need + copy_need) // 2)
        if not native_ok:  # the file would crash here: the BF16 copy runs, and says why
            assert rt.load_engine().weights == "bf16" and "crashes" in rt.weights_note
            return
        engine = rt.load_engine()
        assert engine.weights == "native" and engine.path == bundled_gguf
        assert "does not fit" in rt.weights_note
    finally:
        rt.close()


def test_the_setting_is_validated_with_a_way_back(monkeypatch, capsys):
    from personaco_tui.cli import main

    assert main(["config", "set", "model.weights", "fp8"]) != 0
    err = capsys.readouterr().err.strip()
    assert "model.weights must be one of auto, native, bf16, q8_0" in err and "\n" not in err
    assert main(["config", "set", "model.weights", "native"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("PERSONACO_MODEL_WEIGHTS", "bogus")
    assert main(["ask", "Hi", "--max-tokens", "2"]) != 0
    assert "config set model.weights auto" in capsys.readouterr().err
