"""PersonaCo TUI: personalized answers from small local language models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("personaco-tui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
