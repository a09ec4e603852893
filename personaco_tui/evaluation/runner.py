"""Running an evaluation session: generate each side's missing outputs, then judge the
missing (item, signal, pass) cells. Both steps only do work that has no stored row yet, so a
killed run resumes where it stopped and a finished one does nothing when run again."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from ..core import personaco
from ..engines.base import CancelToken
from ..remote_text import clean as storable
from ..remote_text import clip
from ..runtime import Runtime
from ..store import generations as G
from ..store.db import Store
from . import sessions as S
from .configs import run_config
from .judge import JudgeAuthError, JudgeError, Judgment
from .verdicts import INVALID

REQUEST_FAILED = S.REQUEST_FAILED

# (done, total, what) after each output or judgment
SessionProgressFn = Callable[[int, int, str], None]


@dataclass(frozen=True)
class RunSummary:
    done: int
    total: int
    cancelled: bool = False
    errors: int = 0  # cells stored as INVALID because the request failed
    last_error: str = ""


def generate_outputs(
    rt: Runtime,
    session: int | str,
    *,
    on_progress: SessionProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RunSummary:
    """Generate and store every missing (item, side) output. Side A's outputs come first,
    then side B's, so each side's model is loaded once. Each output is stored with its
    generation in one transaction; a cancelled generation is not stored."""
    s = S.get_session(rt.store, session)
    pending = S.pending_outputs(rt.store, s.id)
    pending.sort(key=lambda p: S.SIDES.index(p.side))  # stable: item order within a side
    total, done = len(pending), 0
    for side in S.SIDES:
        todo = [p for p in pending if p.side == side]
        if not todo:
            continue
        cfg = s.config_a if side == "A" else s.config_b
        engine = rt.load_engine(cfg.get("model"))
        rc = run_config(cfg, rt.run_config(engine.name))  # that model's sampling settings
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


class Judge(Protocol):
    """What `judge_session` needs of a judge (`ExternalJudge`, `VerifiableJudge`): a kind and
    model to store verdicts under, and one verdict per pair. An optional `concurrency`
    attribute gives the default number of requests at once."""

    kind: str
    model: str

    def judge(self, query: str, signal: str, a: str, b: str, order: str = "AB") -> Judgment: ...


def _store_judgment(
    store: Store, judge: Judge, p: S.PendingJudgment, j: Judgment, replace: bool
) -> None:
    S.add_judgment(
        store,
        p.item_id,
        p.signal_idx,
        judge_kind=judge.kind,
        judge_model=judge.model,
        verdict=j.verdict,
        order_shown=j.order_shown,
        pass_no=p.pass_no,
        raw=None if j.raw is None else clip(storable(j.raw)),  # a judge may say megabytes
        replace=replace,
    )


def judge_session(
    store: Store,
    session: int | str,
    judge: Judge,
    *,
    passes: int = 1,
    concurrency: int | None = None,
    retry_errors: bool = False,
    max_errors_in_a_row: int = 5,
    on_progress: SessionProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RunSummary:
    """Judge every cell this judge (kind and model) has not judged yet, for items whose two
    outputs exist, each in the order `pending_judgments` gives (pass 2 swaps pass 1).

    Up to `concurrency` requests run at once in worker threads (default: the judge's own
    `concurrency`, else 1); this thread stores each verdict as soon as it returns, so a kill
    loses at most the requests in flight. `cancel` stops submitting and returns at once
    (the requests in flight are dropped, to be judged by the next run).

    A refused key (`JudgeAuthError`) stops the run: the verdicts already back are stored,
    then the error is raised. Any other failed request (timeout, unreachable, 5xx after the
    client's retries) is stored as INVALID with raw text `REQUEST_FAILED` + the message, so
    it is counted and never dropped; `retry_errors=True` judges such cells again. After
    `max_errors_in_a_row` failed requests with no success between them, the run stops with
    that error (the judge is down; there is no point failing every cell)."""
    pending = S.pending_judgments(
        store, session, judge.kind, judge.model, passes, retry_errors=retry_errors
    )
    total, done, errors, streak = len(pending), 0, 0, 0
    last_error = ""
    n = concurrency if concurrency is not None else getattr(judge, "concurrency", 1)
    n = max(1, int(n))
    todo = iter(pending)
    in_flight: dict[Future[Judgment], S.PendingJudgment] = {}
    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="judge-run")
    fatal: BaseException | None = None
    try:
        while True:
            stop = cancel is not None and cancel.cancelled
            while not stop and len(in_flight) < n:
                p = next(todo, None)
                if p is None:
                    break
                f = pool.submit(
                    judge.judge, p.query, p.signal, p.response_a, p.response_b, p.order_shown
                )
                in_flight[f] = p
            if stop:
                return RunSummary(done, total, cancelled=True, errors=errors, last_error=last_error)
            if not in_flight:
                break
            finished, _ = wait(list(in_flight), timeout=0.1, return_when=FIRST_COMPLETED)
            for f in finished:
                p = in_flight.pop(f)
                try:
                    j = f.result()
                except JudgeAuthError as e:
                    fatal = fatal or e
                    continue
                except JudgeError as e:
                    last_error = e.message
                    j = Judgment(INVALID, REQUEST_FAILED + e.message, p.order_shown)
                    errors += 1
                    streak += 1
                else:
                    streak = 0
                _store_judgment(store, judge, p, j, replace=retry_errors)
                done += 1
                if on_progress is not None:
                    on_progress(
                        done, total, f"item {p.item_id} signal {p.signal_idx} pass {p.pass_no}"
                    )
                if fatal is None and streak >= max_errors_in_a_row:
                    fatal = JudgeError(
                        f"Stopped after {streak} failed judge requests in a row; the last: "
                        f"{last_error.rstrip('.')}.",
                        "Fix the judge, then run again with --retry-errors.",
                    )
            if fatal is not None:
                raise fatal  # what is still in flight is dropped, as in a kill
    finally:
        for f in in_flight:
            f.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
    return RunSummary(done, total, errors=errors, last_error=last_error)
