"""The generate and judge steps the sessions screen runs in a thread worker, and the words it
shows about them.

`run_step` is the worker's body: it calls the same core as `personaco eval run` and reports
every change as a message through `post` (the screen's `post_message`, safe from a thread),
so nothing here touches a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from ...engines.base import CancelToken
from ...errors import Cancelled, PersonacoError
from ...evaluation import actions, runner
from ...evaluation import sessions as S
from ...runtime import Runtime

NO_JUDGE_URL = (
    "No judge server is set: set the judge's base URL and model in F3 Settings "
    "(judge.base_url, judge.model), or press J for the verifiable judge."
)


@dataclass
class RunStarted(Message):
    """A generate or judge step has its list of work: `total` outputs or verdicts."""

    step: str  # "generate" | "judge"
    total: int
    label: str  # e.g. "external · judge-x"


@dataclass
class RunProgress(Message):
    step: str
    done: int
    total: int
    what: str  # runner's description of the finished unit, e.g. "volcano A"


@dataclass
class RunFinished(Message):
    step: str
    session: str
    summary: runner.RunSummary
    label: str = ""


@dataclass
class RunFailed(Message):
    step: str
    error: str


Post = Callable[[Message], object]


def run_step(
    rt: Runtime,
    engine_lock: threading.Lock,
    step: str,
    session_id: int,
    kind: str,
    cancel: CancelToken,
    post: Post,
) -> None:
    """Generate the session's missing outputs (`step` "generate") or judge its pairs with the
    judge `kind` ("judge"), ending with RunFinished or RunFailed."""

    def progress(done: int, total: int, what: str) -> None:
        post(RunProgress(step, done, total, what))

    try:
        name = S.get_session(rt.store, session_id).name
        if step == "generate":
            summary = _generate(rt, engine_lock, session_id, cancel, progress, post)
            label = ""
        else:
            judge = actions.make_judge(rt.settings.judge, kind)
            if judge is None:
                post(RunFailed(step, NO_JUDGE_URL))
                return
            label = f"{judge.kind} · {judge.model}"
            with judge:
                # failed requests are stored as INVALID; judging again redoes them, as
                # `personaco eval run --retry-errors` does
                total = len(
                    S.pending_judgments(
                        rt.store, session_id, judge.kind, judge.model, retry_errors=True
                    )
                )
                post(RunStarted(step, total, label))
                summary = runner.judge_session(
                    rt.store,
                    session_id,
                    judge,
                    retry_errors=True,
                    on_progress=progress,
                    cancel=cancel,
                )
    except PersonacoError as e:
        post(RunFailed(step, e.message))
        return
    post(RunFinished(step, name, summary, label))


def _generate(
    rt: Runtime,
    engine_lock: threading.Lock,
    session_id: int,
    cancel: CancelToken,
    progress: runner.SessionProgressFn,
    post: Post,
) -> runner.RunSummary:
    total = len(S.pending_outputs(rt.store, session_id))
    post(RunStarted("generate", total, ""))
    # the chat may be answering with the same model: wait for it, but stay cancellable
    while not engine_lock.acquire(timeout=0.2):
        if cancel.cancelled:
            return runner.RunSummary(0, total, cancelled=True)
    try:
        return runner.generate_outputs(rt, session_id, on_progress=progress, cancel=cancel)
    except Cancelled:
        # stopped inside a generation: that output was not stored, the earlier ones were
        left = len(S.pending_outputs(rt.store, session_id))
        return runner.RunSummary(total - left, total, cancelled=True)
    finally:
        engine_lock.release()


def _elapsed(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def run_line(
    step: str, label: str, seconds: float, progress: tuple[int, int, str], note: str
) -> str:
    """The status line under the sessions table while a step runs."""
    done, total, what = progress
    if step == "generate":
        key, _, side = what.rpartition(" ")
        head = f"Generating {side} {done}/{total}" if what else f"Generating 0/{total}"
        detail = f" · {key}" if key else ""
    else:
        head, detail = f"Judging ({label}) {done}/{total}", ""
    return f"{head}{detail} · {_elapsed(seconds)} · {note}"


def finished_note(event: RunFinished) -> str:
    """What a finished (or cancelled) step did, and what to press next."""
    r = event.summary
    if event.step == "generate":
        what = f"{r.done} of {r.total} output(s)"
        if r.cancelled:
            return f"Cancelled after {what} for {event.session}; g goes on from there."
        if r.total == 0:
            return f"Every output of {event.session} is already there."
        return f"Generated {r.done} output(s) for {event.session}."
    if r.cancelled:
        return f"Cancelled after judging {r.done} of {r.total} pair(s); j goes on."
    if r.total == 0:
        return (
            f"Nothing to judge in {event.session} ({event.label}): every pair with both "
            "outputs is judged (g generates missing outputs)."
        )
    return f"Judged {r.done} pair(s) of {event.session} ({event.label})."


def errors_note(r: runner.RunSummary) -> str | None:
    """The judge requests that failed, or None when none did."""
    if not r.errors:
        return None
    return (
        f"{r.errors} judge request(s) failed and were stored as INVALID (last: "
        f"{r.last_error.rstrip('.')}). j tries them again."
    )
