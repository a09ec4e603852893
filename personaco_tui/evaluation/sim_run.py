"""Running a simulation end to end and drawing its learning curve (terminal and PNG).

`run_simulation` generates (or reuses) the candidates, prepares every turn once, then runs
the users not yet in users.jsonl / proposals.jsonl (resumable after a kill), and writes
results.json and curve.png in the run's folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.learning import FEATURES
from ..engines.base import CancelToken, Engine
from ..errors import PersonacoError
from ..store.names import clean_name
from . import sim_candidates as SC
from . import simulate as SIM
from .export import write_bytes
from .sim_users import User, scorers

LINES = (("learned", "learned"), ("no_learning", "no learning"), ("random", "random pick"))
COLOURS = {"learned": "#1f77b4", "no_learning": "#ff7f0e", "random": "#7f7f7f"}


@dataclass
class SimSettings:
    name: str = "default"
    users: int = 100
    hidden_users: int = 60
    alpha: float = 0.5
    n_test: int = 25
    proposal_turns: int = 20
    l2: float = 1.0
    seed: int = 0

    def key(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "n_test": self.n_test,
            "l2": self.l2,
            "seed": self.seed,
            "proposal_turns": self.proposal_turns,
        }


def run_dir(data_dir: Path, name: str) -> Path:
    return data_dir / "simulate" / run_name(name)


def run_name(name: str) -> str:
    """`name` as a run's folder name: a name as profiles have them (store/names.py), and one
    folder under data/simulate, never a path out of it."""
    name = clean_name(name, "simulation run")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise PersonacoError(
            f"The simulation run name {name!r} would not be one folder under data/simulate.",
            "Use a name without slashes that does not start with a dot.",
        )
    return name


def _checked_settings(
    folder: Path, s: SimSettings, spec: SC.TurnSpec, scorer_names: list[str], qids: list[str]
) -> None:
    """A run folder keeps one set of settings and turns: users of two never mix."""
    path = folder / "settings.json"
    turns = hashlib.sha256("\n".join(qids).encode()).hexdigest()[:16]
    want = {
        **s.key(),
        **spec.key(),
        "scorers": scorer_names,
        "turns": turns,
        "features": sorted(FEATURES),
    }  # another learner: other users' results
    if path.exists():
        have = json.loads(path.read_text(encoding="utf-8"))
        if have != want:
            raise PersonacoError(
                f"The simulation {s.name!r} was run with {have}, not {want}.",
                "Use another --name, or delete its folder to start again.",
            )
    else:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(want, sort_keys=True), encoding="utf-8")


def _too_few(n: int, n_test: int) -> PersonacoError:
    return PersonacoError(
        f"{n} queries are too few for a test set of {n_test}.",
        "Give more queries or a smaller --test.",
    )


def run_simulation(
    engine: Callable[[], Engine],
    queries: list[tuple[str, str]],
    data_dir: Path,
    s: SimSettings,
    spec: SC.TurnSpec,
    *,
    checkers: Any = None,
    generate_missing: bool = True,
    on_progress: Callable[[str, int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> SIM.SimResult:
    folder = run_dir(data_dir, s.name)
    named = scorers(checkers)
    names = list(named)
    if len(queries) <= s.n_test:  # before any folder is made or turn generated
        raise _too_few(len(queries), s.n_test)
    cache = folder / "candidates.jsonl"
    have = SC.read_cache(cache, spec)
    if generate_missing and any(qid not in have for qid, _ in queries):
        folder.mkdir(parents=True, exist_ok=True)
        report = (lambda n, t: on_progress("generating", n, t)) if on_progress else None
        have = SC.generate(engine(), queries, cache, spec, on_done=report, cancel=cancel)
    gens = [(qid, have[qid]) for qid, _ in queries if qid in have]
    if len(gens) <= s.n_test:
        raise _too_few(len(gens), s.n_test)
    _checked_settings(folder, s, spec, names, [qid for qid, _ in gens])
    turns = [SIM.Turn.of(qid, g, named) for qid, g in gens]
    curves = _resume(
        folder / "users.jsonl",
        SIM.draw_users(names, s.users, s.alpha, s.seed),
        lambda u: SIM.curve_for(u, names, turns, s.n_test, s.seed, s.l2),
        "users",
        on_progress,
    )
    kinds = SIM.usable_hidden(names, turns)
    hidden = SIM.draw_hidden_users(names, s.hidden_users, s.alpha, s.seed, kinds)
    props = _resume(
        folder / "proposals.jsonl",
        hidden,
        lambda u: SIM.proposals_for(u, names, turns, s.proposal_turns, s.seed),
        "proposal users",
        on_progress,
    )
    settings = {
        **s.key(),
        **spec.key(),
        "queries": len(turns),
        "scorers": names,
        "checkpoints": list(SIM.CHECKPOINTS),
        "min_choices": SIM.MIN_CHOICES,
        "training_pool": len(turns) - s.n_test,
        # more picks than the pool holds: a user picks on some turns again (see _stream)
        "picks_reuse_turns": max(SIM.CHECKPOINTS) > len(turns) - s.n_test,
        "hidden_kinds": kinds,
        "hidden_share": SIM.HIDDEN_SHARE,
    }
    result = SIM.summarise(curves, props, settings)
    (folder / "results.json").write_text(
        json.dumps(result.to_json(), indent=2, sort_keys=True), encoding="utf-8"
    )
    write_bytes(curve_png(result, s.name), folder / "curve.png")
    return result


def _resume(
    path: Path,
    users: list[User],
    run: Callable[[User], dict[str, Any]],
    what: str,
    on_progress: Callable[[str, int, int], None] | None,
) -> list[dict[str, Any]]:
    done = {line["uid"]: line for line in SIM.load_lines(path)}
    with path.open("a", encoding="utf-8") as fh:
        for n, u in enumerate(users, 1):
            if u.uid not in done:
                done[u.uid] = run(u)
                fh.write(json.dumps(done[u.uid]) + "\n")
                fh.flush()
            if on_progress:
                on_progress(what, n, len(users))
    return [done[u.uid] for u in users]


def _series(result: SIM.SimResult, line: str) -> tuple[list[int], list[list[float]]]:
    pts = result.curve.get(line, {})
    ns = sorted(int(n) for n in pts)
    return ns, [pts[str(n)] for n in ns]


def curve_table(result: SIM.SimResult) -> list[str]:
    """The curve as text lines: picks, then each line's mean [95 % interval]."""
    ns, _ = _series(result, "learned")
    head = "picks        " + "".join(f"{n:>20}" for n in ns)
    rows = [head]
    for line, label in LINES:
        _, vals = _series(result, line)
        cells = "".join(f"{100 * m:>8.1f} [{100 * lo:4.1f},{100 * hi:5.1f}]" for m, lo, hi in vals)
        rows.append(f"{label:<13}{cells}")
    return rows


