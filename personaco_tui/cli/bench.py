"""`personaco bench`: the speed benchmark (ratios measured side by side in one run), or with
`--memory` the memory benchmark (resident memory over a long chat session)."""

from __future__ import annotations

import json

import click

from .common import echo, echo_json, open_runtime


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--model", "model_name", default=None, help="Model name or .gguf path (default: configured)."
)
@click.option(
    "--tokens",
    "n_tokens",
    type=click.IntRange(1, 4096),
    default=None,
    help="Tokens per answer [default: 128; 16 with --memory].",
)
@click.option(
    "--k", type=click.IntRange(1, 32), default=None, help="Samples [default: 8; 4 with --memory]."
)
@click.option(
    "--repeats",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="Times each measure is taken, interleaved; the medians are reported. One run on a "
    "shared machine can be off by a third.",
)
@click.option("--no-naive", is_flag=True, help="Skip the slow high-level-API comparison.")
@click.option(
    "--no-native",
    is_flag=True,
    help="With derived weights (model.weights), skip timing the file's own weights too.",
)
@click.option(
    "--memory", is_flag=True, help="Measure resident memory over a long chat session instead."
)
@click.option(
    "--turns",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Turns for --memory.",
)
def bench(as_json, model_name, n_tokens, k, repeats, no_naive, no_native, memory, turns):
    """Time a baseline answer, k batched samples, a PersonaCo turn and a naive turn; or,
    with --memory, sample RSS after each of --turns PersonaCo turns."""
    rt = open_runtime()
    engine = rt.load_engine(model_name)
    log = lambda line: echo(line, err=True)  # noqa: E731
    if memory:
        from ..benchmarks.memory import run_memory

        data = run_memory(
            engine, turns=turns, k=k or 4, max_tokens=n_tokens or 16, log=log
        ).as_dict()
    else:
        from ..benchmarks.speed import run_speed
        from ..catalog.probe import native_runs
        from ..engines.llama import LlamaEngine

        if not isinstance(engine, LlamaEngine):
            from ..errors import EngineError

            raise EngineError(
                "personaco bench measures the in-process llama.cpp engine, and a remote "
                "server is configured.",
                "Name a model: `personaco bench --model smollm2-135m`.",
            )
        native = None
        _, path = rt.model_path(model_name)
        probes = rt.loc.weights_cache / "probes"
        if engine.weights != "native" and not no_native and native_runs(path, probes):
            native = LlamaEngine(path, name=engine.name, options=engine.options)
        try:
            report = run_speed(
                engine,
                n_tokens=n_tokens or 128,
                k=k or 8,
                repeats=repeats,
                naive=not no_naive,
                native=native,
                log=log,
            )
        finally:
            if native is not None:
                native.close()
        data = report.as_dict()
    if as_json:
        echo_json(json.dumps(data))
    else:
        for key, value in data.items():
            echo(f"{key:>20}: {value}")
