"""The question input: a few lines tall, growing with the text.

Enter sends. Ctrl+J inserts a newline in every terminal; Alt+Enter and Shift+Enter do too
where the terminal tells them apart from Enter (tmux and most others send both as a plain
Enter, so they send the question there). Up on the first line and Down
on the last line step through the conversation's earlier questions, as a shell does.

Pastes keep their lines, but one bigger than any model context is refused before it reaches
the document: a 10 MB paste would freeze the app while it is laid out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

# About 8,000 tokens of English: more than the default context holds for a question and its
# k answers, and small enough that typing stays instant.
MAX_PROMPT_CHARS = 32_000
NEWLINE_KEYS = ("ctrl+j", "alt+enter", "shift+enter")
# for the help screen (F1): the prompt's keys are handled in code, not bound
PROMPT_KEYS = [
    ("enter", "Send the question"),
    ("ctrl+j", "New line (alt+enter, shift+enter where the terminal sends them; not tmux)"),
    ("up / down", "Earlier questions (on the first / last line)"),
]
# TextArea's own keys that the app's key table uses from anywhere (F6 signals, F7 add a
# signal, Ctrl+Y copy the answer): inside the prompt they would select a line, select all
# or redo instead.
_APP_KEYS = {"f6", "f7", "ctrl+y,super+y"}


class PromptInput(TextArea, inherit_bindings=False):
    BINDINGS = [b for b in TextArea.BINDINGS if isinstance(b, Binding) and b.key not in _APP_KEYS]

    @dataclass
    class Submitted(Message):
        """Enter was pressed: `value` is the question as typed, lines and all."""

        prompt: PromptInput
        value: str

        @property
        def control(self) -> PromptInput:
            return self.prompt

    def __init__(
        self,
        *,
        placeholder: str = "Ask something…  (Enter sends · ctrl+j new line)",
        questions: Callable[[], list[str]] = list,
        **kwargs,
    ) -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
            compact=True,
            **kwargs,
        )
        # the conversation's earlier questions, oldest first (read when Up is pressed, so a
        # conversation opened from the sidebar recalls its own)
        self._questions = questions
        self._recall: int | None = None  # index into those questions while recalling
        self._draft = ""  # what was typed before recalling

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
        self._recall = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)

    # -- recall of earlier questions ------------------------------------------------------

    def action_cursor_up(self, select: bool = False) -> None:
        if select or self.cursor_location[0] > 0 or not self._step_recall(-1):
            super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        last = self.document.line_count - 1
        if select or self.cursor_location[0] < last or not self._step_recall(+1):
            super().action_cursor_down(select)

    def _step_recall(self, step: int) -> bool:
        """Show the previous (-1) or next (+1) earlier question; False when there is none, so
        the key moves the cursor as usual."""
        questions = self._questions()
        if not questions:
            return False
        if self._recall is None:
            if step > 0:
                return False
            self._draft = self.text
            index = len(questions) - 1
        else:
            index = self._recall + step
        if index < 0:
            return False
        if index >= len(questions):  # past the newest: back to what was being typed
            self.value = self._draft
            return True
        self.load_text(questions[index])
        # Up lands on the first line, so another Up goes further back at once; Down on the
        # last line, for the same reason
        self.move_cursor((0, 0) if step < 0 else self.document.end)
        self._recall = index
        return True

    # -- pastes ---------------------------------------------------------------------------

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Textual would also run TextArea's own paste handler
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        if not text or self.read_only:
            return
        room = MAX_PROMPT_CHARS - len(self.text) + len(self.selected_text)
        if len(text) > room:
            self.notify(
                f"That paste is {len(text):,} characters; a question can hold {MAX_PROMPT_CHARS:,}"
                f" in all ({max(room, 0):,} left). Paste a shorter part.",
                title="Paste refused",
                severity="warning",
                timeout=10,
            )
            return
        result = self.replace(text, *self.selection)
        self.move_cursor(result.end_location)
