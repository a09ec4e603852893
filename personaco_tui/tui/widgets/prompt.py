"""The question input. Pastes are checked before they reach the widget: a paste bigger than
any model context is refused (Textual's Input re-renders the whole line on every key, so a
10 MB line would freeze the app), and a multi-line paste keeps all its lines, joined by spaces,
instead of Input's default of silently keeping only the first."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

# About 8,000 tokens of English: more than the default context holds for a question and its
# k answers, and small enough that typing stays instant.
MAX_PROMPT_CHARS = 32_000


class PromptInput(Input):
    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Textual would also run Input's own paste handler
        text = event.text
        if not text:
            return
        room = MAX_PROMPT_CHARS - len(self.value) + len(self.selected_text)
        if len(text) > room:
            self.notify(
                f"That paste is {len(text):,} characters; a question can hold {MAX_PROMPT_CHARS:,}"
                f" in all ({max(room, 0):,} left). Paste a shorter part.",
                title="Paste refused",
                severity="warning",
                timeout=10,
            )
            return
        lines = text.splitlines()
        if len(lines) > 1:
            text = " ".join(line.strip() for line in lines if line.strip())
            self.notify(f"Pasted {len(lines)} lines as one line.", timeout=4)
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