def terminal_plot(result: SIM.SimResult, width: int = 80, height: int = 20) -> str:
    """The curve drawn with plotext (a line per series, its points marked), and a legend
    under it."""
    import plotext as plt
    from plotext import marker

    plt.terminal.limit(False, False)
    fig = plt.figure
    fig.clear()
    fig.plot_size(width, height)
    fig.theme("simple")
    fig.title("% of test turns where the default pick is the user's favourite")
    marks = {"learned": "●", "no_learning": "■", "random": "·"}
    for line, _label in LINES:
        ns, vals = _series(result, line)
        ys = [100 * v[0] for v in vals]
        for a, b, ya, yb in zip(ns, ns[1:], ys, ys[1:], strict=False):
            fig.draw(fig.segment([a, b], [ya, yb], marker=marker(marks[line])))
        fig.draw(fig.signal(ns, ys, marker=marker(marks[line])))
    ns, _ = _series(result, "learned")
    if ns:
        fig.ruler("x").ticks(ns, [str(n) for n in ns])
    fig.ruler("y").lim(0, 100)
    fig.ruler("y").ticks([0, 25, 50, 75, 100])
    legend = "   ".join(f"{marks[line]} {label}" for line, label in LINES)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(fig.build().string()))  # echo shows no ANSI
    return plain + "\n" + legend + "   (x: picks the user made)"


def curve_png(result: SIM.SimResult, name: str) -> bytes:
    from .plots import _figure, png_bytes

    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    for line, label in LINES:
        ns, vals = _series(result, line)
        ax.plot(ns, [100 * v[0] for v in vals], marker="o", label=label, color=COLOURS[line])
        ax.fill_between(
            ns,
            [100 * v[1] for v in vals],
            [100 * v[2] for v in vals],
            alpha=0.2,
            color=COLOURS[line],
        )
    ax.set_xlabel("picks the user made")
    ax.set_ylabel("% of test turns: default pick is the user's favourite")
    ax.set_ylim(0, 100)
    ax.set_title(f"{name}: {result.n_users} simulated users (95% bootstrap intervals)")
    ax.legend(loc="best", fontsize=8)
    return png_bytes(fig)
