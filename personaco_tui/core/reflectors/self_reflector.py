"""The paper's reflection: the model is shown its own answer and asked whether it addresses
the personalization; the cell is P("1") against P("0") read from the logits."""

from __future__ import annotations

from ...engines.base import CancelToken, ChatMessage, Engine, TurnProgressFn
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


def parse_binary(text: str) -> float:
    """The paper's binary cell from a text reply: 1 for "1" (or yes), else 0."""
    t = text.strip().lower()
    return 1.0 if t.startswith("1") or t.startswith("yes") else 0.0


class SelfReflector:
    """Reflection by a language model: the generator itself (`self`) or another one (`model`).

    `text=True` is the paper-exact mode (`self-text`): the cell is the model's greedy reply
    parsed as 0 or 1, not the probability read from the logits."""

    def __init__(self, engine: Engine, name: str = "self", *, text: bool = False) -> None:
        self.engine = engine
        self.name = name
        self.text = text

    def score(
        self,
        inp: ReflectionInput,
        *,
        on_progress: TurnProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> list[ReflectionCell]:
        pairs = [(i, j) for i in range(len(inp.candidates)) for j in range(len(inp.signals))]
        convs = [
            reflection_conversation(inp.messages, inp.candidates[i], inp.signals[j])
            for i, j in pairs
        ]
        answers = self.engine.yes_no(convs, on_progress=on_progress, cancel=cancel)
        return [
            ReflectionCell(
                candidate=i,
                signal=j,
                score=parse_binary(a.text) if self.text else a.p_yes,
                reflector=self.name,
                raw=f"reply {a.text!r}; {a.raw}" if self.text else a.raw,
            )
            for (i, j), a in zip(pairs, answers, strict=True)
        ]
