"""Settings: defaults, then the config file, then environment variables.

The file is TOML at `Locations.config_path` (or wherever `PERSONACO_CONFIG` points).
Any field can be overridden for one run by `PERSONACO_<SECTION>_<FIELD>`, e.g.
`PERSONACO_GENERATION_K=4`. Secrets never live here: API keys are read from the
environment variable a section names, or from the system keyring.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError
from .locations import Locations

CONFIG_ENV = "PERSONACO_CONFIG"
REFLECTORS = ("auto", "rules", "self", "self-text", "model")
WEIGHTS = ("auto", "native", "bf16", "q8_0")  # see catalog/weights.py


def doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass
class ModelSettings:
    default: str = doc("Name of the model to load (see `personaco models list`).", "smollm2-135m")
    n_gpu_layers: int = doc(
        "Layers to offload to the GPU when llama.cpp has GPU support; -1 means all, 0 none.", -1
    )
    n_threads: int = doc("CPU threads for llama.cpp; 0 uses every available core.", 0)
    n_ctx: int = doc("Context length in tokens shared by all k samples of one turn.", 8192)
    weights: str = doc(
        "Compute weights: auto (BF16 copy of small quantized models on CPUs with native BF16), "
        "native (the file as is), bf16 or q8_0 (a copy in the cache dir).",
        "auto",
    )


@dataclass
class GenerationSettings:
    method: str = doc(
        "`personaco` (sample k, reflect, choose) or `baseline` (one sample).", "personaco"
    )
    k: int = doc("Number of samples per turn for PersonaCo (1..32).", 8)
    temperature: float = doc("Sampling temperature (the paper uses 1.0).", 1.0)
    max_tokens: int = doc("Maximum new tokens per answer.", 256)
    seed: int = doc("Random seed; -1 draws a new one for every turn.", -1)
    reflector: str = doc(
        "How answers are checked: auto, rules, self, self-text (the paper's parsed 0/1) or model.",
        "auto",
    )
    early_stop: bool = doc(
        "Stop sampling once an answer satisfies every signal by rules (all signals checkable). "
        "Off by default: the first answer to finish is often the shortest, not the best.",
        False,
    )
    reflector_model: str = doc(
        "The `model` reflector: a model name or .gguf path, or `judge` for the judge endpoint; "
        "empty means the generating model reflects on its own answers.",
        "",
    )


@dataclass
class EndpointSettings:
    base_url: str = doc("Base URL of an OpenAI-compatible server; empty disables it.", "")
    model: str = doc("Model name to request from that server.", "")
    api_key_env: str = doc(
        "Environment variable holding the API key (the keyring is tried after it).",
        "OPENAI_API_KEY",
    )
    timeout_s: float = doc("Seconds before a request is abandoned.", 60.0)
    concurrency: int = doc("Requests sent at once (1 for servers that answer one at a time).", 4)


@dataclass
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    judge: EndpointSettings = field(default_factory=EndpointSettings)
    remote: EndpointSettings = field(default_factory=EndpointSettings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def config_path(loc: Locations) -> Path:
    return Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else loc.config_path


def _coerce(section: str, name: str, value: Any, target: type | str) -> Any:
    kind = target if isinstance(target, str) else target.__name__
    try:
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"Setting {section}.{name} = {value!r} is not a valid {kind}.",
            "Fix it in the config file or the environment.",
        ) from None


def apply(settings: Settings, data: dict[str, Any], source: str) -> None:
    """Set the values in `data` ({section: {name: value}}) on `settings`, coerced to each
    field's type; an unknown key or a bad value raises ConfigError naming `source`."""
    for section_field in fields(Settings):
        section_data = data.get(section_field.name)
        if section_data is None:
            continue
        if not isinstance(section_data, dict):
            raise ConfigError(
                f"[{section_field.name}] in {source} is not a table.", "Fix the file."
            )
        section = getattr(settings, section_field.name)
        known = {f.name: f for f in fields(section)}
        for key, value in section_data.items():
            if key not in known:
                raise ConfigError(
                    f"Unknown setting {section_field.name}.{key} in {source}.",
                    "Remove it or check the spelling (`personaco config show` lists them).",
                )
            setattr(section, key, _coerce(section_field.name, key, value, known[key].type))


def _env_overrides() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for section_field in fields(Settings):
        for f in fields(section_field.default_factory()):  # type: ignore[misc]
            var = f"PERSONACO_{section_field.name}_{f.name}".upper()
            if var in os.environ:
                out.setdefault(section_field.name, {})[f.name] = os.environ[var]
    return out


def load(loc: Locations, *, env: bool = True) -> Settings:
    """Settings from the file (if any) with environment overrides applied."""
    settings = Settings()
    path = config_path(loc)
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(
                f"Config file {path} is not valid TOML ({e}).", "Fix or delete it to use defaults."
            ) from None
        apply(settings, data, str(path))
    if env:
        apply(settings, _env_overrides(), "the environment")
    validate(settings)
    return settings


def validate(s: Settings) -> None:
    g = s.generation
    if g.method not in ("personaco", "baseline"):
        raise ConfigError(f"generation.method must be personaco or baseline, not {g.method!r}.")
    if not 1 <= g.k <= 32:
        raise ConfigError(f"generation.k must be between 1 and 32, not {g.k}.")
    if not 0.0 <= g.temperature <= 5.0:
        raise ConfigError(f"generation.temperature must be between 0 and 5, not {g.temperature}.")
    if not 1 <= g.max_tokens <= 32768:
        raise ConfigError(f"generation.max_tokens must be between 1 and 32768, not {g.max_tokens}.")
    if g.reflector not in REFLECTORS:
        raise ConfigError(
            f"generation.reflector must be one of {', '.join(REFLECTORS)}, not {g.reflector!r}."
        )
    if s.model.weights not in WEIGHTS:
        raise ConfigError(
            f"model.weights must be one of {', '.join(WEIGHTS)}, not {s.model.weights!r}.",
            "auto is the default: `personaco config set model.weights auto`.",
        )
    if s.model.n_ctx < 256:
        raise ConfigError(f"model.n_ctx must be at least 256, not {s.model.n_ctx}.")


def save(loc: Locations, settings: Settings) -> Path:
    """Write the file atomically (temporary file, then rename): a crash never leaves half a file."""
    validate(settings)
    path = config_path(loc)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(settings.to_dict(), fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def describe() -> list[tuple[str, str, Any]]:
    """(key, doc, default) for every setting, for `config show` and the README."""
    rows = []
    for section_field in fields(Settings):
        for f in fields(section_field.default_factory()):  # type: ignore[misc]
            rows.append((f"{section_field.name}.{f.name}", f.metadata["doc"], f.default))
    return rows
