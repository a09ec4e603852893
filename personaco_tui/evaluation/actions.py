"""What the CLI's `personaco eval create/run` and the TUI's sessions screen both do: create a
session from an items file, and build the judge a run asks for. One implementation, so the
two front ends accept the same files and configurations and fail with the same messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import batch
from ..config import EndpointSettings, check_value
from ..errors import PersonacoError
from ..store.db import Store
from . import sessions as S
from .configs import parse_config
from .history_items import items_from_history
from .judge import ExternalJudge
from .queries import read_items_csv
from .verdicts import AUTOMATIC_JUDGE_KINDS
from .verifiable import VerifiableJudge


def items_from_file(items_path: str | Path) -> list[S.EvalItem]:
    """The items of a JSONL file (one {"id", "query", "signals"} per line) or a `.csv` file
    (see `queries.read_items_csv`). Any bad line fails the whole file: a session with
    silently missing items would compare less."""
    if not str(items_path).strip():
        raise PersonacoError("No items file given.", 'Give a JSONL file of {"id", "query", ...}.')
    path = Path(items_path).expanduser()
    if path.is_dir():
        raise PersonacoError(f"{path} is a folder, not an items file.", "Give a JSONL file.")
    if path.suffix.lower() == ".csv":
        return [S.EvalItem(k, q, sg) for k, q, sg in read_items_csv(path)]
    bad: list[str] = []
    items = list(batch.read_items(path, lambda n, why: bad.append(f"line {n}: {why}")))
    if bad:
        raise PersonacoError(
            f"{path} has {len(bad)} bad line(s), first {bad[0]}.",
            "Fix them; nothing was created.",
        )
    return [S.EvalItem(it.id, it.query, it.signals) for it in items]


@dataclass(frozen=True)
class Created:
    id: int
    items: int
    config_a: dict[str, Any]
    config_b: dict[str, Any]


def create_from_items_file(
    store: Store, name: str, items_path: str | Path, config_a: str, config_b: str
) -> Created:
    """Create session `name` from an items file and two one-line configurations. The
    configurations are read first: a typo there should not wait on a large file."""
    cfg_a, cfg_b = parse_config(config_a), parse_config(config_b)
    items = items_from_file(items_path)
    sid = S.create_session(store, name, items, cfg_a, cfg_b)
    return Created(sid, len(items), cfg_a, cfg_b)


def create_from_history(
    store: Store,
    name: str,
    profile_id: int,
    config_a: str,
    config_b: str,
    last: int | None = None,
) -> Created:
    """Create session `name` from the profile's past questions and its enabled signals."""
    cfg_a, cfg_b = parse_config(config_a), parse_config(config_b)
    items = items_from_history(store, profile_id, last)
    sid = S.create_session(store, name, items, cfg_a, cfg_b)
    return Created(sid, len(items), cfg_a, cfg_b)


def make_judge(
    settings: EndpointSettings,
    kind: str,
    base_url: str | None = None,
    model: str | None = None,
    concurrency: int | None = None,
) -> ExternalJudge | VerifiableJudge | None:
    """The judge for a run: the IFEval checkers (`verifiable`), or the OpenAI-compatible
    server of `base_url`/`model`, falling back on the judge settings. None when no server
    URL is set anywhere: generating still makes sense, judging cannot happen."""
    if kind == "verifiable":
        return VerifiableJudge()  # raises a one-line error when if-verifiable is missing
    if kind != "external":
        raise PersonacoError(
            f"Unknown judge {kind!r}.", f"Use {' or '.join(AUTOMATIC_JUDGE_KINDS)}."
        )
    if base_url:
        check_value("judge.base_url", base_url, "--judge-base-url")
    url = base_url or settings.base_url
    if not url:
        return None
    return ExternalJudge(
        url,
        model or settings.model,
        api_key_env=settings.api_key_env,
        timeout_s=settings.timeout_s,
        concurrency=concurrency or settings.concurrency,
    )
