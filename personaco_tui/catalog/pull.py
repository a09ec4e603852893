"""`personaco models pull`: download a catalog model from the Hugging Face hub, resumably,
and keep it only if it is exactly the file the catalog (or the hub) says it is.

Why not `hf_hub_download`: in huggingface_hub 1.x/2.x it downloads into a temporary file
with a per-process random name and deletes it on any failure, so an interrupted 800 MB
download starts again from zero. We use the same library's pieces instead, with a partial
file of our own that survives a crash or Ctrl-C:
  1. `get_hf_file_metadata`: HEAD on `/{repo}/resolve/{revision}/{file}` (X-Repo-Commit,
     X-Linked-Etag = the LFS sha256, X-Linked-Size, the CDN Location), with the user's token;
  2. `http_get`: GET on that location with `Range: bytes=<partial size>-`, its progress bar,
     and its in-run retries that resume from the bytes already written;
  3. our own size + sha256 check, then an atomic rename to the final name.
The token (HF_TOKEN or `hf auth login`) is only ever handled by huggingface_hub.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import httpx2  # huggingface_hub's HTTP client: its exceptions are what the calls below raise
from filelock import Timeout as LockTimeout  # huggingface_hub's own lock library
from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
from huggingface_hub.errors import (
    FileMetadataError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.file_download import HfFileMetadata, http_get
from huggingface_hub.utils import WeakFileLock, build_hf_headers
from huggingface_hub.utils.tqdm import tqdm as hf_tqdm

from .. import __version__
from ..errors import DownloadError
from ..locations import Locations
from .manifest import SHA256_RE, ModelManifest
from .registry import bundled_model_path

ENDPOINT_ENV = "PERSONACO_HF_ENDPOINT"
PARTIAL_DIR = ".partial"  # under models_dir: partial downloads, locks, rejected files

log = logging.getLogger(__name__)


def resolve_endpoint(endpoint: str | None = None) -> str:
    """The explicit endpoint, else PERSONACO_HF_ENDPOINT, else huggingface_hub's (HF_ENDPOINT)."""
    return (endpoint or os.environ.get(ENDPOINT_ENV) or constants.ENDPOINT).rstrip("/")


def partial_path(loc: Locations, manifest: ModelManifest, key: str) -> Path:
    """Where a download in progress is kept. `key` (the expected sha256 or the hub's ETag)
    is in the name, so bytes of one version are never resumed into another."""
    safe = re.sub(r"[^0-9A-Za-z]", "", key)[:16] or "unknown"
    return loc.models_dir / PARTIAL_DIR / f"{Path(manifest.hub_file).name}.{safe}.incomplete"


def pull_model(
    manifest: ModelManifest,
    loc: Locations,
    *,
    endpoint: str | None = None,
    progress: bool = True,
) -> Path:
    """Download `manifest`'s file into `loc.models_dir` (resuming a partial one), verify it,
    and return its path. Raises DownloadError with a one-line, actionable message."""
    if manifest.bundled:
        bundled = bundled_model_path(manifest.bundled_package or "", manifest.hub_file)
        if bundled is not None:
            return bundled  # ships with the app: nothing to download
    if not manifest.hub_repo:
        raise DownloadError(
            f"{manifest.name} has no hub source to download from.",
            "Copy the file and use `personaco models add PATH`.",
        )
    final = loc.models_dir / manifest.hub_file
    # Already there and provably right: no network needed (works offline).
    if (
        manifest.sha256
        and final.is_file()
        and _mismatch(final, manifest.sha256, manifest.size_bytes) is None
    ):
        return final
    if constants.is_offline_mode():
        raise DownloadError(
            "Downloads are switched off (HF_HUB_OFFLINE is set).",
            "Unset it, or copy the file and use `personaco models add PATH`.",
        )

    ep = resolve_endpoint(endpoint)
    url = hf_hub_url(manifest.hub_repo, manifest.hub_file, revision=manifest.revision, endpoint=ep)
    meta = _metadata(url, ep, manifest)
    sha, size = _expected(manifest, meta)
    if final.is_file():
        if _mismatch(final, sha, size) is None:
            return final
        # Never keep a wrong file under the final name, but do not delete what we did not make.
        aside = _move_aside(final, loc, final.name)
        log.warning("%s did not match the catalog; moved it to %s", final, aside)

    part = partial_path(loc, manifest, sha or meta.etag or "")
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        with WeakFileLock(part.with_name(part.name + ".lock"), timeout=2):
            _download(meta, url, part, size, manifest, ep, progress)
            problem = _mismatch(part, sha, size)
            if problem:
                aside = _move_aside(part, loc, final.name)
                raise DownloadError(
                    f"The downloaded {manifest.hub_file} is not the expected file ({problem}).",
                    f"It was moved to {aside}; run `personaco models pull {manifest.name}` again.",
                )
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, final)
    except LockTimeout:  # another pull holds this download
        raise DownloadError(
            f"Another `personaco models pull` is already downloading {manifest.hub_file}.",
            "Wait for it to finish.",
        ) from None
    if not sha:
        log.warning(
            "%s was checked by size only: neither the catalog nor the hub gave a sha256", final
        )
    return final


