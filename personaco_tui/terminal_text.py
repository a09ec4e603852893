"""Text from models, servers, judges and users, made harmless to print on a terminal.

Everything PersonaCo shows can carry control sequences: a model can emit them, a remote
server or judge can send them on purpose, and a signal or name holds whatever was typed or
imported. Printed raw, OSC sequences retitle the terminal or write to the clipboard (OSC 52),
CSI sequences move the cursor to overwrite earlier lines, and DCS strings talk to the
terminal itself. `neutralise` removes every such sequence whole, in its 7-bit (ESC ...) and
8-bit C1 forms, and then every other C0 or C1 control, keeping only newline and tab, and the
bidi overrides and isolates that would show text in another order than it is stored. A CRLF
becomes a newline; a lone carriage return, which would let text overwrite its own line, goes.

`json_for_terminal` is for JSON already produced by `json.dumps`: that escapes C0 controls
itself but leaves DEL and C1 controls raw, so those become \\u escapes, which is the same
JSON value, rather than being dropped.

It imports nothing from PersonaCo, so the CLI, the TUI and the exporters can all use it.
"""

from __future__ import annotations

import re

_SEQUENCE = re.compile(
    # OSC, DCS, SOS, PM and APC strings run to BEL or ST; an ESC inside ends them early, as
    # in a terminal, and whatever that ESC starts is removed by the next match.
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    # CSI: parameters, intermediates, one final byte
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    # any other escape: intermediates and one final byte (ESC 7, ESC ( B, ...)
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
    # every other control but newline and tab
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    # bidi embeddings, overrides and isolates: they reorder what follows on the line, so
    # "txt.exe" can show as "exe.txt" (right-to-left text itself needs none of them)
    r"|[\u202a-\u202e\u2066-\u2069]"
)
_JSON_RAW = re.compile(r"[\x7f-\x9f]")


def neutralise(text: str) -> str:
    """`text` without control sequences or control characters, newlines and tabs kept."""
    text = text.replace("\r\n", "\n")
    return _SEQUENCE.sub("", text)


def has_controls(text: str) -> bool:
    """Whether `neutralise` would change `text` (cheap check for hot paths)."""
    return _SEQUENCE.search(text.replace("\r\n", "\n")) is not None


def json_for_terminal(text: str) -> str:
    """JSON text from `json.dumps` with its remaining raw controls (DEL, C1) escaped."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
