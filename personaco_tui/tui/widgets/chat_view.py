"""The conversation: one Markdown block per message, the live answer streamed at the end."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from rich.markdown import Markdown as RichMarkdown
from textual import events
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, Static

from ...terminal_text import neutralise


def code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced and indented code blocks of a Markdown text, in order."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.content.rstrip("\n") for t in tokens if t.type in ("fence", "code_block")]


def as_typed(question: str) -> str:
    """A question as Markdown that shows it as typed: each line on its own line, with its
    indent (Markdown would join a pasted stack trace into one paragraph); fenced code blocks
    stay as they are, so they show as code."""
    lines = question.split("\n")
    out: list[str] = []
    fence = ""  # the open fence's marker, while inside a fenced block
    for i, line in enumerate(lines):
        marker = line.lstrip()[:3]
        if fence:
            out.append(line)
            if marker == fence:
                fence = ""
            continue
        if marker in ("```", "~~~"):
            fence = marker
            out.append(line)
            continue
        text = line.rstrip()
        indent = len(text) - len(text.lstrip(" "))
        text = "\u00a0" * indent + text[indent:]
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if text and following and following[:3] not in ("```", "~~~"):
            text += "\\"  # a hard line break
        out.append(text)
    return "\n".join(out)


class ChatMessage(Markdown):
    DEFAULT_CSS = """
    ChatMessage { margin: 0 1 1 1; padding: 0 1; }
    ChatMessage.user { background: $boost; border-left: thick $accent; }
    ChatMessage.assistant { border-left: thick $success; }
    ChatMessage.found { background: $warning 20%; }
    """

    @dataclass
    class Clicked(Message):
        """An answer was clicked: the app shows why it was chosen."""

        chat_message: ChatMessage

    def __init__(
        self,
        role: str,
        content: str,
        *,
        message_id: int | None = None,
        generation_id: int | None = None,
        **kwargs,
    ) -> None:
        # Shown neutralised (an answer can carry escape sequences that Textual would pass
        # to the terminal as they are); `content` keeps the text as stored, for copying.
        shown = as_typed(content) if role == "user" else content
        super().__init__(neutralise(shown), classes=role, **kwargs)
        self.role = role
        self.content = content
        self.message_id = message_id
        self.generation_id = generation_id
        if generation_id is not None:
            self.tooltip = "Click (or press w) to see why this answer"

    def replace(self, content: str) -> None:
        self.content = content
        self.update(neutralise(content))

    def on_click(self, event: events.Click) -> None:
        if self.generation_id is not None:
            self.post_message(self.Clicked(self))


class LiveMessage(Static):
    """The running turn, redrawn several times a second: one Rich renderable in one widget,
    where a Markdown widget would rebuild a tree of child widgets on every redraw."""

    DEFAULT_CSS = """
    LiveMessage { margin: 0 1 1 1; padding: 0 1; border-left: thick $warning; }
    """

    def show(self, markdown: str) -> None:
        self.update(RichMarkdown(neutralise(markdown)))


class ChatView(VerticalScroll):
    DEFAULT_CSS = """
    ChatView { height: 1fr; }
    ChatView > .empty { color: $text-muted; margin: 1 2; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._live: LiveMessage | None = None

    def show_empty(self, text: str) -> None:
        self.remove_children()
        self.mount(Static(text, classes="empty"))

    def clear(self) -> None:
        self.remove_children()
        self._live = None

    def add(
        self,
        role: str,
        content: str,
        *,
        message_id: int | None = None,
        generation_id: int | None = None,
    ) -> ChatMessage:
        msg = ChatMessage(role, content, message_id=message_id, generation_id=generation_id)
        self._append(msg)
        return msg

    def _append(self, widget: Widget) -> None:
        """Mount `widget` after the last message (in place of the empty-chat hint)."""
        for empty in self.query(".empty"):
            empty.remove()
        self.mount(widget)
        self.scroll_end(animate=False)

    def last_answer(self, *, stored_only: bool = True) -> ChatMessage | None:
        """The newest answer (by default: the newest with a stored generation behind it)."""
        answers = [
            m
            for m in self.query(ChatMessage)
            if m.role == "assistant" and (m.generation_id is not None or not stored_only)
        ]
        return answers[-1] if answers else None

    def scroll_to_message(self, message_id: int) -> None:
        """Bring a stored message into view and flash it (a history search hit)."""
        for m in self.query(ChatMessage):
            if m.message_id == message_id:
                self.call_after_refresh(self.scroll_to_widget, m, animate=False, top=True)
                m.add_class("found")
                self.set_timer(2.0, lambda m=m: m.remove_class("found"))
                return

    def start_live(self, header: str) -> None:
        self._live = LiveMessage(RichMarkdown(neutralise(header)))
        self._append(self._live)

    def update_live(self, text: str) -> None:
        if self._live is not None:
            self._live.show(text)
            self.scroll_end(animate=False)

    def end_live(self) -> None:
        if self._live is not None:
            self._live.remove()
            self._live = None
