"""Debug logging, off unless asked for: `PERSONACO_LOG=debug` (or info, warning) or
`personaco --debug` writes a rotating log file, `personaco.log` in `locations.log_dir()`.

Third-party clients log what they send and receive at debug level (openai logs every
response's headers, and a server may echo a request's Authorization header back), so a
filter on the file handler cuts API keys out of every record before it is written: every
secret `secrets.secrets_to_redact` knows (the configured key variables whatever their
names, keys from the keyring, and variables named like *_API_KEY or *_TOKEN).
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from . import locations
from .secrets import add_secret as add_secret  # kept here for callers that only know logs
from .secrets import redact_all, secrets_to_redact

LOG_ENV = "PERSONACO_LOG"
LOG_FILE = "personaco.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
# Libraries whose debug output drowns everything else (matplotlib's font search alone writes
# hundreds of lines per plot): kept at INFO even when the log is at DEBUG.
QUIET = ("matplotlib", "PIL", "asyncio", "markdown_it")

_handler: RotatingFileHandler | None = None
_level_before: int | None = None


class RedactSecrets(logging.Filter):
    """Formats each record's message (and traceback) once, with every secret cut out."""

    def filter(self, record: logging.LogRecord) -> bool:
        keys = secrets_to_redact()
        if not keys:
            return True
        record.msg, record.args = redact_all(record.getMessage(), keys), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_all(record.exc_text, keys)
        if record.stack_info:
            record.stack_info = redact_all(record.stack_info, keys)
        return True


def level_from_env() -> int | None:
    value = os.environ.get(LOG_ENV, "").strip().lower()
    if value in ("", "0", "off", "no", "false"):
        return None
    return LEVELS.get(value, logging.DEBUG)  # "1", "yes", "true": debug


def setup(level: str | int | None = None, directory: Path | None = None) -> Path | None:
    """Start logging to the rotating file if `level` or PERSONACO_LOG asks for it; the
    file's path, or None when logging stays off. Calling it again replaces the handler."""
    global _handler, _level_before
    if isinstance(level, str):
        level = LEVELS.get(level.lower(), logging.DEBUG)
    if level is None:
        level = level_from_env()
    if level is None:
        return None
    folder = directory or locations.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler.addFilter(RedactSecrets())
    shutdown()
    root = logging.getLogger()
    _level_before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    _handler = handler
    name = logging.getLevelName(level)
    logging.getLogger(__name__).info("PersonaCo log started at level %s", name)
    return path


def shutdown() -> None:
    """Detach and close the log file (tests; the process end does it otherwise)."""
    global _handler, _level_before
    if _handler is not None:
        root = logging.getLogger()
        root.removeHandler(_handler)
        _handler.close()
        _handler = None
        if _level_before is not None:
            root.setLevel(_level_before)
            _level_before = None