def _metadata(url: str, ep: str, m: ModelManifest) -> HfFileMetadata:
    try:
        return get_hf_file_metadata(
            url, endpoint=ep, library_name="personaco-tui", library_version=__version__
        )
    except HfHubHTTPError as e:  # before OSError/httpx2 errors: it subclasses both
        raise _http_error(e, ep, m) from None
    except (httpx2.TransportError, OfflineModeIsEnabled) as e:
        raise _unreachable(ep, e) from None
    except FileMetadataError as e:
        raise DownloadError(
            f"{ep} did not answer like a Hugging Face hub ({_short(e)}).",
            f"Check {ENDPOINT_ENV} / HF_ENDPOINT.",
        ) from None


def _expected(m: ModelManifest, meta: HfFileMetadata) -> tuple[str | None, int | None]:
    """The sha256 and size to verify against: the manifest's, else the hub's.

    For an LFS file the hub's ETag is the file's sha256. When the manifest has its own
    values and the hub disagrees, the upload has changed: stop before downloading."""
    etag = (meta.etag or "").lower()
    hub_sha = etag if SHA256_RE.match(etag) else None
    if m.sha256 and hub_sha and hub_sha != m.sha256:
        raise DownloadError(
            f"The hub's {m.hub_file} (sha256 {hub_sha[:12]}…) is not the file the catalog "
            f"names ({m.sha256[:12]}…); nothing was downloaded.",
            f"The upload has changed: update {m.source or 'the manifest'} (sha256, size_bytes).",
        )
    if m.size_bytes and meta.size and meta.size != m.size_bytes:
        raise DownloadError(
            f"The hub's {m.hub_file} has {meta.size} bytes, the catalog expects "
            f"{m.size_bytes}; nothing was downloaded.",
            f"The upload has changed: update {m.source or 'the manifest'} (sha256, size_bytes).",
        )
    return (m.sha256 or hub_sha), (m.size_bytes or meta.size)


def _origin(url: str) -> tuple[str, str, int | None]:
    u = urlparse(url)
    return u.scheme, (u.hostname or "").lower(), u.port


