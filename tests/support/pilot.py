"""Helpers for driving the Textual app with Pilot."""

from __future__ import annotations


async def wait_for(pilot, predicate, tries: int = 400) -> None:
    """Let the app run until `predicate()` holds (workers finish in their own time)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")
