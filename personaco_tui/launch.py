"""The `personaco` command. Importing the app takes a second or more (Textual, llama.cpp,
scikit-learn): Ctrl-C in that time ends quietly with exit status 130, as it does once the
app runs, not with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import entry
    except KeyboardInterrupt:
        sys.stderr.write("Cancelled.\n")
        sys.exit(130)
    entry()
