"""`personaco eval ...` (pairwise evaluation sessions) and `personaco export`."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path

import click
from tqdm import tqdm

from ..errors import NotFoundError, PersonacoError
from ..evaluation import actions, analysis, export, plots, runner
from ..evaluation import sessions as S
from ..evaluation.configs import describe, parse_config
from ..evaluation.queries import read_queries
from ..evaluation.signals_gen import items_from_queries
from ..evaluation.verdicts import ALL_VERDICTS
from ..runtime import Runtime
from ..store import profiles as P
from ..store.db import DuplicateNameError
from ..terminal_text import neutralise
from .common import echo, echo_json, open_runtime
from .ids import find_profile


@click.group("eval")
def eval_group() -> None:
    """Compare two methods on a set of items, judged pairwise."""


def _items_from_queries(
    rt: Runtime, queries_path: Path, n: int, model: str | None, max_tokens: int
) -> list[S.EvalItem]:
    queries = read_queries(queries_path)  # bad files fail before the model loads
    engine = rt.load_engine(model)

    def skip(key: str, why: str) -> None:
        tqdm.write(neutralise(f"warning: skipped query {key!r}: {why}."), file=sys.stderr)

    with tqdm(total=len(queries), unit="query", desc="signals", file=sys.stderr) as bar:
        items = items_from_queries(
            engine,
            queries,
            n,
            max_tokens=max_tokens,
            on_skip=skip,
            on_progress=lambda _done, _key: _tick(bar),
        )
    if not items:
        raise PersonacoError(
            f"The model gave no usable signal for any of the {len(queries)} queries; "
            "nothing was created.",
            "Try another --signal-model or a larger --signal-max-tokens.",
        )
    return items


@eval_group.command("create")
@click.argument("name")
@click.option(
    "--items",
    "items_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL: one {"id", "query", "signals": [...]} per line; or a .csv file with '
    "columns id, query, signals (a signals cell: a JSON list of strings, or one signal per "
    "line or separated by |; id is optional, q1, q2, ... by default).",
)
@click.option(
    "--queries",
    "queries_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Queries alone, signals written by a model: JSONL {"id", "query"}, CSV with id,query '
    "columns, or plain text with one query per line.",
)
@click.option(
    "--from-history",
    "from_history",
    is_flag=True,
    help="Items from your own past questions, with the profile's enabled signals.",
)
@click.option(
    "--profile", "profile_name", default=None, help="With --from-history (default: active)."
)
@click.option(
    "--last",
    type=click.IntRange(1, 100_000),
    default=None,
    help="With --from-history: the newest N.",
)
@click.option("--a", "config_a", required=True, help="Method A, e.g. baseline.")
@click.option("--b", "config_b", required=True, help="Method B, e.g. personaco:k=8.")
@click.option(
    "--signals-per-query",
    type=click.IntRange(1, 20),
    default=5,
    show_default=True,
    help="With --queries: signals to ask the model for per query.",
)
@click.option(
    "--signal-model", default=None, help="With --queries: the model that writes the signals."
)
@click.option(
    "--signal-max-tokens",
    type=click.IntRange(8, 4096),
    default=256,
    show_default=True,
    help="With --queries: the longest answer the model may give per query.",
)
def create(
    name: str,
    items_path: Path | None,
    queries_path: Path | None,
    from_history: bool,
    profile_name: str | None,
    last: int | None,
    config_a: str,
    config_b: str,
    signals_per_query: int,
    signal_model: str | None,
    signal_max_tokens: int,
) -> None:
    """Create session NAME from an items file, queries alone, or your own past questions
    (--from-history [--profile P] [--last N]), and two configurations."""
    sources = (items_path is not None) + (queries_path is not None) + from_history
    if sources != 1:
        raise PersonacoError("Give exactly one of --items FILE, --queries FILE, --from-history.")
    if not from_history and (profile_name is not None or last is not None):
        raise PersonacoError("--profile and --last go with --from-history.")
    if from_history:
        rt = open_runtime()
        profile = (
            find_profile(rt, profile_name) if profile_name else P.ensure_default_profile(rt.store)
        )
        made = actions.create_from_history(
            rt.store, name, profile.id, config_a, config_b, last=last
        )
        echo(
            f"Created session {name!r}: {made.items} items from {profile.name}'s questions, "
            f"A = {describe(made.config_a)}, B = {describe(made.config_b)}."
        )
        return
    if items_path is not None:
        rt = open_runtime()
        made = actions.create_from_items_file(rt.store, name, items_path, config_a, config_b)
        echo(
            f"Created session {name!r}: {made.items} items, A = {describe(made.config_a)}, "
            f"B = {describe(made.config_b)}."
        )
        return
    assert queries_path is not None
    cfg_a, cfg_b = parse_config(config_a), parse_config(config_b)
    rt = open_runtime()
    try:  # the name is checked before the model spends minutes on signals
        S.get_session(rt.store, name)
    except NotFoundError:
        pass
    else:
        raise DuplicateNameError(
            f"An evaluation session named {name.strip()!r} already exists.",
            "Pick another name.",
        )
    items = _items_from_queries(
        rt, queries_path, signals_per_query, signal_model, signal_max_tokens
    )
    S.create_session(rt.store, name, items, cfg_a, cfg_b)
    echo(
        f"Created session {name!r}: {len(items)} items, A = {describe(cfg_a)}, "
        f"B = {describe(cfg_b)}."
    )


@eval_group.command("run")
@click.argument("name")
@click.option(
    "--judge",
    "judge_kind",
    type=click.Choice(["external", "verifiable"]),
    default="external",
    show_default=True,
    help="external: an OpenAI-compatible server; verifiable: the IFEval checkers, no API.",
)
@click.option("--judge-base-url", default=None, help="Default: settings judge.base_url.")
@click.option("--judge-model", default=None, help="Default: settings judge.model.")
@click.option("--passes", type=click.IntRange(1, 2), default=1, show_default=True)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Judge requests at once. Default: settings judge.concurrency (1 for verifiable).",
)
@click.option(
    "--retry-errors",
    is_flag=True,
    help="Judge again the cells stored as INVALID because the request failed.",
)
def run_cmd(
    name: str,
    judge_kind: str,
    judge_base_url,
    judge_model,
    passes: int,
    concurrency: int | None,
    retry_errors: bool,
) -> None:
    """Generate the missing outputs, then judge them (external: if a judge URL is set)."""
    rt = open_runtime()
    S.get_session(rt.store, name)  # an unknown name fails before any model loads
    judge = actions.make_judge(  # fails early
        rt.settings.judge, judge_kind, judge_base_url, judge_model, concurrency
    )
    with tqdm(total=None, unit="output", desc="generate", file=sys.stderr) as bar:

        def progress(done: int, total: int, _what: str) -> None:
            bar.total = total
            bar.update(1)

        gen = runner.generate_outputs(rt, name, on_progress=progress)
    echo(f"Generated {gen.done} output(s).", err=True)
    if judge is None:
        echo("No judge URL set (--judge-base-url or judge.base_url): not judged.", err=True)
        return
    with judge, tqdm(total=None, unit="verdict", desc="judge", file=sys.stderr) as bar:

        def jprogress(done: int, total: int, _what: str) -> None:
            bar.total = total
            bar.update(1)

        res = runner.judge_session(
            rt.store,
            name,
            judge,
            passes=passes,
            concurrency=concurrency,
            retry_errors=retry_errors,
            on_progress=jprogress,
        )
    echo(f"Judged {res.done} pair(s) with {judge.model}.", err=True)
    if res.errors:
        echo(
            f"{res.errors} request(s) failed and were stored as INVALID (last: "
            f"{res.last_error.rstrip('.')}). Run again with --retry-errors to redo them.",
            err=True,
        )


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
    echo(f"Session {s.name} (created {s.created_at})")
    echo(f"  A: {describe(s.config_a)}")
    echo(f"  B: {describe(s.config_b)}")
    echo(f"Items: {n} ({sum(len(it.signals) for it in s.items)} signals)")
    for side in S.SIDES:
        done = n - sum(1 for p in pending if p.side == side)
        echo(f"Outputs {side}: {done}/{n}")
    echo(f"Judgments: {len(rows)}")
    echo("Verdicts: " + ", ".join(f"{v} {counts[v]}" for v in ALL_VERDICTS))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _win_line(w: analysis.WinRate) -> str:
    return (
        f"A wins {w.wins_a}, B wins {w.wins_b} of {w.n} decisive: A win rate {_pct(w.rate)} "
        f"(95% CI {_pct(w.low)}-{_pct(w.high)}), sign test p = {w.p_value:.4g}"
    )


def default_report_dir(session_name: str) -> Path:
    """`./<session name>-report`, the name made safe for any file system."""
    safe = re.sub(r"[^\w.-]+", "_", session_name.strip()).strip("._") or "session"
    return Path.cwd() / f"{safe[:100]}-report"


@eval_group.command("report")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="The whole analysis as JSON.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the PNG figures and summary.csv. Default: ./NAME-report.",
)
@click.option("--no-files", is_flag=True, help="Print only; write no figures or CSV.")
def report(name: str, as_json: bool, out_dir: Path | None, no_files: bool) -> None:
    """Verdict counts, win rate, results by signal length and signal clusters; the Figure 2
    plots (verdicts.png, win_rate_by_length.png, clusters_pca.png) and summary.csv."""
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
        echo_json(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(s, rows, rep)
    if no_files:
        return
    if not rows:
        echo(
            f"Session {s.name} has no judgments yet: no figures written. "
            f"Run `personaco eval run {s.name}` first.",
            err=True,
        )
        return
    folder = out_dir if out_dir is not None else default_report_dir(s.name)
    paths = plots.write_report_files(rep, folder, title=s.name)
    echo(f"Wrote {', '.join(p.name for p in paths)} to {folder}.", err=True)


def _print_report(s: S.Session, rows: list, rep: analysis.Report) -> None:
    echo(f"Session {s.name}: A = {describe(s.config_a)}, B = {describe(s.config_b)}")
    echo(f"Judgments: {len(rows)}")
    echo("Verdicts: " + ", ".join(f"{v} {rep.counts[v]}" for v in ALL_VERDICTS))
    echo(_win_line(rep.win))
    echo("By signal length (words):")
    for b in rep.by_length:
        echo(f"  {b.label}: {sum(b.counts.values())} judgments; {_win_line(b.win)}")
    echo("Clusters:")
    for c in rep.clustering.clusters:
        terms = ", ".join(c.top_terms) or "-"
        echo(f"  #{c.index} ({c.size} pairs) [{terms}]: {_win_line(c.win)}")
    if rep.clustering.note:
        echo(f"  {rep.clustering.note}")


@click.command("export")
@click.argument("name")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--jsonl", "jsonl_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path)
)
def export_cmd(name: str, csv_path: Path | None, jsonl_path: Path | None) -> None:
    """Write session NAME's judgments to a CSV and/or JSONL file; - is standard output."""
    if csv_path is None and jsonl_path is None:
        raise PersonacoError("Nothing to write.", "Give --csv FILE and/or --jsonl FILE.")
    if str(csv_path) == export.STDOUT and str(jsonl_path) == export.STDOUT:
        raise PersonacoError(
            "--csv - and --jsonl - would mix two formats on standard output.",
            "Send at most one of them to -.",
        )
    if (
        csv_path is not None
        and jsonl_path is not None
        and str(csv_path) != export.STDOUT
        and os.path.realpath(csv_path) == os.path.realpath(jsonl_path)
    ):
        raise PersonacoError(
            f"--csv and --jsonl both name {csv_path}: the second would replace the first.",
            "Give each format its own file.",
        )
    rt = open_runtime()
    rows = S.judgment_rows(rt.store, name)
    for path in export.write_exports(rows, csv_path, jsonl_path):
        where = "standard output" if str(path) == export.STDOUT else path
        echo(f"Wrote {len(rows)} judgment(s) to {where}.", err=True)


def _tick(bar: tqdm) -> None:
    bar.update(1)
