"""`personaco history …`: conversations, their messages, and full-text search over them."""

from __future__ import annotations

import click

from ..store import conversations as C
from .common import echo, open_runtime
from .ids import ID


@click.group("history")
def history_group() -> None:
    """List, show and search past conversations."""


@history_group.command("list")
def list_() -> None:
    """Conversations, most recent first."""
    rt = open_runtime()
    for c in C.list_conversations(rt.store):
        echo(f"#{c.id}  {c.updated_at[:16].replace('T', ' ')}  {c.title or '(untitled)'}")


@history_group.command("show")
@click.argument("conversation_id", metavar="ID", type=ID)
def show(conversation_id: int) -> None:
    """Every message of conversation ID."""
    rt = open_runtime()
    conv = C.get_conversation(rt.store, conversation_id)
    echo(f"# {conv.title or '(untitled)'}")
    for m in C.list_messages(rt.store, conv.id):
        echo(f"\n[{m.role}]\n{m.content}")


@history_group.command("search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
def search(text: str, limit: int) -> None:
    """Messages matching TEXT (every word must appear; punctuation is taken literally)."""
    rt = open_runtime()
    hits = C.search_messages(rt.store, text, limit=limit)
    if not hits:
        echo("No messages match.")
    for msg, snippet in hits:
        echo(f"#{msg.conversation_id}  [{msg.role}]  {' '.join(snippet.split())}")
