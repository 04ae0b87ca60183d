"""The full command line (typer): every command registered on one app.

``owcheck TARGET`` grades a model (a path, or a Hub repo id); the other commands are
``licenses``, ``license``, ``identify``, ``rules``, ``explain``, ``init``, ``badge``, ``batch``,
``diff`` and ``site``, each in its own module of this package. The console script reaches this
app only when its fast path (``openweights/cli/entry.py``) does not take the arguments. Exit
codes: 0 graded and passed every gate; 1 a gate failed; 2 usage error or unusable input; 3 the
Hub could not be reached (``openweights/session.py``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from openweights import __version__
from openweights.cli.badge import badge_command
from openweights.cli.batch import batch_command
from openweights.cli.catalogue import (
    explain_command,
    identify_command,
    license_command,
    licenses_command,
    rules_command,
)
from openweights.cli.check import check_command
from openweights.cli.common import ClickException, UsageError
from openweights.cli.diff import diff_command
from openweights.cli.init import init_command
from openweights.cli.run import err, guarded
from openweights.cli.site import site_command
from openweights.session import EXIT_INPUT

app = typer.Typer(
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Grade an AI model's weights, training code and training data against the four "
    "freedoms. `owcheck TARGET` checks a model repo on disk or a Hugging Face repo id.",
)
app.command("check")(check_command)
app.command("licenses")(licenses_command)
app.command("license")(license_command)
app.command("identify")(identify_command)
app.command("rules")(rules_command)
app.command("explain")(explain_command)
app.command("init")(init_command)
app.command("badge")(badge_command)
app.command("batch")(batch_command)
app.command("diff")(diff_command)
app.command("site")(site_command)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"owcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version_callback, is_eager=True,
            help="Show the version.",
        ),
    ] = False,
) -> None:
    """owcheck: open-weights license checker and model-card linter."""


def usage_error(exc: Exception) -> str:
    """A usage error as one line: the problem and where to read more."""
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
    message = message.removesuffix(".").replace("Invalid value for", "invalid value for")
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "owcheck"
    return f"owcheck: error: {message} (see '{command} --help')"


def main(args: list[str]) -> None:
    """Run the app on ``args`` (already routed: ``check`` inserted for a bare TARGET). Usage
    errors are one line on standard error and exit 2, not click's boxed four lines."""

    def full() -> int:
        try:
            code = app(args=args, prog_name="owcheck", standalone_mode=False)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `owcheck`: the help
                sys.stdout.write(str(getattr(exc, "format_message", exc.__str__)()) + "\n")
                return EXIT_INPUT
            err(usage_error(exc))
            return EXIT_INPUT
        except ClickException as exc:
            err(f"owcheck: error: {' '.join(str(exc).split())}")
            return int(getattr(exc, "exit_code", EXIT_INPUT))
        return code if isinstance(code, int) else 0

    raise SystemExit(guarded(full))
