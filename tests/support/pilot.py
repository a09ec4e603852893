"""Helpers for driving the Textual app with Pilot."""

from __future__ import annotations


async def wait_for(pilot, predicate, tries: int = 400) -> None:
    """Let the app run until `predicate()` holds (workers finish in their own time)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


def _drawn_state(app) -> tuple:
    """What a snapshot could catch half-done: every footer's keys, laid out, and every input's
    cursor blink."""
    from textual.screen import ModalScreen
    from textual.widgets import Footer, Input, TextArea

    shown = []  # the top screen, and the screens a modal one lets show through
    for screen in reversed(app.screen_stack):
        shown.append(screen)
        if not isinstance(screen, ModalScreen) or screen.query(Footer):
            break  # opaque, or its own footer covers the footers below
    state = []
    for screen in shown:
        for field in [*screen.query(Input), *screen.query(TextArea)]:
            field.cursor_blink = False
        for footer in screen.query(Footer):
            keys = tuple(
                (key.key, key.description, key.region) for key in footer.query("FooterKey")
            )
            state.append(keys)
    return (app.screen, tuple(state))


def _drawn(state: tuple) -> bool:
    """Every footer has keys and all are laid out: not mid-recompose (old keys gone, new ones
    not yet placed)."""
    return all(keys and all(region.width for _, _, region in keys) for keys in state[1])


async def settled(app, pilot, *, quiet: int = 3, tries: int = 400) -> None:
    """Wait until the screen is ready for a snapshot: no blinking cursor, and every footer
    drawn with the same keys `quiet` looks in a row. A footer refills a moment after focus
    or screen changes (old keys removed, new ones mounted), so one look can catch it blank."""
    last, same = None, 0
    for _ in range(tries):
        await pilot.pause(0.05)
        state = _drawn_state(app)
        if _drawn(state) and state == last:
            same += 1
            if same >= quiet:
                return
        else:
            same = 0
        last = state
    raise AssertionError(f"the screen did not settle for a snapshot: {last}")
