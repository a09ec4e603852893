"""Why this answer: every candidate of a PersonaCo turn and the candidates x signals matrix
the reflectors scored, with the pick marked. Enter (or p) on another row picks that candidate
instead; the screen is dismissed with its index, or None when nothing changes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from ...core.helpfulness import passed_over
from ...core.steer.contrast import summary as contrast_summary
from ...core.types import Candidate, Generation, ReflectionCell
from ...terminal_text import neutralise

REFLECTOR_LETTERS = {
    "rules": "r",
    "persona": "p",
    "self": "s",
    "model": "m",
    "self-text": "t",
    "style": "y",
}


def heat_style(score: float) -> str:
    """Red at 0, yellow at 0.5, green at 1."""
    score = min(max(score, 0.0), 1.0)
    red = 230 if score < 0.5 else int(230 * (1 - score) * 2)
    green = 200 if score >= 0.5 else int(200 * score * 2)
    return f"bold rgb({red},{green},60)"


def format_cell(cell: ReflectionCell | None) -> Text:
    """A score as "0.93ˢ"-style heat text: ✓/✗ for rules facts, – where nobody could tell."""
    if cell is None or cell.score is None:
        return Text("–", style="dim")
    letter = REFLECTOR_LETTERS.get(cell.reflector, cell.reflector[:1])
    if cell.reflector == "rules" and cell.score in (0.0, 1.0):
        value = "✓" if cell.score == 1.0 else "✗"
    else:
        value = f"{cell.score:.2f}"
    text = Text(value, style=heat_style(cell.score))
    text.append(f" {letter}", style="dim")
    return text


def row_total(candidate: Candidate, cells: list[ReflectionCell]) -> float:
    if candidate.score is not None:
        return candidate.score
    return sum(c.score for c in cells if c.candidate == candidate.index and c.score is not None)


class WhyScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape,q,w", "close", "Close"),
        Binding("p", "pick", "Pick this answer"),
    ]

    def __init__(self, generation: Generation, user_choice: int | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.user_choice = user_choice

    @property
    def shown_index(self) -> int:
        """The candidate the chat shows now: the user's pick, else the chooser's."""
        return self.user_choice if self.user_choice is not None else self.generation.chosen_index

    @property
    def can_pick(self) -> bool:
        g = self.generation
        return g.settings.method == "personaco" and len(g.candidates) > 1

    def compose(self) -> ComposeResult:
        g = self.generation
        with Vertical(classes="dialog", id="why"):
            title = f"Why this answer — {neutralise(g.query)}"
            yield Label(title, classes="dialog-title", markup=False)
            if not self.can_pick:
                yield Static(
                    "This answer was generated with the baseline method: one answer, no "
                    "signals scored, so there was nothing to choose from.",
                    id="why-baseline",
                )
                yield Static(neutralise(g.response), id="why-texts", markup=False)
            else:
                yield DataTable(cursor_type="row", zebra_stripes=True, id="why-table")
                with VerticalScroll(id="why-scroll"):
                    yield Static("", id="why-texts")
            hint = "↑↓ move · Enter/p pick · Esc close" if self.can_pick else "Esc close"
            yield Label(hint, classes="dialog-hint")
        yield Footer(compact=True)

    def _legend(self) -> Text:
        text = Text()
        steered = steering_by_signal(self.generation.steering)
        for i, signal in enumerate(self.generation.signals):
            text.append(f"S{i + 1}", style="bold")
            text.append(f" {neutralise(str(signal))}")
            for how, note in steered.get(str(signal), []):
                text.append(f"  · {how}: {neutralise(note)}", style="dim")
            text.append("\n")
        text.append(steering_summary(self.generation.steering), style="dim")
        if (self.generation.steering or {}).get("addresses"):
            text.append(
                "total = the cells + how well the answer addresses the question (0 to 1, "
                "by how much the question raises its likelihood)\n",
                style="dim",
            )
        text.append("Reflectors: r rules · s self · m model · t self-text", style="dim")
        if any(c.reflector == "persona" for c in self.generation.cells):
            text.append(" · p persona", style="dim")
        if any(c.reflector == "style" for c in self.generation.cells):
            text.append(" · y style (closeness to your writing sample)", style="dim")
        text.append("   ★ chooser's pick  ✔ your pick", style="dim")
        passed = set(self._passed_over().values())
        if "echo" in passed:
            text.append(
                "\necho: adds no word of its own to the question's and your signals'", style="dim"
            )
        if "loop" in passed:
            text.append("\nloop: repeats itself (half its runs of 4 words come again)", style="dim")
        if "itself" in passed:
            text.append("\nitself: speaks of itself as an AI, not of your question", style="dim")
        learned = self.generation.learning
        if learned:
            n = learned.get("n_choices", 0)
            if learned.get("changed"):
                was = int(learned.get("default_index", 0)) + 1
                said = f"it chose ★ among answers your signals left equal (without it: {was})"
            else:
                said = "the signals' pick stood"
            text.append(f"\nLearned from your {n} choices: {said}.", style="dim")
        return text

    def on_mount(self) -> None:
        if not self.can_pick:
            return
        g = self.generation
        table = self.query_one(DataTable)
        table.add_column("", key="mark")
        table.add_column("#", key="idx")
        table.add_column("tok", key="tokens")
        table.add_column("end", key="finish")
        for i in range(len(g.signals)):
            table.add_column(f"S{i + 1}", key=f"s{i}")
        table.add_column("total", key="total")
        by_pos = {(c.candidate, c.signal): c for c in g.cells}
        passed = self._passed_over()
        for cand in g.candidates:
            total = Text(f"{row_total(cand, g.cells):.2f}", style="bold")
            if cand.index in passed:
                total.append(f" {passed[cand.index]}", style="dim")
            cells = [format_cell(by_pos.get((cand.index, j))) for j in range(len(g.signals))]
            table.add_row(
                self._mark(cand.index),
                str(cand.index + 1),
                str(cand.n_tokens),
                cand.finish_reason or "",
                *cells,
                total,
                key=str(cand.index),
            )
        table.move_cursor(row=self.shown_index)
        table.focus()
        self._show_texts(self.shown_index)

    def _passed_over(self) -> dict[int, str]:
        """The answers the pick passes over whatever their total, while another is not passed
        over, and why: "echo" (only restates the question or says the signals back), "loop"
        (stuck repeating itself) or "itself" (speaks of itself as an AI; core/helpfulness.py,
        `passed_over`)."""
        g = self.generation
        why = {c.index: passed_over(c.text, g.query, g.signals) for c in g.candidates}
        out = {i: w for i, w in why.items() if w}
        return out if len(out) < len(g.candidates) else {}

    def _mark(self, index: int) -> str:
        mark = "★" if index == self.generation.chosen_index else " "
        return mark + ("✔" if index == self.user_choice else " ")

    def _show_texts(self, highlighted: int) -> None:
        """The highlighted candidate first, with its evidence, then the legend of the table,
        then the others dimmed: moving the cursor always shows its answer and why it scored
        as it did without scrolling, even on a 36-row terminal."""
        out = Text()
        cands = self.generation.candidates
        order = [c for c in cands if c.index == highlighted] + [
            c for c in cands if c.index != highlighted
        ]
        for n, cand in enumerate(order):
            here = cand.index == highlighted
            if n == 1:
                out.append("The other candidates\n\n", style="bold dim")
            head = f"{'▶' if here else ' '} {cand.index + 1} · {cand.n_tokens} tokens · "
            out.append(head + (cand.finish_reason or "?") + "\n", style="bold" if here else "dim")
            shown = neutralise(cand.text).strip() or "(empty)"
            out.append(shown + "\n\n", style="" if here else "dim")
            if here:
                out.append(self._evidence(cand.index))
                out.append(self._legend())
                out.append("\n\n")
        history = steering_history(self.generation.steering)
        if history:
            out.append("Steering, as it happened\n", style="bold")
            out.append("\n".join(neutralise(line) for line in history) + "\n", style="dim")
        self.query_one("#why-texts", Static).update(out)
        for scroll in self.query("#why-scroll").results(VerticalScroll):
            scroll.scroll_home(animate=False)

    def _evidence(self, index: int) -> Text:
        """What the persona cells of one candidate rest on, in words, and what steering
        wrote into it."""
        out = Text()
        st = self.generation.steering or {}
        if st.get("guided") == index:
            out.append(
                "Started from a plain answer to the question (no signals, no steering), "
                "written as the masks allow and cut to fit the limits\n",
                style="dim",
            )
        forced = (st.get("forced") or [])[index : index + 1]
        if forced and forced[0]:
            shown = ", ".join(repr(neutralise(_short(str(f)))) for f in forced[0])
            out.append(f"Steering wrote {shown}\n", style="dim")
        closed = (st.get("closed_early") or [])[index : index + 1]
        if closed and closed[0]:
            out.append(f"Steering closed it early: {neutralise(str(closed[0]))}\n", style="dim")
        for line in resampled_into(st, index):
            out.append(neutralise(line) + "\n", style="dim")
        why = self._passed_over().get(index)
        if why == "echo":
            out.append(
                "Adds no word of its own to the question's and your signals': an answer that "
                "says something is picked before it\n",
                style="dim",
            )
        elif why == "loop":
            out.append(
                "Repeats itself (half its runs of 4 words come again): an answer that does not "
                "is picked before it\n",
                style="dim",
            )
        elif why == "itself":
            out.append(
                "Speaks of itself as an AI (“I'm a helpful AI…”, “as a chatbot, I…”): an answer "
                "that does not is picked before it\n",
                style="dim",
            )
        addresses = (st.get("addresses") or [])[index : index + 1]
        if addresses:
            after = " read after your wishes" if st.get("addresses_after_wishes") else ""
            out.append(
                f"Addresses the question: {addresses[0]:.2f} of 1 by how much the question"
                f"{after} raises its likelihood (0 the least of the answers), added to the "
                "persona cells' sum\n",
                style="dim",
            )
        for c in sorted(self.generation.cells, key=lambda c: c.signal):
            if c.candidate == index and c.reflector == "persona" and c.raw:
                out.append(f"S{c.signal + 1} ", style="bold")
                out.append(neutralise(c.raw) + "\n", style="dim")
        if out:
            out.append("\n")
        return out

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_texts(event.cursor_row)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._pick(event.cursor_row)

    def action_pick(self) -> None:
        if self.can_pick:
            self._pick(self.query_one(DataTable).cursor_row)

    def _pick(self, index: int) -> None:
        self.dismiss(None if index == self.shown_index else index)

    def action_close(self) -> None:
        self.dismiss(None)


def steering_by_signal(steering: dict[str, Any] | None) -> dict[str, list[tuple[str, str]]]:
    """Per signal text, how steering enforced it (how, note), from Generation.steering."""
    out: dict[str, list[tuple[str, str]]] = {}
    if not steering or not steering.get("enabled"):
        return out
    for e in steering.get("signals") or []:
        if isinstance(e, dict):
            out.setdefault(str(e.get("signal", "")), []).append(
                (str(e.get("how", "")), str(e.get("note", "")))
            )
    return out


def _events(steering: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [e for e in (steering or {}).get("events") or [] if isinstance(e, dict)]


def steering_history(steering: dict[str, Any] | None) -> list[str]:
    """What steering did as the turn ran, a line per stored event (oldest first): forced
    text, early closes, resampling rounds; and how many more were not kept."""
    lines = [str(e.get("text", "")) for e in _events(steering)]
    more = (steering or {}).get("events_left_out") or 0
    if more:
        lines.append(f"… and {more} more")
    return lines


def resampled_into(steering: dict[str, Any] | None, index: int) -> list[str]:
    """How candidate `index`'s slot was taken over by SMC resampling, a line per round."""
    out = []
    for e in _events(steering):
        for r in e.get("replaced") or []:
            if isinstance(r, dict) and r.get("slot") == index:
                src = int(r.get("source", 0)) + 1
                why = f" ({r['why']})" if r.get("why") else ""
                out.append(f"Resampled at token {e.get('at')}: dropped{why} for a copy of #{src}")
    return out


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def steering_summary(steering: dict[str, Any] | None) -> str:
    """One or two lines on what steering did in the turn (or that it was off)."""
    if not steering:
        return ""
    persona = neutralise(contrast_summary(steering.get("persona")))
    persona = persona + "\n" if persona else ""
    if not steering.get("enabled"):
        return "Steering: off (plain sampling, the paper's method).\n" + persona
    parts = [f"Steering: {steering.get('engine') or 'none on this engine'}"]
    if steering.get("resamples"):
        parts.append(f"{steering['resamples']} SMC resampling rounds")
    line = " · ".join(parts) + "\n"
    for c in steering.get("conflicts") or []:
        line += f"Conflict: {c}\n"
    if steering.get("note"):
        line += f"{steering['note']}\n"
    return line + persona
