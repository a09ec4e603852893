"""`personaco`: with no command it opens the TUI; every TUI action can also be scripted here."""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import PersonacoError
from ..locations import HOME_ENV
from .adherence import adherence
from .ask import ask
from .bench import bench
from .bench_masks import bench_masks
from .common import echo
from .config_cmd import config_group
from .doctor import doctor
from .eval_cmd import eval_group, export_cmd
from .generate import generate
from .history import history_group
from .learned import learned as _learned  # noqa: F401  (registers `profile learned`)
from .models import models_group
from .profile import profile_group
from .profile_io import export_cmd as _profile_export  # noqa: F401  (registers `profile export`)
from .samples import add_sample, style_bench
from .signal import signal_group
from .simulate import simulate
from .suggestions import suggestions


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    help=f"Keep data, config and models under this directory (same as {HOME_ENV}).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Write a debug log (same as PERSONACO_LOG=debug); API keys are cut out of it.",
)
@click.version_option(__version__, "-V", "--version", prog_name="personaco")
@click.pass_context
def cli(ctx: click.Context, home: str | None, debug: bool) -> None:
    """PersonaCo TUI: personalized answers from small local language models."""
    if home:
        os.environ[HOME_ENV] = os.path.abspath(os.path.expanduser(home))
    from .. import logs

    logs.setup("debug" if debug else None)  # None: PERSONACO_LOG decides; off by default
    if ctx.invoked_subcommand is None:
        from ..tui.app import make_app  # Textual loads only when the TUI is wanted

        app = make_app()
        try:
            app.run()
        finally:
            app.rt.close()
        if app.return_code:  # e.g. 129 when the terminal hung up
            ctx.exit(app.return_code)


cli.add_command(doctor)
cli.add_command(models_group)
cli.add_command(profile_group)
profile_group.add_command(suggestions)
profile_group.add_command(add_sample)
cli.add_command(style_bench)
cli.add_command(config_group)
cli.add_command(ask)
cli.add_command(bench)
cli.add_command(bench_masks)
cli.add_command(generate)
cli.add_command(adherence)
cli.add_command(history_group)
cli.add_command(eval_group)
cli.add_command(export_cmd)
cli.add_command(signal_group)
cli.add_command(simulate)


def main(argv: list[str] | None = None) -> int:
    try:
        rc = cli.main(args=argv, prog_name="personaco", standalone_mode=False)
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except PersonacoError as e:
        echo(f"personaco: {e.message}", err=True)
        return e.exit_code
    except KeyboardInterrupt:
        echo("Cancelled.", err=True)
        return 130
    except OSError as e:
        if e.errno == 28:  # ENOSPC
            echo("personaco: the disk is full. Free some space and try again.", err=True)
            return 1
        raise
    return rc if isinstance(rc, int) else 0


def entry() -> None:
    sys.exit(main())
