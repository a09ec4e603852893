"""The add / edit signal dialog: the text, how PersonaCo reads it (live, on every keystroke),
its conflicts with the profile's other enabled signals, and a correction: a check kind with
its parameters, "judge by the model", or automatic. The kinds and their parameters come from
core.signals.kinds, the list the CLI's `--check KIND --param k=v` uses too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select

from ...core.signals import KINDS, ReadingError, make_reading
from ...core.types import MODEL_READING, SAMPLE_READING, Reading, Signal
from ..widgets import signal_badges as B

AUTO = "auto"


@dataclass(frozen=True)
class SignalEdit:
    """What the dialog returns: the text, and the reading chosen (None: automatic)."""

    text: str
    reading: Reading | None


def _options() -> list[tuple[str, str]]:
    kinds = [(f"{name} · {kind.label}", name) for name, kind in KINDS.items()]
    sample = ("Writing sample · scored by closeness of style", SAMPLE_READING)
    return [("Automatic", AUTO), ("Judge by the model", MODEL_READING), sample, *kinds]


def _shown(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


class SignalDialog(ModalScreen[SignalEdit | None]):
    """Dismissed with a SignalEdit, or None on Esc. Empty text or parameters that are not
    allowed are refused with a notification and the dialog stays open."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SignalDialog {
        align: center middle;
        background: $background 60%;
    }
    SignalDialog #signal-reading {
        margin-top: 1;
        color: $text-muted;
    }
    SignalDialog #signal-conflicts {
        color: $warning;
    }
    SignalDialog .dialog-section {
        margin-top: 1;
    }
    SignalDialog #signal-params {
        height: auto;
    }
    SignalDialog #signal-params > Vertical {
        width: 1fr;
        height: auto;
    }
    SignalDialog .param-name {
        color: $text-muted;
        padding-left: 1;
    }
    """

    def __init__(self, title: str, signal: Signal | None, others: list[Signal]) -> None:
        super().__init__()
        self._title = title
        self._signal = signal
        self._others = others
        reading = signal.reading if signal is not None else None
        self._kind = reading.kind if reading is not None else AUTO
        self._values = dict(reading.params) if reading is not None else {}

    def compose(self) -> ComposeResult:
        text = self._signal.text if self._signal is not None else ""
        with Vertical(classes="dialog", id="signal-dialog"):
            yield Label(self._title, classes="dialog-title", markup=False)
            yield Input(text, placeholder="e.g. Keep it under 80 words.", id="signal-text")
            yield Label(B.READING, id="signal-reading", markup=False)
            yield Label("", id="signal-conflicts", markup=False)
            yield Label("Read it as:", classes="dialog-section")
            yield Select(_options(), value=self._kind, allow_blank=False, id="signal-kind")
            yield Horizontal(id="signal-params")
            yield Label("Enter to save · Esc to cancel", classes="dialog-hint")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.query_one("#signal-conflicts", Label).display = False
        await self._show_params(self._kind, self._values)
        self.query_one("#signal-text", Input).focus()
        if B.ready():
            self._update_live()
        else:
            self._warm()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signal-reading")
    def _warm(self) -> None:
        B.warm()
        self.app.call_from_thread(self._update_live)

    async def _show_params(self, kind: str, values: dict[str, Any]) -> None:
        box = self.query_one("#signal-params", Horizontal)
        await box.remove_children()
        spec = KINDS.get(kind)
        if kind == SAMPLE_READING:  # one field: the user's own text, pasted
            sample = Input(
                _shown(values.get("text")), placeholder="paste a text you wrote", id="param-text"
            )
            box.display = True
            await box.mount(Vertical(Label("your text", classes="param-name"), sample))
            return
        if spec is None:
            box.display = False
            return
        fields = []
        for p in spec.params:
            hint = "|".join(p.choices) if p.type == "choice" else p.allowed()
            value = values.get(p.name, p.default)
            field = Input(
                _shown(value),
                placeholder=hint,
                id=f"param-{p.name}",
                tooltip=f"{p.name}: {p.help} ({p.allowed()})",
            )
            fields.append(Vertical(Label(p.name, classes="param-name"), field))
        box.display = bool(fields)
        await box.mount_all(fields)

    def _params(self) -> dict[str, str]:
        return {
            field.id.removeprefix("param-"): field.value
            for field in self.query("#signal-params Input").results(Input)
            if field.id
        }

    def _reading(self) -> Reading | None:
        """The correction chosen; raises ReadingError when its parameters are not allowed."""
        if self._kind == AUTO:
            return None
        return make_reading(self._kind, self._params())

    def _update_live(self) -> None:
        if not B.ready():
            return
        reading_label = self.query_one("#signal-reading", Label)
        conflicts_label = self.query_one("#signal-conflicts", Label)
        text = self.query_one("#signal-text", Input).value
        try:
            reading = self._reading()
        except ReadingError as e:
            reading_label.update(f"Fix the parameters: {e}")
            conflicts_label.update("")
            return
        words, clashes = B.live(text, reading, self._others)
        reading_label.update(
            f"Reads as: {words}" if words else "Type a signal to see how it is read."
        )
        conflicts_label.update("\n".join(f"⚠ {line}" for line in clashes))
        conflicts_label.display = bool(clashes)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._update_live()

    @on(Select.Changed, "#signal-kind")
    async def _kind_chosen(self, event: Select.Changed) -> None:
        event.stop()
        kind = str(event.value)
        if kind == self._kind:
            return
        self._kind = kind
        await self._show_params(kind, {})
        self._update_live()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#signal-text", Input).value.strip()
        if not text:
            self.notify("A signal cannot be empty.", severity="warning")
            return
        try:
            reading = self._reading()
        except ReadingError as e:
            self.notify(str(e), title="Not saved", severity="error")
            return
        self.dismiss(SignalEdit(text, reading))

    def action_cancel(self) -> None:
        self.dismiss(None)
