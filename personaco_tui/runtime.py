"""The composition root shared by the CLI and the TUI: locations, settings, the store, and
the engine built from the settings. No UI code lives here."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field, fields
from pathlib import Path

import psutil

from . import config as config_mod
from . import reflector_registry
from .catalog import registry, weights
from .catalog.gguf import GGUFInfo, check_gguf, memory_estimate
from .catalog.manifest import load_catalog
from .catalog.probe import native_runs
from .config import EndpointSettings, Settings
from .core.personaco import RunConfig
from .core.reflectors import SelfReflector
from .core.reflectors.base import Reflector
from .core.sampling import ENGINE_DEFAULT, Sampling, sampling_for
from .engines.base import Engine
from .errors import ModelError
from .locations import Locations, resolve
from .store.db import Store

log = logging.getLogger(__name__)


def available_memory() -> int | None:
    """Bytes a new allocation can get without swapping (Linux MemAvailable, and its
    equivalent on macOS and Windows, through psutil); None when the OS will not say."""
    try:
        return int(psutil.virtual_memory().available)
    except (OSError, RuntimeError, AttributeError):
        return None


def check_memory(model: str, n_ctx: int, needed: int | None, available: int | None) -> None:
    """Refuse, before llama.cpp allocates anything, a model and context that cannot fit."""
    if needed is None or available is None or needed <= available:
        return
    mb = 1 << 20
    raise ModelError(
        f"Loading {model} with a {n_ctx}-token context needs about {needed // mb:,} MB of "
        f"memory; {available // mb:,} MB is free.",
        "Lower model.n_ctx (F3 settings or `personaco config set model.n_ctx 4096`), "
        "choose a smaller model, or close other programs.",
    )


@dataclass
class Runtime:
    loc: Locations
    settings: Settings
    store: Store
    _engine: Engine | None = field(default=None, repr=False)
    _owns_engine: bool = field(default=True, repr=False)
    _reflector_engine: Engine | None = field(default=None, repr=False)
    # What `_reflector_engine` was built from: a change of it (another judge endpoint or
    # model) builds a new one instead of reusing the old.
    _reflector_source: tuple[str, EndpointSettings | None] | None = field(default=None, repr=False)
    weights_note: str = ""  # which weights the last model load used, and why

    @classmethod
    def open(cls, home: str | Path | None = None, *, engine: Engine | None = None) -> Runtime:
        """Open the store (migrating it) and read the settings. An already loaded `engine`
        may be handed in (tests share one); the runtime then never closes it."""
        loc = resolve(home).ensure()
        settings = config_mod.load(loc)
        store = Store.open(loc)
        return cls(loc, settings, store, engine, _owns_engine=engine is None)

    def model_path(self, name: str | None = None) -> tuple[str, Path]:
        return registry.resolve_model(self.store.db, self.loc, name or self.settings.model.default)

    def load_engine(self, name: str | None = None) -> Engine:
        """Load (or reuse) the engine: the remote server when `remote.base_url` is set and no
        model is named, else llama.cpp with the named or default model."""
        remote = self.settings.remote
        if name is None and remote.base_url:
            return self._load_remote()
        model_name, path = self.model_path(name)
        if self._engine is not None and getattr(self._engine, "name", None) == model_name:
            return self._engine
        engine = self._llama(model_name, path)
        self._close_engine()
        self._engine = engine
        self._owns_engine = True
        return engine

    def _llama(self, model_name: str, path: Path) -> Engine:
        """A llama.cpp engine for a checked GGUF file, with the model settings."""
        from .engines.llama import LlamaEngine, LlamaOptions  # heavy import, only when needed
        from .engines.llama_backend import gpu_offload_supported

        info = check_gguf(path)
        m = self.settings.model
        gpu = m.n_gpu_layers != 0 and gpu_offload_supported()
        load, kind = self.compute_weights(path, info, gpu=gpu)
        if not gpu:  # weights and cache stay in RAM
            free = available_memory()
            if load is not info:
                try:
                    check_memory(model_name, m.n_ctx, memory_estimate(load, m.n_ctx), free)
                except ModelError:  # the bigger copy does not fit: the file itself may
                    self.weights_note = f"native: the {load.size >> 20:,} MiB copy does not fit"
                    load, kind = info, "native"
            if load is info:
                check_memory(model_name, m.n_ctx, memory_estimate(info, m.n_ctx), free)
        if not gpu:
            load, kind = self._runnable(path, info, load, kind)
        return LlamaEngine(
            load.path,
            name=model_name,
            options=LlamaOptions(n_ctx=m.n_ctx, n_gpu_layers=m.n_gpu_layers, n_threads=m.n_threads),
            weights=kind,
        )

    def _runnable(
        self, path: Path, info: GGUFInfo, load: GGUFInfo, kind: str
    ) -> tuple[GGUFInfo, str]:
        """`load` if llama.cpp can run it on this CPU, else a BF16 copy: some builds crash (a
        segfault) on some quantized kernels on some CPUs (Q4_1 and Q8_0 with llama-cpp-python
        0.3.36 on AMX machines). Probed once per file in a child process (catalog/probe.py)."""
        probes = self.loc.weights_cache / "probes"
        if native_runs(load.path, probes):
            return load, kind
        why = f"llama.cpp crashes running {load.path.name} ({kind}) on this CPU"
        if kind != "bf16":
            try:
                copy = weights.prepare(path, info, "bf16", self.loc.weights_cache)
            except ModelError as e:
                raise ModelError(f"{why}, and {e.what}", e.todo) from None
            if native_runs(copy.path, probes):
                self.weights_note = f"bf16: {why}; a BF16 copy runs instead"
                log.warning("%s", self.weights_note)
                return copy, "bf16"
        raise ModelError(f"{why}.", "Try another model file, or a GPU build of llama.cpp.")

    def compute_weights(self, path: Path, info: GGUFInfo, *, gpu: bool) -> tuple[GGUFInfo, str]:
        """The checked file to load for `path` and its weights: `info` itself ("native"), or
        a derived copy per `model.weights` (see catalog/weights.py). A copy that cannot be
        written falls back to the file itself: it is a speed-up, never a reason not to answer.
        `weights_note` says why."""
        choice = weights.choose_here(self.settings.model.weights, info, gpu=gpu)
        self.weights_note = f"{choice.kind}: {choice.reason}"
        if choice.kind == "native":
            return info, "native"
        try:
            return weights.prepare(path, info, choice.kind, self.loc.weights_cache), choice.kind
        except ModelError as e:
            log.warning("loading %s as it is: %s", path.name, e.message)
            self.weights_note = f"native: {e.message}"
            return info, "native"

    def _load_remote(self) -> Engine:
        from .engines.openai_compat import OpenAICompatEngine

        r = self.settings.remote
        if isinstance(self._engine, OpenAICompatEngine) and self._engine.base_url == r.base_url:
            return self._engine
        engine = OpenAICompatEngine(
            r.base_url,
            r.model,
            api_key_env=r.api_key_env,
            timeout_s=r.timeout_s,
            concurrency=r.concurrency,
        )
        self._close_engine()
        self._engine = engine
        self._owns_engine = True
        return engine

    def drop_engine(self) -> None:
        """Forget the loaded engine (closing it if this runtime loaded it), so the next
        `load_engine` reads the model settings again: a changed model or GPU layers."""
        self._close_engine()

    @property
    def engine(self) -> Engine | None:
        return self._engine

    def sampling(self, model: str | None = None) -> Sampling:
        """What to sample `model` with (default: the loaded engine's, else the configured
        model): generation.sampling's choice (the manifest's measured values, or the
        paper's), each generation.temperature / top_p / min_p / top_k set explicitly winning."""
        g = self.settings.generation
        explicit = {
            name: getattr(g, name)
            for name in ("temperature", "top_p", "min_p", "top_k")
            if getattr(g, name) != config_mod.UNSET
        }
        return sampling_for(g.sampling, self.model_sampling(model), explicit)

    def model_sampling(self, model: str | None = None) -> Sampling:
        """The [sampling] table of the model's manifest; the engine's defaults for a model
        without one (a .gguf path, a registered file, a remote server)."""
        if model is None and self._engine is not None:
            model = self._engine.name
        elif model is None and not self.settings.remote.base_url:
            model = self.settings.model.default
        manifest = load_catalog(self.loc).get(model) if model else None
        return manifest.sampling if manifest is not None else ENGINE_DEFAULT

    def run_config(self, model: str | None = None, **overrides: object) -> RunConfig:
        """The configured run config for `model` (see `sampling`) with `overrides` (None:
        keep the setting); a key that is no RunConfig field raises, so a misspelt option is
        never silently dropped."""
        g = self.settings.generation
        s = self.sampling(model)
        cfg = RunConfig(
            method=g.method,
            k=g.k,
            temperature=s.temperature,
            top_p=s.top_p,
            min_p=s.min_p,
            top_k=s.top_k,
            max_tokens=g.max_tokens,
            seed=None if g.seed < 0 else g.seed,
            early_stop=g.early_stop,
            steer=g.steer == "on",
            persona_steer=g.persona_steer,
            persona_alpha=g.persona_alpha,
        )
        known = [f.name for f in fields(RunConfig)]
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise TypeError(
                f"run_config got unknown override(s) {', '.join(unknown)}; "
                f"known: {', '.join(known)}"
            )
        for key, value in overrides.items():
            if value is not None:
                setattr(cfg, key, value)
        return cfg

    def reflector(self, engine: Engine, name: str | None = None) -> Reflector:
        """The reflector named (default: the configured one) for answers of `engine`."""
        name = name or self.settings.generation.reflector
        return reflector_registry.build(name, engine, self._model_reflector)

    def _model_reflector(self) -> Reflector | None:
        target = self.settings.generation.reflector_model.strip()
        if not target:
            return None
        j = self.settings.judge
        source = (target, dataclasses.replace(j) if target == "judge" else None)
        if self._reflector_engine is not None and self._reflector_source != source:
            self._close_reflector_engine()
        if self._reflector_engine is None:
            if target == "judge":
                from .engines.openai_compat import OpenAICompatEngine

                self._reflector_engine = OpenAICompatEngine(
                    j.base_url,
                    j.model,
                    api_key_env=j.api_key_env,
                    timeout_s=j.timeout_s,
                    concurrency=j.concurrency,
                )
            else:
                self._reflector_engine = self._llama(*self.model_path(target))
            self._reflector_source = source
        return SelfReflector(self._reflector_engine, name="model")

    def _close_reflector_engine(self) -> None:
        if self._reflector_engine is not None:
            self._reflector_engine.close()
        self._reflector_engine = None
        self._reflector_source = None

    def _close_engine(self) -> None:
        if self._engine is not None and self._owns_engine:
            self._engine.close()
        self._engine = None

    def close(self) -> None:
        self._close_engine()
        self._close_reflector_engine()
        self.store.close()
