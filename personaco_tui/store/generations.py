"""Generations: the run's settings, its k candidates and the candidate x signal matrix,
saved together in one transaction so a stored run is always complete."""

from __future__ import annotations

import json
from typing import Any

from ..core.types import Candidate, Generation, GenerationSettingsUsed, ReflectionCell
from ..errors import NotFoundError
from .db import InvalidInputError, Store, check_text, guarded, insert_row


def _check_texts(gen: Generation) -> None:
    texts = [gen.query, gen.prompt or "", *gen.signals]
    texts += [c.text for c in gen.candidates] + [c.raw or "" for c in gen.cells]
    for text in texts:
        check_text(text)


def _signals_json(gen: Generation) -> str:
    """The signals, as a JSON list; with a steering record (core/steer), an object
    {"signals": [...], "steering": {...}} in the same column (no migration: a list is a
    generation stored without one)."""
    if gen.steering is None:
        return json.dumps(gen.signals, ensure_ascii=False)
    return json.dumps({"signals": gen.signals, "steering": gen.steering}, ensure_ascii=False)


def _signals_of(raw: str) -> tuple[list[str], dict[str, Any] | None]:
    data = json.loads(raw)
    if isinstance(data, dict):
        steering = data.get("steering")
        return list(data.get("signals", [])), steering if isinstance(steering, dict) else None
    return list(data), None


def _generation_row(gen: Generation, profile_id: int | None) -> dict[str, Any]:
    s = gen.settings
    return {
        "profile_id": profile_id,
        "method": s.method,
        "model": s.model,
        "k": s.k,
        "temperature": s.temperature,
        "top_p": s.top_p,
        "min_p": s.min_p,
        "top_k": s.top_k,
        "seed": s.seed,
        "max_tokens": s.max_tokens,
        "reflector": s.reflector,
        "query": gen.query,
        "signals_json": _signals_json(gen),
        "prompt": gen.prompt,
        "chosen_index": gen.chosen_index,
        "early_stopped": 1 if gen.early_stopped else 0,
        "status": gen.status,
        "prompt_tokens": gen.prompt_tokens,
        "sample_s": gen.sample_s,
        "reflect_s": gen.reflect_s,
        "total_s": gen.total_s,
        "learning_json": None if gen.learning is None else json.dumps(gen.learning),
    }


@guarded
def save_generation(store: Store, gen: Generation, profile_id: int | None = None) -> int:
    """Store the run with all its candidates and cells; sets and returns `gen.id`."""
    _check_texts(gen)
    with store.transaction() as db:
        gen_id = insert_row(db.table("generations"), _generation_row(gen, profile_id))
        db.table("candidates").insert_all(
            {
                "generation_id": gen_id,
                "idx": c.index,
                "text": c.text,
                "n_tokens": c.n_tokens,
                "finish_reason": c.finish_reason,
                "score": c.score,
            }
            for c in gen.candidates
        )
        db.table("reflection_cells").insert_all(
            {
                "generation_id": gen_id,
                "candidate_idx": c.candidate,
                "signal_idx": c.signal,
                "score": c.score,
                "reflector": c.reflector,
                "raw": c.raw,
            }
            for c in gen.cells
        )
    gen.id = gen_id
    return gen_id


def _row(store: Store, generation_id: int) -> dict[str, Any]:
    rows = store.db.table("generations").rows_where("id = ?", [generation_id], limit=1)
    row = next(iter(rows), None)
    if row is None:
        raise NotFoundError(f"Unknown generation #{generation_id}.", "It may have been deleted.")
    return row


@guarded
def load_generation(store: Store, generation_id: int) -> Generation:
    row = _row(store, generation_id)
    db = store.db
    candidates = [
        Candidate(
            index=r["idx"],
            text=r["text"],
            n_tokens=r["n_tokens"] or 0,
            finish_reason=r["finish_reason"] or "",
            score=r["score"],
        )
        for r in db.table("candidates").rows_where(
            "generation_id = ?", [generation_id], order_by="idx"
        )
    ]
    cells = [
        ReflectionCell(
            candidate=r["candidate_idx"],
            signal=r["signal_idx"],
            score=r["score"],
            reflector=r["reflector"],
            raw=r["raw"] or "",
        )
        for r in db.table("reflection_cells").rows_where(
            "generation_id = ?", [generation_id], order_by="candidate_idx, signal_idx"
        )
    ]
    settings = GenerationSettingsUsed(
        method=row["method"],
        model=row["model"],
        k=row["k"],
        temperature=row["temperature"],
        seed=row["seed"],
        max_tokens=row["max_tokens"],
        reflector=row["reflector"],
        top_p=row.get("top_p"),
        min_p=row.get("min_p"),
        top_k=row.get("top_k"),
    )
    signals, steering = _signals_of(row["signals_json"])
    return Generation(
        settings=settings,
        query=row["query"],
        signals=signals,
        steering=steering,
        prompt=row["prompt"] or "",
        candidates=candidates,
        cells=cells,
        chosen_index=row["chosen_index"] if row["chosen_index"] is not None else 0,
        early_stopped=bool(row["early_stopped"]),
        status=row["status"],
        prompt_tokens=row["prompt_tokens"],
        sample_s=row["sample_s"],
        reflect_s=row["reflect_s"],
        total_s=row["total_s"],
        id=row["id"],
        learning=json.loads(row["learning_json"]) if row.get("learning_json") else None,
    )


@guarded
def set_user_choice(store: Store, generation_id: int, candidate_index: int | None) -> None:
    """Record the candidate the user preferred over the chosen one (None clears it)."""
    with store.transaction() as db:
        _row(store, generation_id)
        if candidate_index is not None:
            n = db.execute(
                "SELECT count(*) FROM candidates WHERE generation_id = ?", [generation_id]
            ).fetchone()[0]
            if isinstance(candidate_index, bool) or not 0 <= candidate_index < n:
                raise InvalidInputError(
                    f"Generation #{generation_id} has no candidate {candidate_index}.",
                    f"Pick one from 0 to {n - 1}." if n else "It has no candidates.",
                )
        db.table("generations").update(generation_id, {"user_choice": candidate_index})


@guarded
def get_user_choice(store: Store, generation_id: int) -> int | None:
    """The candidate the user picked instead of the chosen one, if any."""
    choice = _row(store, generation_id)["user_choice"]
    return None if choice is None else int(choice)
