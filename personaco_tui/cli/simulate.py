"""`personaco simulate`: learning curves on simulated users (see evaluation/simulate.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from ..errors import PersonacoError
from ..evaluation import sim_candidates as SC
from ..evaluation import sim_run as R
from ..evaluation.sim_queries import QUERIES
from .common import echo, open_runtime
from .ids import SEED


def _queries(path: Path | None) -> list[tuple[str, str]]:
    if path is None:
        return [(f"q{i}", q) for i, q in enumerate(QUERIES, 1)]
    from ..evaluation.queries import read_queries

    return read_queries(path)


@click.command("simulate")
@click.option("--name", default="default", show_default=True, help="The run (its folder).")
@click.option("--users", type=click.IntRange(1, 100000), default=100, show_default=True)
@click.option(
    "--hidden-users",
    type=click.IntRange(0, 100000),
    default=60,
    show_default=True,
    help="Users with one hidden checkable preference (proposal precision).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, min_open=True),
    default=0.5,
    show_default=True,
    help="Dirichlet concentration of each user's mix of scorers.",
)
@click.option(
    "--test",
    "n_test",
    type=click.IntRange(1),
    default=25,
    show_default=True,
    help="Test turns per user (the rest are the picks it learns from).",
)
@click.option("--proposal-turns", type=click.IntRange(1), default=20, show_default=True)
@click.option(
    "--queries",
    "queries_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Query file (default: the built-in 80 queries).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Use the first N queries.")
@click.option("--k", type=click.IntRange(2, 32), default=8, show_default=True)
@click.option("--max-tokens", type=click.IntRange(1, 32768), default=192, show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--l2", type=click.FloatRange(0, min_open=True), default=1.0, show_default=True)
@click.option(
    "--png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also copy the curve's PNG here.",
)
@click.option("--no-plot", is_flag=True, help="No terminal plot, only the table.")
@click.option("--cached-only", is_flag=True, help="Use only the turns this run already generated.")
@click.option("--no-ifeval", is_flag=True, help="Leave the IFEval scorers out of the users.")
def simulate(
    name,
    users,
    hidden_users,
    alpha,
    n_test,
    proposal_turns,
    queries_path,
    limit,
    k,
    max_tokens,
    seed,
    l2,
    png,
    no_plot,
    cached_only,
    no_ifeval,
):
    """Simulated users pick their favourite candidates; learning curves of the pick.

    Candidates come from real turns of the configured model (made once, cached in the run's
    folder); results are stored there and a rerun resumes."""
    name = R.run_name(name)  # before any folder is made or turn generated
    queries = _queries(queries_path)[:limit]
    if not queries:
        raise PersonacoError("There are no queries.", "Give a --queries file with some.")
    rt = open_runtime()
    checkers = None
    if not no_ifeval:
        try:
            from ..evaluation.ifeval import Checkers

            checkers = Checkers("Simulated users")
        except PersonacoError as e:
            echo(f"{e.message} The IFEval scorers are left out (--no-ifeval).", err=True)

    def progress(what: str, n: int, total: int) -> None:
        if what == "generating" or n == total:
            print(
                f"\r{what}: {n}/{total}",
                end="\n" if n == total else "",
                file=sys.stderr,
                flush=True,
            )

    settings = R.SimSettings(name, users, hidden_users, alpha, n_test, proposal_turns, l2, seed)
    spec = SC.TurnSpec(k=k, max_tokens=max_tokens, seed=seed)
    result = R.run_simulation(
        lambda: rt.engine or rt.load_engine(),
        queries,
        rt.loc.data_dir,
        settings,
        spec,
        checkers=checkers,
        on_progress=progress,
        generate_missing=not cached_only,
    )
    if not no_plot:
        echo(R.terminal_plot(result))
    for line in R.curve_table(result):
        echo(line)
    if result.precision is not None:
        m, lo, hi = result.precision
        echo(
            f"proposal precision {100 * m:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}] over "
            f"{result.n_proposals} proposals to {result.n_hidden_users} users; "
            f"recall {100 * (result.recall or 0):.1f}%"
        )
    else:
        echo(f"no proposals made to {result.n_hidden_users} users")
    folder = R.run_dir(rt.loc.data_dir, name)
    if png is not None:
        shutil.copyfile(folder / "curve.png", png)
    echo(f"stored in {folder} (results.json, curve.png)")
