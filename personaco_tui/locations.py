"""Where PersonaCo keeps its files, decided in one place.

By default: the platformdirs user data dir (database, downloaded models, backups) and the
user config dir (config.toml). `PERSONACO_HOME` (or `personaco --home DIR`) moves all of it
under one directory: DIR/data, DIR/config, DIR/models, DIR/cache (and DIR/logs, see
`log_dir`). Tests always set it. `PERSONACO_CACHE_DIR` moves only the cache: derived model
weights (catalog/weights.py), which can be written again at any time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .errors import PersonacoError

APP_NAME = "personaco"
HOME_ENV = "PERSONACO_HOME"
CACHE_ENV = "PERSONACO_CACHE_DIR"


@dataclass(frozen=True)
class Locations:
    data_dir: Path
    config_dir: Path
    models_dir: Path
    cache_dir: Path | None = None  # None: `data_dir`/cache

    def __post_init__(self) -> None:
        override = os.environ.get(CACHE_ENV)
        if override:
            object.__setattr__(self, "cache_dir", Path(override).expanduser().resolve())
        elif self.cache_dir is None:
            object.__setattr__(self, "cache_dir", self.data_dir / "cache")

    @property
    def weights_cache(self) -> Path:
        """Derived model weights (catalog/weights.py)."""
        assert self.cache_dir is not None
        return self.cache_dir / "weights"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "personaco.db"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def config_path(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_catalog_dir(self) -> Path:
        """Extra model manifests a user adds beside the shipped catalog."""
        return self.config_dir / "catalog"

    def ensure(self) -> Locations:
        for d in (self.data_dir, self.config_dir, self.models_dir):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as e:  # the home is a file, or a parent cannot be created
                raise PersonacoError(
                    f"Cannot use {d} as a PersonaCo folder ({e.strerror or e}).",
                    f"Point --home or {HOME_ENV} at a folder you can write to.",
                ) from None
        return self


def resolve(home: str | os.PathLike[str] | None = None) -> Locations:
    """The locations for an explicit home, else `PERSONACO_HOME`, else the platform dirs."""
    home = home or os.environ.get(HOME_ENV) or None
    if home:
        root = Path(home).expanduser().resolve()
        return Locations(root / "data", root / "config", root / "models", root / "cache")
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    config = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    cache = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return Locations(data, config, data / "models", cache)


def log_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """Where debug logs go (see logs.py): DIR/logs under a PersonaCo home, else the
    platform's user log dir (on Linux $XDG_STATE_HOME/personaco/log)."""
    home = home or os.environ.get(HOME_ENV) or None
    if home:
        return Path(home).expanduser().resolve() / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def package_data_dir(name: str) -> Path:
    """A data folder shipped in the wheel (`migrations`, `models`), or the repo's own copy.

    The wheel carries them under personaco_tui/_data/; an editable install runs from the
    source tree, where they sit at the top level.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"personaco data folder {name!r} is missing from the install")
