"""The reflectors a user can name (`generation.reflector`, `--reflector`, eval configs), each
with the factory that builds it: the one place their names live.

A factory gets the engine whose answers are checked and a callable returning the separate
model reflector (`generation.reflector_model`) or None; it is called only by the
factories that use it, so naming `rules` or `self` never loads a second model.
The reflector classes are imported inside the factories: the settings module reads the
names at import time, and it must stay light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    from .core.reflectors.base import Reflector
    from .engines.base import Engine

ModelReflector = Callable[[], "Reflector | None"]
ReflectorFactory = Callable[["Engine", ModelReflector], "Reflector"]


def _auto(engine: Engine, model: ModelReflector) -> Reflector:
    from .core.reflectors.auto import AutoReflector

    return AutoReflector(model() or _persona(engine, model))


def _persona(engine: Engine, model: ModelReflector) -> Reflector:
    # the user's reply stating the signal, scored after each answer; an engine that cannot
    # score text (a remote server) falls back to self-reflection, and the cells say so
    from .core.reflectors import SelfReflector
    from .core.reflectors.persona import PersonaReflector

    return PersonaReflector(engine, fallback=SelfReflector(engine, name="self"))


def _rules(engine: Engine, model: ModelReflector) -> Reflector:
    from .core.reflectors.rules import RulesReflector

    return RulesReflector()


def _style(engine: Engine, model: ModelReflector) -> Reflector:
    from .core.reflectors.style import StyleReflector

    return StyleReflector()


def _self(engine: Engine, model: ModelReflector) -> Reflector:
    from .core.reflectors import SelfReflector

    return SelfReflector(engine, name="self")


def _self_text(engine: Engine, model: ModelReflector) -> Reflector:
    from .core.reflectors import SelfReflector

    return SelfReflector(engine, name="self-text", text=True)


def _model(engine: Engine, model: ModelReflector) -> Reflector:
    reflector = model()
    if reflector is None:
        raise ConfigError(
            "The `model` reflector needs another model.",
            "Set generation.reflector_model to a model name, a .gguf path, or `judge`.",
        )
    return reflector


# Insertion order is the order shown to users (auto first: it is the default).
REFLECTORS: Mapping[str, ReflectorFactory] = MappingProxyType(
    {
        "auto": _auto,
        "rules": _rules,
        "persona": _persona,
        "self": _self,
        "self-text": _self_text,
        "model": _model,
        "style": _style,
    }
)


def build(name: str, engine: Engine, model: ModelReflector) -> Reflector:
    """The reflector called `name` for answers of `engine`; ConfigError for an unknown name."""
    factory = REFLECTORS.get(name)
    if factory is None:
        raise ConfigError(f"Unknown reflector {name!r}.", f"Use one of {', '.join(REFLECTORS)}.")
    return factory(engine, model)
