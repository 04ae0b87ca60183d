"""``owcheck check TARGET`` (the default command: ``owcheck TARGET``).

Declares the options for typer and hands them to ``openweights.cli.run.run_check``; the
console script's fast path (``openweights/cli/entry.py``) parses the same options without
typer, and a test keeps the two equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openweights.choices import ColorMode, Format, Letter, Severity
from openweights.cli.common import (
    ConfigFile,
    HubFlag,
    Isolated,
    NoForge,
    Offline,
    Online,
    Revision,
    Timeout,
    Token,
    UsageError,
    choice_option,
)
from openweights.cli.run import CheckOptions, run_check
from openweights.sources import DEFAULT_TIMEOUT


def check_command(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="TARGET",
            help="Model repo directory, card file, or Hub repo id (ORG/NAME or ORG/NAME@REV).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, choice_option(Format, "--format", "-f", help="Output format.")
    ] = Format.TEXT.value,
    fail_under: Annotated[
        str | None,
        choice_option(Letter, "--fail-under", help="Exit 1 when the grade is worse than this."),
    ] = None,
    fail_on: Annotated[
        str | None,
        choice_option(Severity, "--fail-on",
                      help="Exit 1 when a finding has this severity or worse."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="CODES",
                     help="Only these rules (codes or prefixes, comma-separated, e.g. OW2,OW301)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="CODES",
                     help="Skip these rules (codes or prefixes, comma-separated)."),
    ] = None,
    hub: HubFlag = False,
    revision: Revision = None,
    token: Token = None,
    offline: Offline = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    color: Annotated[
        str, choice_option(ColorMode, "--color", help="Colour the text scorecard.")
    ] = ColorMode.AUTO.value,
    extend_select: Annotated[
        list[str] | None,
        typer.Option("--extend-select", metavar="CODES",
                     help="Run these rules too, on top of the selection."),
    ] = None,
    config: ConfigFile = None,
    isolated: Isolated = False,
    quiet: Annotated[
        int, typer.Option("--quiet", "-q", count=True,
                          help="Less output: -q one line per finding, -qq nothing.",
                          show_default=False)
    ] = 0,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True,
                          help="More output: -v adds the evidence behind each verdict.",
                          show_default=False)
    ] = 0,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when a gate fails.")
    ] = False,
    show_settings: Annotated[
        bool, typer.Option("--show-settings",
                           help="Print the settings in force and where each came from; exit.")
    ] = False,
    online: Online = False,
    no_forge: NoForge = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Grade one model and lint its card."""
    if target is None and not show_settings:
        raise UsageError("missing argument TARGET")
    opts = CheckOptions(
        target=target,
        fmt=Format(fmt),
        fail_under=Letter(fail_under) if fail_under else None,
        fail_on=Severity(fail_on) if fail_on else None,
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore) if ignore is not None else None,
        extend_select=tuple(extend_select) if extend_select is not None else None,
        hub=hub,
        revision=revision,
        token=token,
        offline=offline,
        output=output,
        color=ColorMode(color),
        config=config,
        isolated=isolated,
        quiet=quiet,
        verbose=verbose,
        exit_zero=exit_zero,
        show_settings=show_settings,
        online=online,
        no_forge=no_forge,
        timeout=timeout,
    )
    raise typer.Exit(run_check(opts))
