"""`personaco eval ...` (pairwise evaluation sessions) and `personaco export`."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from .. import batch
from ..errors import PersonacoError
from ..evaluation import analysis, export, runner
from ..evaluation import sessions as S
from ..evaluation.configs import describe, parse_config
from ..evaluation.judge import ExternalJudge
from ..evaluation.verdicts import ALL_VERDICTS
from .common import open_runtime


@click.group("eval")
def eval_group() -> None:
    """Compare two methods on a set of items, judged pairwise."""


@eval_group.command("create")
@click.argument("name")
@click.option(
    "--items",
    "items_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL: one {"id", "query", "signals": [...]} per line.',
)
@click.option("--a", "config_a", required=True, help="Method A, e.g. baseline.")
@click.option("--b", "config_b", required=True, help="Method B, e.g. personaco:k=8.")
def create(name: str, items_path: Path, config_a: str, config_b: str) -> None:
    """Create session NAME from an items file and two method configurations."""
    cfg_a, cfg_b = parse_config(config_a), parse_config(config_b)
    bad: list[str] = []
    items = list(batch.read_items(items_path, lambda n, why: bad.append(f"line {n}: {why}")))
    if bad:
        raise PersonacoError(
            f"{items_path} has {len(bad)} bad line(s), first {bad[0]}.",
            "Fix them; nothing was created.",
        )
    rt = open_runtime()
    S.create_session(
        rt.store,
        name,
        [S.EvalItem(it.id, it.query, it.signals) for it in items],
        cfg_a,
        cfg_b,
    )
    click.echo(
        f"Created session {name!r}: {len(items)} items, A = {describe(cfg_a)}, "
        f"B = {describe(cfg_b)}."
    )


@eval_group.command("run")
@click.argument("name")
@click.option("--judge", "judge_kind", type=click.Choice(["external"]), default="external")
@click.option("--judge-base-url", default=None, help="Default: settings judge.base_url.")
@click.option("--judge-model", default=None, help="Default: settings judge.model.")
@click.option("--passes", type=click.IntRange(1, 2), default=1, show_default=True)
def run_cmd(name: str, judge_kind: str, judge_base_url, judge_model, passes: int) -> None:
    """Generate the missing outputs, then judge them if a judge URL is set."""
    rt = open_runtime()
    S.get_session(rt.store, name)  # an unknown name fails before any model loads
    with tqdm(total=None, unit="output", desc="generate", file=sys.stderr) as bar:

        def progress(done: int, total: int, _what: str) -> None:
            bar.total = total
            bar.update(1)

        gen = runner.generate_outputs(rt, name, on_progress=progress)
    click.echo(f"Generated {gen.done} output(s).", err=True)
    j = rt.settings.judge
    base_url = judge_base_url or j.base_url
    if not base_url:
        click.echo("No judge URL set (--judge-base-url or judge.base_url): not judged.", err=True)
        return
    judge = ExternalJudge(
        base_url,
        judge_model or j.model,
        api_key_env=j.api_key_env,
        timeout_s=j.timeout_s,
        concurrency=j.concurrency,
    )
    with judge, tqdm(total=None, unit="verdict", desc="judge", file=sys.stderr) as bar:

        def jprogress(done: int, total: int, _what: str) -> None:
            bar.total = total
            bar.update(1)

        res = runner.judge_session(rt.store, name, judge, passes=passes, on_progress=jprogress)
    click.echo(f"Judged {res.done} pair(s) with {judge.model}.", err=True)


@eval_group.command("status")
@click.argument("name")
def status(name: str) -> None:
    """Items, outputs done per side, judgments done and verdict counts."""
    rt = open_runtime()
    s = S.get_session(rt.store, name)
    pending = S.pending_outputs(rt.store, s.id)
    n = len(s.items)
    rows = S.judgment_rows(rt.store, s.id)
    counts = analysis.counts(r["verdict"] for r in rows)
    click.echo(f"Session {s.name} (created {s.created_at})")
    click.echo(f"  A: {describe(s.config_a)}")
    click.echo(f"  B: {describe(s.config_b)}")
    click.echo(f"Items: {n} ({sum(len(it.signals) for it in s.items)} signals)")
    for side in S.SIDES:
        done = n - sum(1 for p in pending if p.side == side)
        click.echo(f"Outputs {side}: {done}/{n}")
    click.echo(f"Judgments: {len(rows)}")
    click.echo("Verdicts: " + ", ".join(f"{v} {counts[v]}" for v in ALL_VERDICTS))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _win_line(w: analysis.WinRate) -> str:
    return (
        f"A wins {w.wins_a}, B wins {w.wins_b} of {w.n} decisive: A win rate {_pct(w.rate)} "
        f"(95% CI {_pct(w.low)}-{_pct(w.high)}), sign test p = {w.p_value:.4g}"
    )


@eval_group.command("report")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="The whole analysis as JSON.")
def report(name: str, as_json: bool) -> None:
    """Verdict counts, win rate, results by signal length and signal clusters."""
    rt = open_runtime()
    s = S.get_session(rt.store, name)
    rows = S.judgment_rows(rt.store, s.id)
    rep = analysis.analyse(rows)
    if as_json:
        data = {
            "session": s.name,
            "config_a": s.config_a,
            "config_b": s.config_b,
            "judgments": len(rows),
            **dataclasses.asdict(rep),
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"Session {s.name}: A = {describe(s.config_a)}, B = {describe(s.config_b)}")
    click.echo(f"Judgments: {len(rows)}")
    click.echo("Verdicts: " + ", ".join(f"{v} {rep.counts[v]}" for v in ALL_VERDICTS))
    click.echo(_win_line(rep.win))
    click.echo("By signal length (words):")
    for b in rep.by_length:
        click.echo(f"  {b.label}: {sum(b.counts.values())} judgments; {_win_line(b.win)}")
    click.echo("Clusters:")
    for c in rep.clustering.clusters:
        terms = ", ".join(c.top_terms) or "-"
        click.echo(f"  #{c.index} ({c.size} pairs) [{terms}]: {_win_line(c.win)}")
    if rep.clustering.note:
        click.echo(f"  {rep.clustering.note}")


@click.command("export")
@click.argument("name")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jsonl", "jsonl_path", type=click.Path(dir_okay=False, path_type=Path))
def export_cmd(name: str, csv_path: Path | None, jsonl_path: Path | None) -> None:
    """Write session NAME's judgments to a CSV and/or JSONL file."""
    if csv_path is None and jsonl_path is None:
        raise PersonacoError("Nothing to write.", "Give --csv FILE and/or --jsonl FILE.")
    rt = open_runtime()
    rows = S.judgment_rows(rt.store, name)
    for path, write in ((csv_path, export.write_csv), (jsonl_path, export.write_jsonl)):
        if path is not None:
            write(rows, path)
            click.echo(f"Wrote {len(rows)} judgment(s) to {path}.", err=True)
