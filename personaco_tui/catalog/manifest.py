"""The model catalog: one TOML manifest per known model.

The shipped manifests live in the package's `models/` data folder; a user can drop more
`*.toml` files into `Locations.user_catalog_dir` to add models of their own. A manifest
says where a model comes from (hub repo and file, or a bundled package) and what the file
must be (size, sha256), so `pull` can verify it and `list` can describe it offline.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.sampling import ENGINE_DEFAULT, Sampling, from_table, problem
from ..errors import ModelError
from ..locations import Locations, package_data_dir

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelManifest:
    name: str
    display_name: str
    hub_repo: str
    hub_file: str
    size_bytes: int  # 0 when unknown: pull then trusts the hub's reported size
    sha256: str  # "" when unknown: pull then trusts the hub's ETag (an LFS file's sha256)
    context_length: int
    quantization: str
    licence: str
    bundled: bool = False
    bundled_package: str | None = None
    chat_template_note: str | None = None
    revision: str = "main"
    source: Path | None = None  # the manifest file, for messages
    # The [sampling] table: the values measured best for this model (scripts/sampling_grid.py),
    # used when generation.sampling = model; keys it leaves out keep the engine's defaults.
    sampling: Sampling = ENGINE_DEFAULT

    @property
    def is_hub(self) -> bool:
        return bool(self.hub_repo) and not self.bundled


# field -> (type, required). Unknown keys are refused so a typo cannot silently drop a hash.
_FIELDS: dict[str, tuple[type, bool]] = {
    "name": (str, True),
    "display_name": (str, True),
    "hub_repo": (str, True),
    "hub_file": (str, True),
    "size_bytes": (int, True),
    "sha256": (str, True),
    "context_length": (int, True),
    "quantization": (str, True),
    "licence": (str, True),
    "bundled": (bool, False),
    "bundled_package": (str, False),
    "chat_template_note": (str, False),
    "revision": (str, False),
}


def _bad(path: Path, why: str) -> ModelError:
    return ModelError(f"Model manifest {path} is invalid: {why}.", "Fix or remove that file.")


def parse_manifest(data: dict[str, Any], path: Path) -> ModelManifest:
    """A manifest from parsed TOML, checked field by field; errors name the file."""
    data = dict(data)
    sampling = _sampling(data.pop("sampling", {}), path)
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise _bad(path, f"unknown key(s) {', '.join(unknown)}")
    for key, (kind, required) in _FIELDS.items():
        if key not in data:
            if required:
                raise _bad(path, f"missing key {key!r}")
            continue
        value = data[key]
        # bool is a subclass of int in Python; an int field must not accept `true`.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _bad(path, f"{key} must be a {kind.__name__}, not {value!r}")
    if not NAME_RE.match(data["name"]):
        raise _bad(
            path, f"name {data['name']!r} must be lowercase letters, digits, '.', '_' or '-'"
        )
    sha = data["sha256"].lower()
    if sha and not SHA256_RE.match(sha):
        raise _bad(path, "sha256 must be 64 hex digits or empty")
    if data["size_bytes"] < 0 or data["context_length"] < 0:
        raise _bad(path, "size_bytes and context_length must not be negative")
    hub_file = data["hub_file"]
    if not hub_file.endswith(".gguf") or hub_file.startswith("/") or ".." in Path(hub_file).parts:
        raise _bad(path, f"hub_file {hub_file!r} must be a relative path to a .gguf file")
    bundled = data.get("bundled", False)
    if bundled and not data.get("bundled_package"):
        raise _bad(path, "a bundled model needs bundled_package")
    if not bundled and "/" not in data["hub_repo"]:
        raise _bad(path, "a model that is not bundled needs hub_repo as owner/name")
    return ModelManifest(**{**data, "sha256": sha}, source=path, sampling=sampling)


def _sampling(table: object, path: Path) -> Sampling:
    if not isinstance(table, dict):
        raise _bad(path, f"sampling must be a [sampling] table, not {table!r}")
    for key, value in table.items():
        why = problem(key, value)
        if why is not None:
            raise _bad(path, f"[sampling] {why}")
    return from_table(table)


def load_manifest(path: Path) -> ModelManifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise _bad(path, str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    return parse_manifest(data, path)


def shipped_catalog_dir() -> Path:
    return package_data_dir("models")


def load_catalog(loc: Locations) -> dict[str, ModelManifest]:
    """Shipped manifests, then the user's; a user file may add models but not replace one."""
    catalog: dict[str, ModelManifest] = {}
    dirs = [shipped_catalog_dir(), loc.user_catalog_dir]
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            manifest = load_manifest(path)
            if manifest.name in catalog:
                other = catalog[manifest.name].source
                raise _bad(path, f"model name {manifest.name!r} is already defined in {other}")
            catalog[manifest.name] = manifest
    return catalog
