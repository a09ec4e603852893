"""What a newcomer sees first: the welcome on an empty chat, with three example signals to
try, and the note that the bundled model is a tiny demo model, with the way to a better one.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Static

from ...catalog.manifest import load_catalog
from ...errors import PersonacoError
from ...locations import Locations

# one of each kind: a rule checks the first, the others are read by the model
EXAMPLE_SIGNALS = ("Keep it under 50 words.", "I'm vegetarian.", "Explain like I'm new to this.")
BETTER_MODEL = "llama-3.2-1b"

WELCOME = f"""\
[b]Welcome to PersonaCo.[/b]
Signals are notes about you and the answers you like.
Each question gets several answers; you see the best.

  [b]{EXAMPLE_SIGNALS[0]}[/b]         checkable
  [b]{EXAMPLE_SIGNALS[1]}[/b]                 persona
  [b]{EXAMPLE_SIGNALS[2]}[/b]   style

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
