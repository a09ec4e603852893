"""`pull` against a real HTTP server on 127.0.0.1 that answers like the hub and its CDN."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from catalog_testlib import F32, FakeHub, make_gguf

from personaco_tui.catalog.manifest import ModelManifest, load_catalog
from personaco_tui.catalog.pull import partial_path, pull_model
from personaco_tui.errors import DownloadError
from personaco_tui.locations import Locations

REPO, FILE = "personaco-test/tiny-GGUF", "tiny-test.F32.gguf"
# ~300 KB: a tiny but complete GGUF.
TINY = make_gguf(tensors=[("w", (256, 300), F32)], fill=random.Random(1).randbytes)
TOKEN = "hf_personacoTestToken0123456789"


def _manifest(
    loc: Locations, *, sha256: str | None = None, size: int | None = None
) -> ModelManifest:
    """The test model, declared the way a user would: a TOML file in user_catalog_dir."""
    sha = hashlib.sha256(TINY).hexdigest() if sha256 is None else sha256
    size = len(TINY) if size is None else size
    loc.user_catalog_dir.mkdir(parents=True, exist_ok=True)
    (loc.user_catalog_dir / "tiny.toml").write_text(
        f'name = "tiny-test"\ndisplay_name = "Tiny"\nhub_repo = "{REPO}"\nhub_file = "{FILE}"\n'
        f'size_bytes = {size}\nsha256 = "{sha}"\ncontext_length = 256\nquantization = "F32"\n'
        'licence = "CC0-1.0"\n'
    )
    return load_catalog(loc)["tiny-test"]


def test_pull_success(fake_hub: FakeHub, loc: Locations, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    fake_hub.add(REPO, FILE, TINY)
    path = pull_model(_manifest(loc), loc, endpoint=fake_hub.url, progress=False)
    assert path == loc.models_dir / FILE and path.read_bytes() == TINY
    assert not any((loc.models_dir / ".partial").glob("*.incomplete"))
    heads = [s for s in fake_hub.seen if s.role == "hub"]
    assert heads[0].method == "HEAD" and heads[0].path == f"/{REPO}/resolve/main/{FILE}"
    assert heads[0].headers.get("authorization") == f"Bearer {TOKEN}"
    # The token goes to the hub only, never to the CDN the file is served from.
    assert [g.headers.get("authorization") for g in fake_hub.gets()] == [None]
    # Already there and verified: no second download, not even a request.
    n = len(fake_hub.seen)
    assert pull_model(_manifest(loc), loc, endpoint=fake_hub.url, progress=False) == path
    assert len(fake_hub.seen) == n


def test_pull_uses_endpoint_env_and_hub_hash(
    fake_hub: FakeHub, loc: Locations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sha256/size in the manifest: the hub's X-Linked-Etag/-Size are what is checked."""
    monkeypatch.setenv("PERSONACO_HF_ENDPOINT", fake_hub.url)
    fake_hub.add(REPO, FILE, TINY)
    path = pull_model(_manifest(loc, sha256="", size=0), loc, progress=True)
    assert path.read_bytes() == TINY


def test_resume_a_partial_file(fake_hub: FakeHub, loc: Locations) -> None:
    fake_hub.add(REPO, FILE, TINY)
    manifest = _manifest(loc)
    part = partial_path(loc, manifest, manifest.sha256)
    part.parent.mkdir(parents=True)
    half = len(TINY) // 2
    part.write_bytes(TINY[:half])  # what an interrupted earlier pull left behind
    path = pull_model(manifest, loc, endpoint=fake_hub.url, progress=False)
    assert [g.headers.get("range") for g in fake_hub.gets()] == [f"bytes={half}-"]
    assert path.read_bytes() == TINY and not part.exists()


def test_resume_after_dropped_connection(fake_hub: FakeHub, loc: Locations) -> None:
    # Big enough (25 MB) for huggingface_hub to have written a 10 MiB chunk before the drop.
    big = make_gguf(tensors=[("w", (1024, 6144), F32)], fill=random.Random(2).randbytes)
    fake_hub.add(REPO, FILE, big)
    fake_hub.drop_first_get_at = 15 * 2**20
    manifest = _manifest(loc, sha256=hashlib.sha256(big).hexdigest(), size=len(big))
    path = pull_model(manifest, loc, endpoint=fake_hub.url, progress=False)
    ranges = [g.headers.get("range") for g in fake_hub.gets()]
    assert ranges[0] is None and len(ranges) == 2
    start = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < start <= 15 * 2**20  # picked up where it stopped, not from zero
    assert path.read_bytes() == big


