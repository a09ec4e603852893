"""Settings: the model, how answers are generated and checked, and the judge endpoint.

Saved to the config file (the same one `personaco config set` writes), so a change persists
across restarts. A setting that an environment variable overrides is marked: the file keeps
the new value, but the environment still wins while it is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select

from ... import config as CFG
from ...catalog import registry
from ...errors import PersonacoError
from ...locations import Locations
from ...store.db import Store


@dataclass(frozen=True)
class Field:
    key: str  # section.name in the config file
    label: str
    choices: tuple[str, ...] = ()  # a Select when given, else an Input


FIELDS = (
    Field("model.default", "Model", ()),  # choices filled from `models list`
    Field("generation.method", "Method", ("personaco", "baseline")),
    Field("generation.k", "Samples per turn (k)"),
    Field(
        "generation.sampling", "Sampling (model: its measured; paper: T 1.0)", ("model", "paper")
    ),
    Field("generation.temperature", "Temperature (-1: from sampling)"),
    Field("generation.max_tokens", "Max tokens per answer"),
    Field("generation.reflector", "Reflector", CFG.REFLECTORS),
    Field("model.n_gpu_layers", "GPU layers (-1 all, 0 none)"),
    Field("model.weights", "Compute weights", CFG.WEIGHTS),
    Field("judge.base_url", "Judge endpoint (OpenAI-compatible base URL)"),
    Field("judge.model", "Judge model"),
)


@dataclass(frozen=True)
class SavedSettings:
    settings: CFG.Settings
    changed: tuple[str, ...]  # keys whose value changed


def _get(settings: CFG.Settings, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def _env_var(key: str) -> str:
    return "PERSONACO_" + key.replace(".", "_").upper()


def _widget_id(key: str) -> str:
    return "set-" + key.replace(".", "-").replace("_", "-")


class SettingsScreen(ModalScreen[SavedSettings | None]):
    BINDINGS = [
        Binding("escape", "close", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, loc: Locations, store: Store) -> None:
        super().__init__()
        self.loc = loc
        self.store = store
        # Edit what the file says, not the environment's overrides, so saving never copies a
        # temporary PERSONACO_* value into the file.
        self.file_settings = CFG.load(loc, env=False)

    def _model_choices(self) -> list[tuple[str, str]]:
        try:
            entries = registry.list_models(self.store.db, self.loc, self.file_settings)
        except PersonacoError:
            entries = []
        out = []
        for e in entries:
            note = "" if e.present and not e.problem else " (not downloaded)"
            out.append((f"{e.name}{note}", e.name))
        current = self.file_settings.model.default
        if current not in {v for _, v in out}:
            out.append((current, current))
        return out

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="settings"):
            yield Label("Settings", classes="dialog-title")
            with VerticalScroll(id="settings-fields"):
                for f in FIELDS:
                    with Horizontal(classes="settings-row"):
                        yield from self._field(f)
            yield Label(
                f"Saved to {CFG.config_path(self.loc)}", classes="dialog-hint", markup=False
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer(compact=True)

    def _field(self, f: Field) -> ComposeResult:
        value = _get(self.file_settings, f.key)
        label = f.label
        if _env_var(f.key) in os.environ:
            label += f"\n[overridden by {_env_var(f.key)}]"
        yield Label(label, classes="settings-label", markup=False)
        if f.key == "model.default":
            yield Select(
                self._model_choices(), value=value, allow_blank=False, id=_widget_id(f.key)
            )
        elif f.choices:
            options = [(c, c) for c in f.choices]
            yield Select(options, value=value, allow_blank=False, id=_widget_id(f.key))
        else:
            yield Input(str(value), id=_widget_id(f.key))

    def on_mount(self) -> None:
        self.query_one(f"#{_widget_id(FIELDS[0].key)}").focus()

    def values(self) -> dict[str, str]:
        out = {}
        for f in FIELDS:
            w = self.query_one(f"#{_widget_id(f.key)}")
            out[f.key] = str(w.value)  # type: ignore[attr-defined]
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        settings = CFG.load(self.loc, env=False)
        data: dict[str, dict[str, str]] = {}
        for key, value in self.values().items():
            section, name = key.split(".")
            data.setdefault(section, {})[name] = value.strip()
        try:
            CFG.apply(settings, data, "the settings screen")
            CFG.save(self.loc, settings)
        except PersonacoError as e:
            self.notify(e.message, title="Not saved", severity="error", timeout=10)
            return
        changed = tuple(
            f.key for f in FIELDS if _get(settings, f.key) != _get(self.file_settings, f.key)
        )
        self.dismiss(SavedSettings(settings, changed))

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
