"""The paper's reflection: the model is shown its own answer and asked whether it addresses
the personalization; the cell is P("1") against P("0") read from the logits."""

from __future__ import annotations

from ...engines.base import CancelToken, ChatMessage, Engine, ProgressFn
from ..prompts import reflection_prompt
from ..types import ReflectionCell
from .base import ReflectionInput


def reflection_conversation(
    messages: list[ChatMessage], candidate: str, signal: str
) -> list[ChatMessage]:
    return [
        *messages,
        {"role": "assistant", "content": candidate},
        {"role": "user", "content": reflection_prompt(signal)},
    ]


class SelfReflector:
    """Reflection by a language model: the generator itself (`self`) or another one (`model`)."""

    def __init__(self, engine: Engine, name: str = "self") -> None:
        self.engine = engine
        self.name = name

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        pairs = [(i, j) for i in range(len(inp.candidates)) for j in range(len(inp.signals))]
        convs = [
            reflection_conversation(inp.messages, inp.candidates[i], inp.signals[j])
            for i, j in pairs
        ]
        answers = self.engine.yes_no(convs, on_progress=on_progress, cancel=cancel)
        return [
            ReflectionCell(candidate=i, signal=j, score=a.p_yes, reflector=self.name, raw=a.raw)
            for (i, j), a in zip(pairs, answers, strict=True)
        ]