def test_bad_bytes_are_moved_aside(fake_hub: FakeHub, loc: Locations) -> None:
    """The hub claims the right sha256 but serves other bytes: nothing under the final name."""
    manifest = _manifest(loc)
    wrong = bytes(reversed(TINY))
    fake_hub.add(REPO, FILE, wrong, etag=manifest.sha256)
    with pytest.raises(DownloadError) as err:
        pull_model(manifest, loc, endpoint=fake_hub.url, progress=False)
    assert "is not the expected file (sha256" in err.value.message
    assert not (loc.models_dir / FILE).exists()
    rejected = list((loc.models_dir / ".partial").glob(f"{FILE}.rejected-*"))
    assert len(rejected) == 1 and rejected[0].read_bytes() == wrong
    assert str(rejected[0]) in err.value.message
    # The next pull starts over (nothing left to resume) and, once the hub is fixed, succeeds.
    fake_hub.blobs[manifest.sha256] = TINY
    assert pull_model(manifest, loc, endpoint=fake_hub.url, progress=False).read_bytes() == TINY
    assert fake_hub.gets()[-1].headers.get("range") is None


def test_hub_hash_differs_from_catalog(fake_hub: FakeHub, loc: Locations) -> None:
    fake_hub.add(REPO, FILE, TINY)
    manifest = _manifest(loc, sha256="ab" * 32)
    with pytest.raises(DownloadError, match="not the file the catalog names"):
        pull_model(manifest, loc, endpoint=fake_hub.url, progress=False)
    assert fake_hub.gets() == [] and not (loc.models_dir / FILE).exists()


def test_wrong_file_already_in_place_is_replaced(fake_hub: FakeHub, loc: Locations) -> None:
    fake_hub.add(REPO, FILE, TINY)
    (loc.models_dir / FILE).write_bytes(b"GGUF old junk")
    path = pull_model(_manifest(loc), loc, endpoint=fake_hub.url, progress=False)
    assert path.read_bytes() == TINY
    assert len(list((loc.models_dir / ".partial").glob(f"{FILE}.rejected-*"))) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_gated_repo(
    fake_hub: FakeHub, loc: Locations, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    fake_hub.hub_status = status
    fake_hub.add(REPO, FILE, TINY)
    with pytest.raises(DownloadError) as err:
        pull_model(_manifest(loc), loc, endpoint=fake_hub.url, progress=False)
    msg = err.value.message
    assert f"HTTP {status}" in msg and "gated" in msg
    assert "Accept its licence" in msg and "`hf auth login`" in msg and "HF_TOKEN" in msg
    assert TOKEN not in msg and "\n" not in msg
    assert not (loc.models_dir / FILE).exists()


def test_missing_file_on_hub(fake_hub: FakeHub, loc: Locations) -> None:
    with pytest.raises(DownloadError, match="was not found in personaco-test/tiny-GGUF"):
        pull_model(_manifest(loc), loc, endpoint=fake_hub.url, progress=False)


def test_connection_refused(fake_hub: FakeHub, loc: Locations, closed_port: int) -> None:
    endpoint = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(DownloadError) as err:
        pull_model(_manifest(loc), loc, endpoint=endpoint, progress=False)
    assert err.value.message.startswith(f"Could not reach {endpoint} (")
    assert err.value.message.endswith(
        "Check your connection, or copy the file and use `personaco models add PATH`."
    )


def test_offline_mode_is_respected(loc: Locations, monkeypatch: pytest.MonkeyPatch) -> None:
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: set what it read.
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        pull_model(_manifest(loc), loc, endpoint="http://127.0.0.1:9", progress=False)


def test_bundled_model_needs_no_download(loc: Locations, bundled_gguf: Path) -> None:
    assert pull_model(load_catalog(loc)["smollm2-135m"], loc) == bundled_gguf


def test_cli_pull_then_list_shows_it_present(
    fake_hub: FakeHub, loc: Locations, capsys: pytest.CaptureFixture[str]
) -> None:
    from personaco_tui.cli import main

    fake_hub.add(REPO, FILE, TINY)
    _manifest(loc)
    assert main(["models", "pull", "tiny-test", "--endpoint", fake_hub.url]) == 0
    out = capsys.readouterr().out
    assert "personaco models use tiny-test" in out
    assert main(["models", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "tiny-test" in x)
    assert " yes " in line and "F32" in line
    # an unknown name is one clear line
    assert main(["models", "pull", "no-such-model"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-model" in err[0] and "llama-3.2-1b" in err[0]
