"""The codebase guards its own shape: no import cycles, SQL only in store/, modules readable in
one sitting, and the layer contracts of pyproject.toml really fail when broken.

`make check` runs `lint-imports` on the real tree; the tests here prove that each contract would
catch a planted violation (a contract that cannot fail guards nothing) and add the rules that
import-linter cannot express.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "personaco_tui"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# "about 500 lines": the size past which a module stops being readable in one sitting.
MAX_LINES = 520
# The paraphrase corpus is templates the signal classifier learns from: read as data, a kind
# at a time, not as a module's logic.
NOT_SIZE_LIMITED = ("core/signals/corpus.py",)

_SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER|VIRTUAL)|PRAGMA\s+\w+)\b",
    re.DOTALL,  # SQL is written in capitals here; prose ("Select a model from...") is not
)
# Calls that run SQL through sqlite3 or sqlite-utils, whatever the string looks like.
_DB_CALLS = frozenset(
    (
        "execute",
        "executemany",
        "executescript",
        "rows_where",
        "insert_all",
        "upsert",
        "upsert_all",
        "delete_where",
        "count_where",
    )
)


def _sources() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(adj):
        if start in index:
            continue
        work = [(start, iter(adj[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in adj:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(adj[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_cycle_finder_finds_a_planted_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "cyc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("from . import c\n")
    (pkg / "c.py").write_text("from . import a\n")
    (pkg / "d.py").write_text("from . import a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        graph = grimp.build_graph("cyc")
    finally:
        sys.path.remove(str(tmp_path))
    assert _cycles(graph) == [["cyc.a", "cyc.b", "cyc.c"]]


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("personaco_tui", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_sql_lives_only_in_store() -> None:
    offenders = []
    for path in _sources():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _SQL.search(node.value):
                    offenders.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _DB_CALLS
            ):
                offenders.append(f"{rel}:{node.lineno}: .{node.func.attr}(...)")
    assert offenders == [], "\n".join(offenders)


def test_sql_detector_sees_queries() -> None:
    assert _SQL.search("SELECT id, name FROM eval_sessions ORDER BY id")
    assert _SQL.search("INSERT OR IGNORE INTO judgments (a) VALUES (?)")
    assert _SQL.search("UPDATE messages SET content = ?")
    assert not _SQL.search("Select a model from the list, then update it.")


def test_modules_are_readable_in_one_sitting() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() in NOT_SIZE_LIMITED:
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            long.append(f"{path.relative_to(PACKAGE)}: {n} lines")
    assert long == []
    assert all((PACKAGE / p).is_file() for p in NOT_SIZE_LIMITED)  # no stale exemption


# One planted violation per contract of pyproject.toml: (module to write, its source).
PLANTED = {
    "The domain core knows nothing of the front ends or the store": (
        "core/_planted.py",
        "from ..store import db\n",
    ),
    "The store knows nothing of the engines or the TUI": (
        "store/_planted.py",
        "from ..engines import base\n",
    ),
    "The TUI reaches the database only through the store": (
        "tui/_planted.py",
        "import sqlite3\n",
    ),
    "Only store/ holds SQL: nothing else opens the database": (
        "evaluation/_planted.py",
        "import sqlite_utils\n",
    ),
    "The domain core, engines, store, evaluation and catalog never load Textual": (
        "engines/_planted.py",
        "from ..tui import messages\n",
    ),
}


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("tree")
    shutil.copytree(PACKAGE, dst / "personaco_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("contract", sorted(PLANTED))
def test_each_contract_fails_on_a_planted_violation(tree_copy: Path, contract: str) -> None:
    rel, source = PLANTED[contract]
    planted = tree_copy / "personaco_tui" / rel
    planted.write_text(source)
    try:
        out = _lint(tree_copy)
    finally:
        planted.unlink()
    assert out.returncode != 0, out.stdout
    broken = {
        ln.removesuffix(" BROKEN").strip()
        for ln in out.stdout.splitlines()
        if ln.endswith("BROKEN")
    }
    assert contract in broken, out.stdout
