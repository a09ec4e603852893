"""One path for a worker that fails in a way nobody planned for.

Workers catch what they expect (`Cancelled`, `PersonacoError`) and report it in their own
words. Anything else used to vanish (`exit_on_error=False`) and leave the worker's state
behind: a turn's cancel token stayed set, and every later question was refused as "still being
generated". `WorkerErrors` gives the app and each screen that starts workers one handler for
`WorkerState.ERROR`: it logs the traceback (personaco_tui/logs.py decides where it goes),
then hands a one-line message to `worker_failed`, which a class overrides to clear what the
failed worker held and say so where the user looks.
"""

from __future__ import annotations

import logging
from typing import cast

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

log = logging.getLogger(__name__)


def one_line(error: BaseException | None) -> str:
    """`RuntimeError: what it said`, on one line (a traceback's text can span many)."""
    if error is None:
        return "unknown error"
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class WorkerErrors:
    """Mix into an App or Screen whose workers may fail. A plain class, not a DOMNode: Textual
    takes a node's CSS type names from its first DOMNode base, which must stay the
    App or Screen."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        worker, error = event.worker, event.worker.error
        if error is not None:
            log.error(
                "worker %r (group %s) of %s failed",
                worker.name,
                worker.group,
                type(self).__name__,
                exc_info=(type(error), error, error.__traceback__),
            )
        self.worker_failed(worker, f"Unexpected error: {one_line(error)}")

    def worker_failed(self, worker: Worker[object], message: str) -> None:
        """Clear what `worker` held and show `message`; by default only the message."""
        cast(DOMNode, self).app.notify(message, title="Error", severity="error", timeout=15)
