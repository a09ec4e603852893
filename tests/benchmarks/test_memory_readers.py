"""Free memory and resident size come from psutil, so they work where /proc does not."""

from __future__ import annotations

import psutil

from personaco_tui.benchmarks.memory import rss_mb
from personaco_tui.runtime import available_memory


def test_available_memory_is_what_the_os_reports() -> None:
    free = available_memory()
    assert free is not None and 0 < free <= psutil.virtual_memory().total


def test_rss_grows_when_the_process_holds_more_memory() -> None:
    before, source = rss_mb()
    block = bytearray(64 << 20)  # touched below, so the pages are resident
    for i in range(0, len(block), 4096):
        block[i] = 1
    after, _ = rss_mb()
    assert source == "rss" and before > 0
    assert after - before > 40, (before, after)
    del block
