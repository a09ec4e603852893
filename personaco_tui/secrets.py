"""API keys: read from the environment or the system keyring, never stored by PersonaCo, and
the one place that knows which strings are secrets, so the log filter and the cleaning of
remote replies cut out the same keys.

Nothing here writes a key anywhere; callers hold it in memory only for the client they build.
"""

from __future__ import annotations

import os
import re
import threading

KEYRING_SERVICE = "personaco"
REDACTED = "[redacted]"

# Environment variables whose values are secrets though nothing configured names them:
# every *_API_KEY, *_TOKEN, *_SECRET, *_KEY, *PASSWORD (HF_TOKEN, a second provider's key…).
_SECRET_NAME = re.compile(r"(API_KEY|TOKEN|SECRET|_KEY|PASSWORD)$", re.IGNORECASE)
# Only those unnamed values need a length floor: "1" or "yes" in FOO_KEY is a flag, and
# cutting every "1" would mangle the log. A key the user configured is cut whatever its length.
_MIN_UNNAMED = 8

_lock = threading.Lock()
_keys: set[str] = set()  # values held outside the environment (the keyring's)
_key_vars: set[str] = set()  # variables configured to hold a key (judge/remote api_key_env)


def add_secret(value: str | None) -> None:
    """Cut `value` out of logs and remote text from now on (for keys from the keyring)."""
    if value:
        with _lock:
            _keys.add(value)


def add_secret_env(name: str | None) -> None:
    """Treat the variable `name` as holding a key, whatever it is called; its value is read
    at each redaction, so a key set or changed later is covered too."""
    if name:
        with _lock:
            _key_vars.add(name)


def secrets_to_redact() -> list[str]:
    """Every secret known now, longest first, so a key that contains another is cut whole."""
    found = {
        value
        for name, value in os.environ.items()
        if _SECRET_NAME.search(name) and len(value) >= _MIN_UNNAMED
    }
    with _lock:
        found |= _keys
        found |= {os.environ.get(name, "") for name in _key_vars}
    found.discard("")
    return sorted(found, key=len, reverse=True)


def redact(text: str, key: str | None) -> str:
    """`text` with the key (if any) cut out, for error messages and logs."""
    if key and key in text:
        return text.replace(key, REDACTED)
    return text


def redact_all(text: str, keys: list[str] | None = None) -> str:
    """`text` with every secret in `keys` (by default every secret known now) cut out."""
    for key in secrets_to_redact() if keys is None else keys:
        text = redact(text, key)
    return text


def api_key(env_var: str, base_url: str) -> str | None:
    """The key from `env_var`, else the keyring entry (service "personaco", user = base URL).
    Either way the key becomes a secret to redact, even if its variable has an unusual name."""
    add_secret_env(env_var)
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
    add_secret(key)  # no environment variable holds it, so remember the value itself
    return key
