"""The model's own chat template (from the GGUF's `tokenizer.chat_template`), rendered with
Jinja2 in a sandbox the way Hugging Face transformers does, so no model family is assumed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .base import ChatMessage

# Used only for a GGUF that carries no template at all.
_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _raise(message: str) -> None:
    raise jinja2.TemplateError(message)


def _tojson(x: Any, ensure_ascii: bool = False, indent: int | None = None, **kw: Any) -> str:
    return json.dumps(
        x, ensure_ascii=ensure_ascii, indent=indent, sort_keys=kw.get("sort_keys", False)
    )


@dataclass
class ChatTemplate:
    source: str
    bos: str = ""
    eos: str = ""
    stop_strings: list[str] = field(default_factory=list)
    from_model: bool = True

    def __post_init__(self) -> None:
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
        )
        env.filters["tojson"] = _tojson
        env.globals["raise_exception"] = _raise
        env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        self._compiled = env.from_string(self.source)

    @classmethod
    def from_metadata(cls, metadata: dict[str, str], bos: str, eos: str) -> ChatTemplate:
        source = metadata.get("tokenizer.chat_template")
        stops = [eos] if eos else []
        if "<|im_end|>" in (source or _CHATML) and "<|im_end|>" not in stops:
            stops.append("<|im_end|>")
        return cls(source or _CHATML, bos=bos, eos=eos, stop_strings=stops, from_model=bool(source))

    def render(self, messages: list[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        return self._compiled.render(
            messages=messages,
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos,
            eos_token=self.eos,
        )
