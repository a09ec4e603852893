"""The candidates a simulation's users choose among: real PersonaCo turns (k samples, no
signals) on a query set with the configured model, generated once and kept in a JSONL cache
so that every simulated user, and every later run, reuses them. Resumable: a query already in
the cache is not generated again; a line torn by a kill is ignored and redone."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core import personaco
from ..core.types import Candidate, Generation, GenerationSettingsUsed
from ..engines.base import CancelToken, Engine
from ..errors import PersonacoError


@dataclass(frozen=True)
class TurnSpec:
    k: int = 8
    max_tokens: int = 192
    temperature: float = 1.0
    seed: int = 0

    def key(self) -> dict[str, object]:
        return {
            "k": self.k,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }


def generation_of(line: dict[str, object]) -> Generation:
    """A cached turn back as a Generation (no signals, no cells)."""
    cands = line["candidates"]
    assert isinstance(cands, list)
    settings = GenerationSettingsUsed(
        method="personaco",
        model=str(line.get("model", "")),
        k=len(cands),
        temperature=float(line.get("temperature", 1.0)),  # type: ignore[arg-type]
        seed=None,
        max_tokens=int(line.get("max_tokens", 0)),  # type: ignore[call-overload]
    )
    return Generation(
        settings=settings,
        query=str(line["query"]),
        signals=[],
        prompt="",
        candidates=[
            Candidate(i, str(c["text"]), int(c.get("n_tokens", 0)), str(c["finish_reason"]))
            for i, c in enumerate(cands)
        ],
    )


def read_cache(path: Path, spec: TurnSpec) -> dict[str, Generation]:
    """The turns already cached for `spec`, by query id. A cache made with other settings
    is refused, so two runs never mix their candidates."""
    out: dict[str, Generation] = {}
    if not path.exists():
        return out
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a line torn by a kill: generated again
        if not isinstance(line, dict) or "candidates" not in line:
            continue
        made = {key: line.get(key) for key in spec.key()}
        if made != spec.key():
            raise PersonacoError(
                f"{path} holds candidates made with {made}, not {spec.key()}.",
                "Use another --name for other settings, or delete that file.",
            )
        out[str(line["id"])] = generation_of(line)
    return out


def generate(
    engine: Engine,
    queries: list[tuple[str, str]],
    path: Path,
    spec: TurnSpec,
    *,
    on_done: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Generation]:
    """Every query's turn, from the cache where it is there, generated (and appended to it)
    where not. `queries` are (id, text) pairs; returns the turns by id."""
    have = read_cache(path, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    todo = [(qid, q) for qid, q in queries if qid not in have]
    cfg = personaco.RunConfig(
        method="personaco", k=spec.k, temperature=spec.temperature, max_tokens=spec.max_tokens
    )
    with path.open("a", encoding="utf-8") as fh:
        for n, (qid, query) in enumerate(todo, 1):
            cfg.seed = (spec.seed + zlib.crc32(qid.encode())) % 2**31  # per query, stable
            gen = personaco.run(engine, query, [], cfg, None, cancel=cancel)
            line = {
                "id": qid,
                "query": query,
                "model": gen.settings.model,
                **spec.key(),
                "candidates": [
                    {"text": c.text, "n_tokens": c.n_tokens, "finish_reason": c.finish_reason}
                    for c in gen.candidates
                ],
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            have[qid] = generation_of(line)
            if on_done:
                on_done(n, len(todo))
    return {qid: have[qid] for qid, _ in queries if qid in have}
