"""`personaco ask`: one turn from the command line, stored like a TUI turn."""

from __future__ import annotations

import json
import sys

import click

from .. import batch, chat
from ..engines.base import Progress
from ..errors import PersonacoError, not_utf8
from ..store import profiles as P
from ..store.db import MAX_TEXT_BYTES
from .common import echo, echo_json, open_runtime
from .ids import SEED, find_profile


@click.command("ask")
@click.argument("query")
@click.option(
    "--profile", "profile_name", help="Profile whose enabled signals apply (default: active)."
)
@click.option(
    "--signal", "signals", multiple=True, help="Use these signals instead of the profile's."
)
@click.option("--method", type=click.Choice(["personaco", "baseline"]), default=None)
@click.option("--k", type=click.IntRange(1, 32), default=None, help="Samples per turn.")
@click.option("--max-tokens", type=click.IntRange(1, 32768), default=None)
@click.option("--temperature", type=click.FloatRange(0, 5), default=None)
@click.option("--seed", type=SEED, default=None)
@click.option("--model", "model_name", default=None, help="Model name or path to a .gguf file.")
@click.option(
    "--steer/--no-steer", default=None, help="Steer toward the signals (default: configured)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the generation as JSON.")
@click.option("--no-save", is_flag=True, help="Do not store the turn.")
def ask(
    query,
    profile_name,
    signals,
    method,
    k,
    max_tokens,
    temperature,
    seed,
    model_name,
    steer,
    as_json,
    no_save,
):
    """Answer QUERY with the bundled or configured model ('-' reads it from stdin)."""
    if query == "-":
        query = read_stdin()
    rt = open_runtime()
    profile = find_profile(rt, profile_name) if profile_name else P.ensure_default_profile(rt.store)
    chat.check_turn(query, list(signals))  # before the model loads
    if model_name:
        rt.load_engine(model_name)
    not_stored: chat.TurnNotStored | None = None
    try:
        result = chat.ask(
            rt,
            query,
            profile_id=profile.id,
            signals=list(signals) if signals else None,
            save=not no_save,
            method=method,
            k=k,
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
            steer=steer,
            on_progress=None if as_json else print_steering,
        )
    except chat.TurnNotStored as e:  # the answer is shown all the same, then the note
        not_stored, result = e, e.generation
    gen = result.generation if isinstance(result, chat.TurnResult) else result
    if as_json:
        echo_json(
            json.dumps(
                {
                    "id": gen.id,
                    "method": gen.settings.method,
                    "model": gen.settings.model,
                    "seed": gen.settings.seed,
                    "sampling": batch.sampling_used(gen),
                    "response": gen.response,
                    "candidates": [c.text for c in gen.candidates],
                    "matrix": gen.matrix(),
                    "chosen": gen.chosen_index,
                    "learning": gen.learning,
                    "seconds": gen.total_s,
                    "suggestions": [
                        {"id": s.id, "text": s.text, "source": s.source, "evidence": s.evidence}
                        for s in getattr(result, "suggestions", [])
                    ],
                    "steering": gen.steering,
                },
                ensure_ascii=False,
            )
        )
    else:
        echo(gen.response)
        for s in getattr(result, "suggestions", []):
            why = f" ({s.evidence})" if s.source == "behaviour" and s.evidence else ""
            echo(
                f"personaco: suggested signal #{s.id} “{s.text}”{why}: keep it with "
                f"`personaco profile suggestions accept {s.id}`.",
                err=True,
            )
    if not_stored is not None:
        echo(f"personaco: {not_stored.message}", err=True)
        click.get_current_context().exit(1)


def print_steering(p: Progress) -> None:
    """Steering as it acts (a resampling round, an answer closed at a limit, text forced for
    a count), one line on stderr each; the plan's routine opening and ending are not told."""
    if p.steer is not None and not p.steer.routine:
        echo(f"personaco: steering: {p.steer.text}", err=True)


def read_stdin() -> str:
    """The question on stdin: UTF-8 text of at most what one message may hold. Read as bytes
    with a cap, so a binary file or /dev/zero is refused in one line, never decoded whole."""
    data = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise PersonacoError(
            f"The question on stdin is longer than {MAX_TEXT_BYTES >> 20} MiB.",
            "Ask about a long document a part at a time.",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8("The question on stdin", e, "Give it a text file.") from None
