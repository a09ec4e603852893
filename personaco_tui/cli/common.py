from __future__ import annotations

import click

from ..runtime import Runtime


def open_runtime() -> Runtime:
    """The runtime for a CLI command; closed when the click context ends."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    rt = root.meta.get("runtime")
    if rt is None:
        rt = Runtime.open()
        root.meta["runtime"] = rt
        root.call_on_close(rt.close)
    return rt
