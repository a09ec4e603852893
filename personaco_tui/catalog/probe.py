"""Whether llama.cpp can run a GGUF file's own weights on this CPU, asked in a child process.

Some builds crash outright (a segfault, not an error) on some quantizations on some CPUs: the
Q4_1 CPU kernels of llama-cpp-python 0.3.36 on AMX/AVX-512 machines, for one. A crash cannot
be caught in the process that has the model, so the file is loaded and one token decoded in
a child first; `python -m personaco_tui.catalog.probe FILE` exits 0 when that works."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

_seen: dict[str, bool] = {}


def native_runs(path: Path, cache_dir: Path | None = None, timeout_s: float = 120.0) -> bool:
    """True when a child process could load `path` and decode with its weights. The answer
    is kept per file and llama-cpp-python version, in this process and (with `cache_dir`)
    on disk, so a machine probes each file once."""
    st = path.stat()
    ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{version('llama-cpp-python')}"
    key = hashlib.sha256(ident.encode()).hexdigest()[:24]
    if key in _seen:
        return _seen[key]
    mark = (
        {ok: cache_dir / f"{key}.{'ok' if ok else 'crash'}" for ok in (True, False)}
        if (cache_dir)
        else {}
    )
    for ok, f in mark.items():
        if f.exists():
            _seen[key] = ok
            return ok
    try:
        rc = subprocess.run(
            [sys.executable, "-m", "personaco_tui.catalog.probe", str(path)],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        ).returncode
    except (OSError, subprocess.TimeoutExpired):
        rc = -1
    _seen[key] = ok = rc == 0
    if mark:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            mark[ok].write_text(f"{path}\n")
        except OSError:
            pass  # a cache that cannot be written only means probing again next time
    return ok


def _probe(path: str) -> None:
    from ..engines.base import SamplingParams
    from ..engines.llama import LlamaEngine, LlamaOptions

    engine = LlamaEngine(path, options=LlamaOptions(n_ctx=256, n_threads=1))
    engine.sample([{"role": "user", "content": "Hi"}], 1, SamplingParams(max_tokens=2))
    engine.close()


if __name__ == "__main__":
    _probe(sys.argv[1])
