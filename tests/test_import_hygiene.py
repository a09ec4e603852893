"""The domain core never loads the UI: importing it in a fresh interpreter leaves Textual out."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "personaco_tui.core.personaco",
    "personaco_tui.core.reflectors",
    "personaco_tui.engines.llama",
    "personaco_tui.engines.openai_compat",
    "personaco_tui.store.db",
    "personaco_tui.store.profiles",
    "personaco_tui.store.conversations",
    "personaco_tui.store.generations",
    "personaco_tui.catalog.registry",
    "personaco_tui.runtime",
    "personaco_tui.chat",
    "personaco_tui.learning",
    "personaco_tui.learned_view",
    "personaco_tui.profile_file",
    "personaco_tui.cli",
    "personaco_tui.logs",
    "personaco_tui.store.recovery",
    "personaco_tui.benchmarks.memory",
    "personaco_tui.benchmarks.speed",
    "personaco_tui.benchmarks.adherence",
    "personaco_tui.evaluation.sessions",
    "personaco_tui.evaluation.runner",
    "personaco_tui.evaluation.judge",
    "personaco_tui.evaluation.verifiable",
    "personaco_tui.evaluation.signals_gen",
    "personaco_tui.evaluation.analysis",
    "personaco_tui.evaluation.plot_data",
    "personaco_tui.evaluation.plots",
    "personaco_tui.evaluation.export",
]


def test_core_modules_do_not_import_textual():
    code = (
        "import importlib, sys\n"
        f"for m in {CORE!r}:\n"
        "    importlib.import_module(m)\n"
        "    if any(k == 'textual' or k.startswith('textual.') for k in sys.modules):\n"
        "        print(m); break\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{out.stdout.strip()} pulls in Textual"
