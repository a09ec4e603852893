"""`personaco models …`: the catalog, local GGUF files, the default model, downloads."""

from __future__ import annotations

import click

from ..catalog import registry
from ..catalog.manifest import load_catalog
from ..catalog.pull import pull_model
from ..config import is_base_url
from ..errors import NotFoundError, PersonacoError
from .common import echo, open_runtime

DEFAULT_MODEL = "smollm2-135m"


def _size(size: int | None) -> str:
    if not size:
        return "-"
    n = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@click.group("models")
def models_group() -> None:
    """List, add, choose and download models."""


@models_group.command("list")
def list_models() -> None:
    """Every known model: name, file, size, quantization, present or not, default (*)."""
    rt = open_runtime()
    entries = registry.list_models(rt.store.db, rt.loc, rt.settings)
    rows = [("", "NAME", "FILE", "SIZE", "QUANT", "PRESENT", "SOURCE")]
    for e in entries:
        rows.append(
            (
                "*" if e.is_default else "",
                e.name,
                e.path.name if e.path else "-",
                _size(e.size),
                e.quantization or "-",
                "yes" if e.present else "no",
                e.source + (f"  ({e.problem})" if e.problem else ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@models_group.command("add")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--name", default=None, help="Name to use (default: the file name, lowercased).")
def add(path: str, name: str | None) -> None:
    """Register a local GGUF file."""
    rt = open_runtime()
    entry = registry.add_model(rt.store.db, rt.loc, path, name=name)
    echo(f"Added {entry.name} ({entry.path}, {entry.quantization or 'unknown quantization'}).")


@models_group.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Forget a registered local model (the file itself is kept)."""
    rt = open_runtime()
    registry.remove_model(rt.store.db, name, rt.loc)
    echo(f"Removed {name} from the list; its file was not touched.")
    if rt.settings.model.default == name:
        registry.use_model(rt.store.db, rt.loc, DEFAULT_MODEL)
        echo(f"It was the default model; the default is now {DEFAULT_MODEL}.")


@models_group.command("use")
@click.argument("name")
def use(name: str) -> None:
    """Make NAME the default model."""
    rt = open_runtime()
    registry.use_model(rt.store.db, rt.loc, name)
    echo(f"Default model: {name}")


@models_group.command("pull")
@click.argument("name")
@click.option(
    "--endpoint", default=None, help="Hub endpoint (default: huggingface.co or $HF_ENDPOINT)."
)
def pull(name: str, endpoint: str | None) -> None:
    """Download a catalog model from the Hugging Face hub (resumable, checked)."""
    if endpoint is not None and not (endpoint and is_base_url(endpoint)):
        raise PersonacoError(
            f"--endpoint {endpoint!r} is not an http:// or https:// URL with a host.",
            "Give the hub's address, e.g. --endpoint https://huggingface.co.",
        )
    rt = open_runtime()
    catalog = load_catalog(rt.loc)
    if name not in catalog:
        raise NotFoundError(
            f"No model named {name!r} in the catalog.",
            f"Known: {', '.join(sorted(catalog))}.",
        )
    manifest = catalog[name]
    if manifest.bundled:
        echo(f"{name} ships with PersonaCo; nothing to download.")
        return
    path = pull_model(manifest, rt.loc, endpoint=endpoint)
    echo(f"Downloaded {name} to {path}. Make it the default with: personaco models use {name}")
