"""Errors the user can act on.

Every failure that reaches a person is a `PersonacoError`: one line that says what is wrong
and what to do. The CLI prints it and exits non-zero; the TUI shows it as a notification.
"""

from __future__ import annotations


class PersonacoError(Exception):
    """A failure with a one-line message meant for the user."""

    exit_code = 1

    def __init__(self, what: str, todo: str | None = None) -> None:
        self.what = what
        self.todo = todo
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.what} {self.todo}" if self.todo else self.what


class ModelError(PersonacoError):
    """A model file is missing, truncated, not GGUF, or failed to load."""


class StoreError(PersonacoError):
    """The database cannot be opened, migrated or written."""


class NotFoundError(PersonacoError):
    """A named thing (profile, model, conversation, signal) does not exist."""


class ConfigError(PersonacoError):
    """The config file or a setting is invalid."""


class DownloadError(PersonacoError):
    """A model download failed or did not match its manifest."""


class EngineError(PersonacoError):
    """Generation could not run (context too small, cancelled, backend failure)."""


class Cancelled(EngineError):
    """The user cancelled the work; nothing half-done was stored."""

    def __init__(self) -> None:
        super().__init__("Cancelled.")


def not_utf8(what: str, e: UnicodeDecodeError, todo: str) -> PersonacoError:
    """The one-line error for text that does not decode: `what` is not UTF-8, at which byte."""
    return PersonacoError(
        f"{what} is not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}).", todo
    )
