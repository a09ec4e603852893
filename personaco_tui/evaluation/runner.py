"""Running an evaluation session: generate each side's missing outputs, then judge the
missing (item, signal, pass) cells. Both steps only do work that has no stored row yet, so a
killed run resumes where it stopped and a finished one does nothing when run again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core import personaco
from ..engines.base import CancelToken
from ..runtime import Runtime
from ..store import generations as G
from ..store.db import Store
from . import sessions as S
from .configs import run_config
from .judge import ExternalJudge

# (done, total, what) after each output or judgment
ProgressFn = Callable[[int, int, str], None]


@dataclass(frozen=True)
class RunSummary:
    done: int
    total: int
    cancelled: bool = False


def generate_outputs(
    rt: Runtime,
    session: int | str,
    *,
    on_progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RunSummary:
    """Generate and store every missing (item, side) output. Side A's outputs come first,
    then side B's, so each side's model is loaded once. Each output is stored with its
    generation in one transaction; a cancelled generation is not stored."""
    s = S.get_session(rt.store, session)
    pending = S.pending_outputs(rt.store, s.id)
    pending.sort(key=lambda p: S.SIDES.index(p.side))  # stable: item order within a side
    total, done = len(pending), 0
    base = rt.run_config()
    for side in S.SIDES:
        todo = [p for p in pending if p.side == side]
        if not todo:
            continue
        cfg = s.config_a if side == "A" else s.config_b
        engine = rt.load_engine(cfg.get("model"))
        rc = run_config(cfg, base)
        refl = None if rc.method == "baseline" else rt.reflector(engine, cfg.get("reflector"))
        for p in todo:
            if cancel is not None and cancel.cancelled:
                return RunSummary(done, total, cancelled=True)
            gen = personaco.run(engine, p.query, p.signals, rc, refl, cancel=cancel)
            if cancel is not None and cancel.cancelled:
                return RunSummary(done, total, cancelled=True)
            with rt.store.transaction():
                gen_id = G.save_generation(rt.store, gen)
                S.add_output(rt.store, p.item_id, side, gen.response, gen_id)
            done += 1
            if on_progress is not None:
                on_progress(done, total, f"{p.item_key} {side}")
    return RunSummary(done, total)


def judge_session(
    store: Store,
    session: int | str,
    judge: ExternalJudge,
    *,
    passes: int = 1,
    on_progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RunSummary:
    """Judge every cell this judge (kind and model) has not judged yet, for items whose two
    outputs exist; pass 2 shows the responses in the swapped order. Each verdict is stored
    as soon as it comes back, so an error or a kill loses at most the one in flight."""
    pending = S.pending_judgments(store, session, judge.kind, judge.model, passes)
    total, done = len(pending), 0
    for p in pending:
        if cancel is not None and cancel.cancelled:
            return RunSummary(done, total, cancelled=True)
        order = S.order_for_pass(p.pass_no)
        j = judge.judge(p.query, p.signal, p.response_a, p.response_b, order)
        S.add_judgment(
            store,
            p.item_id,
            p.signal_idx,
            judge_kind=judge.kind,
            judge_model=judge.model,
            verdict=j.verdict,
            order_shown=j.order_shown,
            pass_no=p.pass_no,
            raw=j.raw,
        )
        done += 1
        if on_progress is not None:
            on_progress(done, total, f"item {p.item_id} signal {p.signal_idx} pass {p.pass_no}")
    return RunSummary(done, total)
