"""API keys: read from the environment or the system keyring, never stored by PersonaCo.

Nothing here writes a key anywhere; callers hold it in memory only for the client they build.
"""

from __future__ import annotations

import os

KEYRING_SERVICE = "personaco"


def api_key(env_var: str, base_url: str) -> str | None:
    """The key from `env_var`, else the keyring entry (service "personaco", user = base URL)."""
    if env_var and os.environ.get(env_var):
        return os.environ[env_var]
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        key = keyring.get_password(KEYRING_SERVICE, base_url) or None
    except (KeyringError, RuntimeError, OSError):
        return None
    if key:
        from . import logs  # here, not at the top: logs imports this module

        logs.add_secret(key)  # no environment variable names it, so tell the log filter
    return key


def redact(text: str, key: str | None) -> str:
    """`text` with the key (if any) cut out, for error messages and logs."""
    if key and key in text:
        return text.replace(key, "[redacted]")
    return text
