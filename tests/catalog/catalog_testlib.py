"""Helpers for the catalog tests: a GGUF writer independent of the reader under test, and
an HTTP handler that plays the Hugging Face hub and its CDN."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlparse

# Independent of the reader under test: sizes here are written out by hand for the few ggml
# types the tests use (F32: 4 bytes per element; Q8_0: 34 bytes per 32 elements).
F32, Q8_0 = 0, 8
_TYPE_BYTES = {F32: (1, 4), Q8_0: (32, 34)}


def _gguf_str(s: str) -> bytes:
    raw = s.encode()
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(v: Any) -> tuple[int, bytes]:
    if isinstance(v, bool):
        return 7, struct.pack("<?", v)
    if isinstance(v, int):
        return 4, struct.pack("<I", v)
    if isinstance(v, float):
        return 6, struct.pack("<f", v)
    if isinstance(v, str):
        return 8, _gguf_str(v)
    if isinstance(v, list):
        item_type = _gguf_value(v[0])[0] if v else 8
        body = b"".join(_gguf_value(x)[1] for x in v)
        return 9, struct.pack("<IQ", item_type, len(v)) + body
    raise TypeError(v)


def make_gguf(
    metadata: dict[str, Any] | None = None,
    tensors: list[tuple[str, tuple[int, ...], int]] | None = None,
    *,
    alignment: int = 32,
    fill: Callable[[int], bytes] = lambda n: bytes(i % 251 for i in range(n)),
) -> bytes:
    """A complete little-endian GGUF v3 file: header, metadata, tensor infos, aligned data."""
    metadata = {"general.architecture": "llama", "general.name": "tiny", **(metadata or {})}
    if alignment != 32:
        metadata["general.alignment"] = alignment
    tensors = tensors if tensors is not None else [("w", (64, 2), F32)]
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata)))
    for key, value in metadata.items():
        vtype, raw = _gguf_value(value)
        out += _gguf_str(key) + struct.pack("<I", vtype) + raw
    offset, sizes = 0, []
    for name, shape, ggml_type in tensors:
        block, type_size = _TYPE_BYTES.get(ggml_type, (1, 1))
        n = 1
        for d in shape:
            n *= d
        size = n // block * type_size
        out += _gguf_str(name) + struct.pack("<I", len(shape))
        out += b"".join(struct.pack("<Q", d) for d in shape)
        out += struct.pack("<IQ", ggml_type, offset)
        sizes.append((offset, size))
        offset = (offset + size + alignment - 1) // alignment * alignment
    out += b"\0" * (-len(out) % alignment)
    data = bytearray(fill(sizes[-1][0] + sizes[-1][1] if sizes else 0))
    return bytes(out + data)


@dataclass
class Seen:
    role: str  # "hub" or "cdn"
    method: str
    path: str
    headers: dict[str, str]  # names lowercased


@dataclass
class FakeHub:
    """Answers what huggingface_hub asks: HEAD /{repo}/resolve/{rev}/{file} on the hub gives
    a 302 to the CDN with X-Repo-Commit, X-Linked-Etag (sha256) and X-Linked-Size; the CDN
    (another origin, like the real one) serves the bytes, honouring `Range: bytes=N-`."""

    commit: str = "0123456789abcdef0123456789abcdef01234567"
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (repo, file) -> etag
    blobs: dict[str, bytes] = field(default_factory=dict)  # etag -> bytes served
    seen: list[Seen] = field(default_factory=list)
    hub_status: int | None = None  # answer every resolve with this status (401, 403...)
    drop_first_get_at: int | None = None  # cut the first full GET after this many bytes
    url: str = ""
    cdn_url: str = ""

    def add(self, repo: str, filename: str, data: bytes, *, etag: str | None = None) -> str:
        """Publish `data`; `etag` lets a test make the hub claim a different sha256."""
        etag = etag or hashlib.sha256(data).hexdigest()
        self.files[(repo, filename)] = etag
        self.blobs[etag] = data
        return etag

    def gets(self, role: str = "cdn") -> list[Seen]:
        return [s for s in self.seen if s.role == role and s.method == "GET"]


def hub_handler(hub: FakeHub, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _reply(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _serve(self, body: bool) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            hub.seen.append(Seen(role, self.command, self.path, headers))
            path = unquote(urlparse(self.path).path)
            if role == "hub":
                self._resolve(path)
            else:
                self._blob(path, body)

        def _resolve(self, path: str) -> None:
            parts = path.strip("/").split("/")
            if len(parts) < 5 or parts[2] != "resolve":
                return self._reply(404, {"Content-Length": "0"})
            repo, filename = "/".join(parts[:2]), "/".join(parts[4:])
            if hub.hub_status is not None:
                return self._reply(
                    hub.hub_status,
                    {"Content-Length": "0", "X-Error-Message": "Access to model is restricted."},
                )
            etag = hub.files.get((repo, filename))
            if etag is None:
                return self._reply(
                    404,
                    {
                        "Content-Length": "0",
                        "X-Error-Code": "EntryNotFound",
                        "X-Repo-Commit": hub.commit,
                    },
                )
            self._reply(
                302,
                {
                    "Location": f"{hub.cdn_url}/blobs/{etag}?X-Amz-Signature=fake",
                    "X-Repo-Commit": hub.commit,
                    "X-Linked-Etag": f'"{etag}"',
                    "X-Linked-Size": str(len(hub.blobs[etag])),
                    "ETag": '"0000000000000000000000000000000000000000"',  # the pointer's
                    "Content-Length": "0",
                },
            )

        def _blob(self, path: str, body: bool) -> None:
            data = hub.blobs.get(path.removeprefix("/blobs/"))
            if data is None:
                return self._reply(404, {"Content-Length": "0"})
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[len("bytes=") : -1])
            chunk = data[start:]
            headers = {
                "Content-Length": str(len(chunk)),
                "Accept-Ranges": "bytes",
                "ETag": f'"{path.removeprefix("/blobs/")}"',
            }
            status = 200
            if start:
                status = 206
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            if not body:
                return self._reply(status, headers)
            cut = hub.drop_first_get_at
            if cut is not None and start == 0:
                # Announce the whole file, send part of it, then hang up: a dropped connection.
                hub.drop_first_get_at = None
                self._reply(status, headers, chunk[:cut])
                self.close_connection = True
                return
            self._reply(status, headers, chunk)

    return Handler
