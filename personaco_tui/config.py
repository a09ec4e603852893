"""Settings: defaults, then the config file, then environment variables.

The file is TOML at `Locations.config_path` (or wherever `PERSONACO_CONFIG` points).
Any field can be overridden for one run by `PERSONACO_<SECTION>_<FIELD>`, e.g.
`PERSONACO_GENERATION_K=4`. Secrets never live here: API keys are read from the
environment variable a section names, or from the system keyring.

Every value passes one check (config_values.py) whatever its source: the type the field
declares (no silent 4.9 -> 4 or true -> 1.0; text from the environment, the command line or
the settings screen is parsed), the choices of a `Literal` field, and the field's range. An
unknown key in a known section is an error naming the known ones, never silently ignored,
and so is a section whose name is close to a known one ([generaton]). A table with a clearly
foreign name ([mytool]) is left alone with a debug line: people keep other tools' settings
in the same file, and PersonaCo must neither fail on them nor drop them.

Saving edits the user's document in place (tomlkit keeps comments, order, formatting and
foreign tables) and writes only the values that changed, never the defaults; the write goes
through `fileio.atomic_write`, so a symlinked config.toml stays a link and the mode is kept.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import stat
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_type_hints
from urllib.parse import urlsplit

import tomlkit
import tomlkit.exceptions

from .config_values import Rule, Spec, checked
from .errors import ConfigError
from .fileio import atomic_write
from .locations import Locations
from .reflector_registry import REFLECTORS as _REFLECTOR_FACTORIES

CONFIG_ENV = "PERSONACO_CONFIG"
MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few hundred bytes; more is a wrong path
# How close a table's name must be to a section's to be taken for a misspelling of it:
# "generaton" (0.95), "modle" (0.8) and "jugde" (0.8) are; "mytool" (0.55 to "model") is not.
MISSPELLING_CUTOFF = 0.7
# PERSONACO_ variables share a long prefix: only a near-miss of a setting's name is a typo
# (PERSONACO_HOME, PERSONACO_LOG, PERSONACO_CACHE_DIR, ... are at most 0.75 from any)
ENV_MISSPELLING_CUTOFF = 0.9

log = logging.getLogger(__name__)

Method = Literal["personaco", "baseline"]
Weights = Literal["auto", "native", "bf16", "q8_0"]  # see catalog/weights.py
Learning = Literal["learned", "off"]  # see core/learning and personaco_tui/learning.py
Steer = Literal["on", "off"]
PersonaSteer = Literal["off", "contrast"]  # see core/steer/contrast.py
SamplingPreset = Literal["model", "paper"]  # see core/sampling.py
UNSET = -1  # a sampling value left to generation.sampling
METHODS: tuple[str, ...] = get_args(Method)
WEIGHTS: tuple[str, ...] = get_args(Weights)
REFLECTORS: tuple[str, ...] = tuple(_REFLECTOR_FACTORIES)

T = TypeVar("T")


def doc(
    text: str,
    default: T,
    *,
    lo: float | None = None,
    hi: float | None = None,
    above: bool = False,
    choices: tuple[str, ...] = (),
    allowed: str = "",
    todo: str = "",
    unset: float | None = None,
    test: Callable[[Any], bool] | None = None,
) -> T:
    rule = Rule(lo, hi, above, choices, allowed, todo, unset, test)
    return field(default=default, metadata={"doc": text, "rule": rule})


@dataclass
class ModelSettings:
    default: str = doc("Name of the model to load (see `personaco models list`).", "smollm2-135m")
    n_gpu_layers: int = doc(
        "Layers to offload to the GPU when llama.cpp has GPU support; -1 means all, 0 none.",
        -1,
        lo=-1,
        hi=2**31 - 1,
    )
    n_threads: int = doc(
        "CPU threads for llama.cpp; 0 uses every available core.", 0, lo=0, hi=4096
    )
    n_ctx: int = doc(
        "Context length in tokens shared by all k samples of one turn.", 8192, lo=256, hi=2**31 - 1
    )
    weights: Weights = doc(
        "Compute weights: auto (BF16 copy of small quantized models on CPUs with native BF16), "
        "native (the file as is), bf16 or q8_0 (a copy in the cache dir).",
        "auto",
        todo="auto is the default: `personaco config set model.weights auto`.",
    )


@dataclass
class GenerationSettings:
    method: Method = doc(
        "`personaco` (sample k, reflect, choose) or `baseline` (one sample).", "personaco"
    )
    k: int = doc("Number of samples per turn for PersonaCo (1..32).", 8, lo=1, hi=32)
    sampling: SamplingPreset = doc(
        "`model`: the sampling values measured for the model (its manifest's [sampling] "
        "table); `paper`: the paper's temperature 1.0 with plain sampling (no top-k, top-p or "
        "min-p). A temperature, top_p, min_p or top_k set below wins over both.",
        "model",
    )
    temperature: float = doc(
        "Sampling temperature; -1 takes it from generation.sampling.",
        -1.0,
        lo=0,
        hi=5,
        unset=UNSET,
        allowed="-1 (from generation.sampling) or a number from 0 to 5",
    )
    top_p: float = doc(
        "Top-p: draw only from the likeliest tokens holding this much probability; 1 is off, "
        "-1 takes it from generation.sampling.",
        -1.0,
        lo=0,
        hi=1,
        above=True,
        unset=UNSET,
        allowed="-1 (from generation.sampling) or a number above 0 up to 1",
    )
    min_p: float = doc(
        "Min-p: drop tokens less likely than this share of the likeliest one; 0 is off, -1 "
        "takes it from generation.sampling.",
        -1.0,
        lo=0,
        hi=1,
        unset=UNSET,
        allowed="-1 (from generation.sampling) or a number from 0 to 1",
    )
    top_k: int = doc(
        "Top-k: draw only from the k likeliest tokens; 0 is off, -1 takes it from "
        "generation.sampling.",
        -1,
        lo=0,
        hi=1_000_000,
        unset=UNSET,
        allowed="-1 (from generation.sampling) or an integer from 0 to 1000000",
    )
    max_tokens: int = doc("Maximum new tokens per answer.", 256, lo=1, hi=32768)
    seed: int = doc(
        "Random seed; -1 draws a new one for every turn.",
        -1,
        lo=-1,
        hi=2**63 - 1,
        allowed="-1 (a new seed every turn) or an integer from 0 to 2**63-1",
    )
    reflector: str = doc(
        "How answers are checked: auto, rules, persona (the user's reply stating the signal, "
        "scored after each answer), self, self-text (the paper's parsed 0/1) or model.",
        "auto",
        choices=REFLECTORS,
    )
    early_stop: bool = doc(
        "Stop sampling once an answer satisfies every signal by rules (all signals checkable). "
        "Off by default: the first answer to finish is often the shortest, not the best.",
        False,
    )
    steer: Steer = doc(
        "Steer generation toward the signals (token masks, forced structure, SMC): on, or off "
        "for plain sampling (the paper's method).",
        "on",
    )
    persona_steer: PersonaSteer = doc(
        'Steer toward persona facts ("I\'m vegetarian."): contrast draws each answer against '
        "a twin that reads the query without the facts, 2k sequences in one batch (llama.cpp "
        "in-process only), or off.",
        "off",
    )
    persona_alpha: float = doc(
        "Weight of the persona contrast: (1+α)·logits with the facts − α·logits without "
        "(0.5 fitted best on implicit/dev; see the README).",
        0.5,
        lo=0,
        hi=10,
    )
    reflector_model: str = doc(
        "The `model` reflector: a model name or .gguf path, or `judge` for the judge endpoint; "
        "empty means the generating model reflects on its own answers.",
        "",
    )
    learning: Learning = doc(
        "`learned`: once a profile has 5 choices (picks in the why view, your A/B ratings), "
        "what they show you prefer decides among answers the signals leave equal; `off`: never.",
        "learned",
    )


def is_base_url(value: str) -> bool:
    """Empty, or an http(s) URL with a host and, if any, a valid port."""
    if not value:
        return True
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.hostname)


@dataclass
class EndpointSettings:
    base_url: str = doc(
        "Base URL of an OpenAI-compatible server; empty disables it.",
        "",
        test=is_base_url,
        allowed="empty, or an http:// or https:// URL with a host (e.g. http://127.0.0.1:8080/v1)",
    )
    model: str = doc("Model name to request from that server.", "")
    api_key_env: str = doc(
        "Environment variable holding the API key (the keyring is tried after it).",
        "OPENAI_API_KEY",
    )
    timeout_s: float = doc("Seconds before a request is abandoned.", 60.0, lo=0, above=True)
    concurrency: int = doc(
        "Requests sent at once (1 for servers that answer one at a time).", 4, lo=1, hi=1024
    )


@dataclass
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    judge: EndpointSettings = field(default_factory=EndpointSettings)
    remote: EndpointSettings = field(default_factory=EndpointSettings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def _sections() -> dict[str, dict[str, Spec]]:
    """{section: {name: spec}} for every setting, in declaration order."""
    out: dict[str, dict[str, Spec]] = {}
    for section, cls in get_type_hints(Settings).items():
        hints = get_type_hints(cls)
        out[section] = {
            f.name: Spec(
                f"{section}.{f.name}",
                hints[f.name],
                f.metadata["rule"],
                f.metadata["doc"],
                f.default,
            )
            for f in fields(cls)
        }
    return out


def config_path(loc: Locations) -> Path:
    return Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else loc.config_path


def _nearest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _section(name: str, source: str) -> dict[str, Spec]:
    sections = _sections()
    if name not in sections:
        raise ConfigError(
            f"Unknown section [{name}] in {source}{_nearest(name, list(sections))}.",
            f"The sections are {', '.join(sections)}.",
        )
    return sections[name]


def _spec(section: str, name: str, source: str) -> Spec:
    specs = _section(section, source)
    if name not in specs:
        raise ConfigError(
            f"Unknown setting {section}.{name} in {source}{_nearest(name, list(specs))}.",
            f"[{section}] has {', '.join(specs)}.",
        )
    return specs[name]


def spec_for(key: str, source: str = "the command line") -> tuple[str, str]:
    """(section, name) of a `section.name` key; ConfigError naming the known ones if not."""
    section, dot, name = key.partition(".")
    if not dot or not name or "." in name:
        raise ConfigError(
            f"Unknown setting {key!r}: a setting is section.name, e.g. generation.k.",
            f"The sections are {', '.join(_sections())}.",
        )
    sections = _sections()
    if section not in sections:
        raise ConfigError(
            f"Unknown setting {key!r}: there is no section {section!r}"
            f"{_nearest(section, list(sections))}.",
            f"The sections are {', '.join(sections)}.",
        )
    _spec(section, name, source)
    return section, name


def _without_foreign_tables(data: dict[str, Any], source: str) -> dict[str, Any]:
    """`data` less the tables that belong to some other tool: a name no section resembles.
    A plain value at the top level (k = 4) stays, to be refused: it is a misplaced setting."""
    sections = list(_sections())
    kept: dict[str, Any] = {}
    for name, value in data.items():
        foreign = (
            name not in sections
            and isinstance(value, dict)
            and not difflib.get_close_matches(name, sections, n=1, cutoff=MISSPELLING_CUTOFF)
        )
        if foreign:
            log.debug("config: [%s] in %s is no PersonaCo section; left alone", name, source)
        else:
            kept[name] = value
    return kept


def apply(settings: Settings, data: dict[str, Any], source: str, *, parse: bool = True) -> None:
    """Set the values in `data` ({section: {name: value}}) on `settings`, each checked
    against its field (text parsed as the field's type when `parse`); an unknown section or
    key or a bad value raises ConfigError naming `source`, and then nothing is changed."""
    valid: list[tuple[str, str, object]] = []
    for section, section_data in data.items():
        specs = _section(section, source)
        if not isinstance(section_data, dict):
            raise ConfigError(
                f"{section} in {source} is a value, not a [{section}] table.",
                f"Put its settings under [{section}] (it has {', '.join(specs)}).",
            )
        for name, value in section_data.items():
            spec = _spec(section, name, source)
            valid.append((section, name, checked(spec, value, source, parse)))
    for section, name, value in valid:
        setattr(getattr(settings, section), name, value)


def _env_overrides() -> list[tuple[str, str, str, str]]:
    """(variable, section, name, value) for every PERSONACO_<SECTION>_<FIELD> that is set.
    A PERSONACO_ variable that is a setting's name misspelled (PERSONACO_GENERATON_K) is
    refused rather than ignored; others (PERSONACO_HOME, ...) are no business of this."""
    out = []
    known: list[str] = []
    for section, specs in _sections().items():
        for name in specs:
            var = f"PERSONACO_{section}_{name}".upper()
            known.append(var)
            if var in os.environ:
                out.append((var, section, name, os.environ[var]))
    for var in os.environ:
        if var.startswith("PERSONACO_") and var not in known:
            cut = [k for k in known if k.startswith(var) and var.count("_") >= 2]  # _TEMP
            close = cut[:1] or difflib.get_close_matches(
                var, known, n=2, cutoff=ENV_MISSPELLING_CUTOFF
            )
            if close:
                raise ConfigError(
                    f"The environment variable {var} is no setting "
                    f"(did you mean {' or '.join(close)}?).",
                    "Rename or unset it (`personaco config show` lists every setting).",
                )
    return out


def _read(path: Path) -> str | None:
    """The file's text, None when there is none; ConfigError for anything but a readable
    regular UTF-8 file of at most MAX_CONFIG_BYTES (a FIFO or /dev/zero would never end)."""
    todo = f"Point {CONFIG_ENV} at a TOML file, or fix or remove {path}."
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"Config file {path} is a directory, not a file.", todo)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"Config file {path} is not a regular file.", todo)
        with path.open("rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f"Cannot read config file {path} ({e.strerror or e}).", todo) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"Config file {path} is larger than {MAX_CONFIG_BYTES >> 20} MiB.", todo)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"Config file {path} is not UTF-8 text ({e.reason}).", todo) from None


def load(loc: Locations, *, env: bool = True) -> Settings:
    """Settings from the file (if any) with environment overrides applied."""
    settings = Settings()
    path = config_path(loc)
    text = _read(path)
    if text is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(
                f"Config file {path} is not valid TOML ({e}).", "Fix or delete it to use defaults."
            ) from None
        except RecursionError:
            raise ConfigError(
                f"Config file {path} nests arrays or tables too deeply to read.",
                "Fix or delete it to use defaults.",
            ) from None
        apply(settings, _without_foreign_tables(data, str(path)), str(path), parse=False)
    if env:
        for var, section, name, value in _env_overrides():
            apply(settings, {section: {name: value}}, f"the environment variable {var}")
    validate(settings)
    return settings


def validate(s: Settings) -> None:
    """Check every value as it stands (set in code, not only read from a file)."""
    for section, specs in _sections().items():
        values = getattr(s, section)
        for name, spec in specs.items():
            checked(spec, getattr(values, name), "the settings")


def check_value(key: str, text: str, source: str = "the command line") -> object:
    """The value to store for `key` given as text (parsed as its field's type), checked."""
    section, name = spec_for(key, source)
    return checked(_sections()[section][name], text, source)


def _document(path: Path) -> tomlkit.TOMLDocument:
    text = _read(path)
    if text is None:
        return tomlkit.document()
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as e:
        raise ConfigError(
            f"Config file {path} is not valid TOML ({e}).", "Fix or delete it to use defaults."
        ) from None
    except RecursionError:
        raise ConfigError(
            f"Config file {path} nests arrays or tables too deeply to read.",
            "Fix or delete it to use defaults.",
        ) from None


def set_values(loc: Locations, values: dict[str, dict[str, object]]) -> Path:
    """Write `values` ({section: {name: value}}, each checked already) into the config file,
    editing it in place: every other line, comment and table stays as the user wrote it."""
    path = config_path(loc)
    doc = _document(path)
    for section, names in values.items():
        table = doc.get(section)
        if table is None:
            table = tomlkit.table()
            doc.add(section, table)
        elif not isinstance(table, dict):
            raise ConfigError(
                f"{section} in {path} is a value, not a [{section}] table.",
                f"Put its settings under [{section}].",
            )
        for name, value in names.items():
            table[name] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return atomic_write(path, tomlkit.dumps(doc))
    except OSError as e:
        raise ConfigError(
            f"Cannot write config file {path} ({e.strerror or e}).",
            "Check that it is a regular file and its folder exists and is writable.",
        ) from None


def save(loc: Locations, settings: Settings) -> Path:
    """Write the settings that differ from what the file gives now (defaults included):
    a value left as it was is not written, so the file keeps holding only the user's own
    choices. Atomic (temporary file, then rename): a crash never leaves half a file."""
    validate(settings)
    path = config_path(loc)
    if path.is_dir():
        raise ConfigError(
            f"Config file {path} is a directory, not a file.",
            f"Point {CONFIG_ENV} at a TOML file, or remove the directory.",
        )
    current = load(loc, env=False)
    changed: dict[str, dict[str, object]] = {}
    for section, specs in _sections().items():
        for name in specs:
            value = getattr(getattr(settings, section), name)
            if value != getattr(getattr(current, section), name):
                changed.setdefault(section, {})[name] = value
    return set_values(loc, changed) if changed or not path.exists() else path


def describe() -> list[tuple[str, str, Any]]:
    """(key, doc, default) for every setting, for `config show` and the README."""
    return [(s.key, s.doc, s.default) for specs in _sections().values() for s in specs.values()]
