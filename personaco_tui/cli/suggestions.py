"""`personaco profile suggestions …`: signals proposed from the user's own messages (and, at
merge, from their behaviour), accepted or dismissed by the user. Nothing is added to a profile
without an explicit `accept`."""

from __future__ import annotations

import json

import click

from ..core.types import Suggestion
from ..errors import PersonacoError
from ..store import profiles as P
from ..store import suggestions as S
from .common import echo, echo_json, open_runtime
from .ids import ID, find_profile

ACTIONS = ("accept", "dismiss", "reset")


def _json(s: Suggestion) -> dict[str, object]:
    return {
        "id": s.id,
        "text": s.text,
        "source": s.source,
        "evidence": s.evidence,
        "message_id": s.message_id,
        "status": s.status,
        "signal_id": s.signal_id,
        "created_at": s.created_at,
    }


@click.command("suggestions")
@click.argument("words", nargs=-1, metavar="[PROFILE] | accept ID | dismiss ID | reset PROFILE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--all", "show_all", is_flag=True, help="Also list accepted and dismissed ones.")
def suggestions(words: tuple[str, ...], as_json: bool, show_all: bool) -> None:
    """Signals proposed from what you said ("I'm vegetarian." from a question): list the open
    ones of PROFILE (default: the active one), `accept ID` adds one as a signal, `dismiss ID`
    drops it for good, `reset PROFILE` forgets every suggestion (signals stay)."""
    rt = open_runtime()
    if words and words[0] in ACTIONS:
        action, rest = words[0], words[1:]
        if len(rest) != 1:
            raise PersonacoError(
                f"`suggestions {action}` takes one {'PROFILE' if action == 'reset' else 'ID'}.",
                "e.g. personaco profile suggestions accept 3",
            )
        if action == "reset":
            p = find_profile(rt, rest[0])
            n = S.reset_suggestions(rt.store, p.id)
            echo(f"Forgot {n} suggestion(s) of {p.name}; its signals are kept.")
            return
        sid = ID.convert(rest[0], None, None)
        if action == "accept":
            s = S.accept_suggestion(rt.store, sid)
            echo(f"Added signal #{s.signal_id} “{s.text}”.")
        else:
            s = S.dismiss_suggestion(rt.store, sid)
            echo(f"Dismissed “{s.text}”; it will not be suggested again.")
        return
    if len(words) > 1:
        raise PersonacoError(
            f"Unexpected {words[1]!r}.", "Use: personaco profile suggestions [PROFILE]"
        )
    p = find_profile(rt, words[0]) if words else P.ensure_default_profile(rt.store)
    items = S.list_suggestions(rt.store, p.id, status=None if show_all else "open")
    if as_json:
        echo_json(
            json.dumps(
                {"profile": p.name, "suggestions": [_json(s) for s in items]}, ensure_ascii=False
            )
        )
        return
    if not items:
        echo(f"No {'' if show_all else 'open '}suggestions for {p.name}.")
        return
    for s in items:
        state = "" if s.status == "open" else f"  [{s.status}]"
        echo(f"  #{s.id}  {s.text}{state}  (from {s.source}: {_short(s.evidence)})")
    if not show_all:
        echo("Accept with: personaco profile suggestions accept ID (or dismiss ID).")


def _short(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