def _download(
    meta: HfFileMetadata,
    url: str,
    part: Path,
    size: int | None,
    m: ModelManifest,
    ep: str,
    progress: bool,
) -> None:
    headers = build_hf_headers(library_name="personaco-tui", library_version=__version__)
    if _origin(meta.location) != _origin(url):
        # The file itself comes from a CDN with a signed URL: the token must not go there.
        headers.pop("authorization", None)
    resume = part.stat().st_size if part.exists() else 0
    if size is not None and resume > size:
        part.unlink()  # longer than the file can be: not ours to resume
        resume = 0
    if size is not None:
        free = shutil.disk_usage(part.parent).free
        if free < size - resume:
            raise DownloadError(
                f"Not enough disk space in {part.parent}: {_mb(size - resume)} needed, "
                f"{_mb(free)} free.",
                "Free some space and try again.",
            )
    quiet = functools.partial(hf_tqdm, disable=True)
    try:
        with part.open("r+b" if resume else "wb") as fh:
            fh.seek(resume)
            http_get(
                meta.location,
                fh,
                resume_size=resume,
                headers=headers,
                expected_size=size,
                displayed_filename=Path(m.hub_file).name,
                tqdm_class=None if progress else cast(Any, quiet),
            )
    except HfHubHTTPError as e:
        raise _http_error(e, ep, m) from None
    except httpx2.HTTPError as e:
        raise DownloadError(
            f"The download of {m.hub_file} was interrupted ({_short(e)}).",
            f"Run `personaco models pull {m.name}` again to resume it.",
        ) from None
    except OSError as e:
        if "Consistency check failed" in str(e):  # http_get: fewer/more bytes than announced
            raise DownloadError(
                f"The download of {m.hub_file} ended with the wrong size.",
                f"Run `personaco models pull {m.name}` again to resume it.",
            ) from None
        raise DownloadError(
            f"Could not write {part} ({e.strerror or _short(e)}).",
            "Check the disk and the permissions of the models folder.",
        ) from None


def _http_error(e: HfHubHTTPError, ep: str, m: ModelManifest) -> DownloadError:
    status = e.response.status_code if e.response is not None else None
    if isinstance(e, (RemoteEntryNotFoundError, RevisionNotFoundError)) or (
        status == 404 and not isinstance(e, RepositoryNotFoundError)
    ):
        return DownloadError(
            f"{m.hub_file} was not found in {m.hub_repo} (revision {m.revision}) on {ep}.",
            f"The catalog entry may be out of date: check {m.source or 'its manifest'}.",
        )
    if isinstance(e, RepositoryNotFoundError) or status in (401, 403):
        return DownloadError(
            f"{ep} refused access to {m.hub_repo} (HTTP {status}): it is gated, private or gone.",
            f"Accept its licence at {ep}/{m.hub_repo}, then log in with `hf auth login` "
            "(or set HF_TOKEN) and try again.",
        )
    return DownloadError(
        f"{ep} answered HTTP {status} for {m.hub_repo}/{m.hub_file}.", "Try again later."
    )


def _unreachable(ep: str, e: Exception) -> DownloadError:
    return DownloadError(
        f"Could not reach {ep} ({_short(e)}).",
        "Check your connection, or copy the file and use `personaco models add PATH`.",
    )


_SECRET = re.compile(r"(hf_[A-Za-z0-9]{6,}|Bearer\s+\S+)")


def _short(e: BaseException) -> str:
    """One line, no secrets: exception texts can be long and may echo request details."""
    text = (str(e).strip().splitlines() or [type(e).__name__])[0]
    text = _SECRET.sub("***", text)
    return text if len(text) <= 120 else text[:117] + "..."


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _mismatch(path: Path, sha: str | None, size: int | None) -> str | None:
    """How `path` differs from the expected file, or None if it is the expected file."""
    actual = path.stat().st_size
    if size and actual != size:  # cheap test first: no need to hash 800 MB of the wrong length
        return f"{actual} bytes, expected {size}"
    if sha:
        got = _sha256(path)
        if got != sha:
            return f"sha256 {got[:12]}…, expected {sha[:12]}…"
    return None


def _move_aside(path: Path, loc: Locations, name: str) -> Path:
    """Move a wrong file to models_dir/.partial/<name>.rejected-<time> and return the new path."""
    aside_dir = loc.models_dir / PARTIAL_DIR
    aside_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = aside_dir / f"{name}.rejected-{stamp}"
    n = 1
    while aside.exists():
        n += 1
        aside = aside_dir / f"{name}.rejected-{stamp}-{n}"
    os.replace(path, aside)
    return aside


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"
