"""What a newcomer sees first: the welcome on an empty chat, with three example signals to
try, and the note that the bundled model is a tiny demo model, with the way to a better one.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Static

from ...catalog.manifest import load_catalog
from ...errors import PersonacoError
from ...locations import Locations

# one of each kind: a rule checks the first, the model reads the others (as a fact about the
# person, and as a wish about the answers: the words the signals panel uses for them)
EXAMPLES = (
    ("Keep it under 50 words.", "checked by a rule"),
    ("I'm vegetarian.", "a fact about you"),
    ("Explain like I'm new to this.", "a wish for the answers"),
)
EXAMPLE_SIGNALS = tuple(signal for signal, _ in EXAMPLES)
BETTER_MODEL = "llama-3.2-1b"
_WIDTH = max(len(signal) for signal in EXAMPLE_SIGNALS) + 3
_EXAMPLE_LINES = "\n".join(
    f"  [b]{signal}[/b]{' ' * (_WIDTH - len(signal))}{kind}" for signal, kind in EXAMPLES
)

WELCOME = f"""\
[b]Welcome to PersonaCo.[/b]
Signals are notes about you and the answers you like.
Each question gets several answers; you see the best.

{_EXAMPLE_LINES}

[b]F8[/b] adds these to try · [b]F6[/b] your signals · [b]F1[/b] every key
[b]Enter[/b] sends · [b]ctrl+j[/b] a new line · [b]↑[/b] earlier questions"""

RETURNING = (
    "Ask a question below. Your profile's signals are applied to every answer.\n"
    "F1 lists every key; ctrl+p finds any action by name."
)

MODEL_NOTE = (
    "[b]{name}[/b] is a tiny demo model. For better answers:\n"
    f"  online   [b]personaco models pull {BETTER_MODEL}[/b]\n"
    "  offline  [b]personaco models add PATH.gguf[/b] (any GGUF)\n"
    "[dim]then pick it in F3 · click to hide this note[/dim]"
)


def is_bundled(loc: Locations, model_name: str) -> bool:
    """Whether the model in use is the one shipped with the app (a catalog read, no network)."""
    try:
        manifest = load_catalog(loc).get(model_name)
    except PersonacoError:
        return False
    return manifest is not None and manifest.bundled


class ModelNote(Static):
    """The bundled-model note above the prompt; a click hides it for this run."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bundled: dict[str, bool] = {}  # read once per model, not on every status

    def show_for(self, loc: Locations, model_name: str | None) -> bool:
        """Show the note if `model_name` (None: no model yet) is the bundled demo model;
        returns whether it is."""
        if model_name is None:
            demo = False
        else:
            if model_name not in self._bundled:
                self._bundled[model_name] = is_bundled(loc, model_name)
            demo = self._bundled[model_name]
        if demo:
            self.update(MODEL_NOTE.format(name=model_name))
        self.display = demo and not self.has_class("dismissed")
        return demo

    def on_click(self, event: events.Click) -> None:
        self.add_class("dismissed")
        self.display = False
