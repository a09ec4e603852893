"""Steering toward persona facts (issue 17): the facts a person states about themselves ("I'm
vegetarian.", "I live in Germany.") that no rule checks and no mask can enforce. With
`generation.persona_steer = contrast` an engine that can (`Capabilities.contrast`, llama.cpp
in-process) draws each answer against a twin that reads the same query without the facts
(the other signals kept), from (1 + alpha) * logits_with - alpha * logits_without over the
plausible tokens (engines/llama_contrast.py). An engine that cannot (a remote server: no
per-token logits of two prompts at once) samples plainly, and the stored generation says so.

The persona facts are the signals `auto` hands to the persona reflector: no check from the
rules or the classifier (core.signals.understand), and no writing sample (the style
reflector's)."""

from __future__ import annotations

from typing import Any

from ...engines.base import ChatMessage, Contrast, Engine, SampleOutput
from ...errors import EngineError
from ..prompts import personalization_prompt
from ..reflectors.style import sample_of
from ..signals import understand

MODES = ("off", "contrast")
CANNOT = (
    "not applied: this engine cannot contrast (a remote server gives no per-token logits "
    "of two prompts at once); sampled plainly"
)


def persona_facts(signals: list[str]) -> list[str]:
    """The signals that are persona facts (see the module docstring), in order."""
    return [s for s in signals if understand(s).check is None and sample_of(s) is None]


def plan_contrast(
    engine: Engine,
    query: str,
    signals: list[str],
    history: list[ChatMessage] | None,
    mode: str,
    alpha: float,
    k: int,
    max_tokens: int,
    prompt_len: int | None,
) -> tuple[Contrast | None, dict[str, Any] | None]:
    """The contrast to sample with (None: none) and the stored record (None: mode off).
    `prompt_len`: the with-facts prompt's tokens, where the engine counts them; a turn
    whose 2k sequences cannot fit is refused here, before any work."""
    if mode == "off":
        return None, None
    if mode not in MODES:
        raise EngineError(f"Unknown persona steering {mode!r}.", "Use off or contrast.")
    facts = persona_facts(signals)
    record: dict[str, Any] = {"mode": mode, "alpha": alpha, "facts": facts, "applied": False}
    if not facts:
        record["note"] = "no persona facts among the signals"
        return None, record
    if not engine.capabilities.contrast:
        record["note"] = CANNOT
        return None, record
    others = [s for s in signals if s not in facts]
    without: list[ChatMessage] = [
        *(history or []),
        {"role": "user", "content": personalization_prompt(query, others)},
    ]
    if prompt_len is not None and engine.capabilities.counts_tokens:
        plain_len = len(engine.prompt_tokens(without))
        try:
            engine.check_budget(prompt_len + plain_len, 2 * k, max_tokens)
        except EngineError as e:
            raise EngineError(
                f"Persona contrast decodes 2k = {2 * k} sequences (k answers and their twins "
                f"without the persona facts), which this context cannot hold: {e.what}",
                "Lower k or max tokens, raise model.n_ctx, or set generation.persona_steer = off.",
            ) from None
    return Contrast(alpha, without, tuple(facts)), record


def finish_record(record: dict[str, Any], outs: list[SampleOutput], k: int) -> dict[str, Any]:
    """The record once sampled: whether the answers were drawn against their twins."""
    if any(o.contrasted for o in outs):
        record.update(applied=True, sequences=2 * k, note="")
    elif "note" not in record:
        record["note"] = "not applied: the engine ignored the contrast"
    return record


def summary(record: dict[str, Any] | None) -> str:
    """One line for the why view ("" without a record)."""
    if not record:
        return ""
    facts = " ".join(str(f) for f in record.get("facts") or [])
    if record.get("applied"):
        return (
            f"Persona contrast α={record.get('alpha')}: each answer drawn against a twin "
            f"without “{facts}”"
        )
    return f"Persona contrast: {record.get('note') or 'not applied'}"
