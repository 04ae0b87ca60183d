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
from openweights.cli.common import ConfigFile, HubFlag, Isolated, Offline, Revision, Token
from openweights.cli.run import CheckOptions, run_check


def check_command(
    target: Annotated[
        str,
        typer.Argument(
            help="Model repo directory, card file, or Hub repo id (ORG/NAME or ORG/NAME@REV)."
        ),
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TEXT,
    fail_under: Annotated[
        Letter | None,
        typer.Option("--fail-under", help="Exit 1 when the grade is worse than this."),
    ] = None,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rules (codes or prefixes, e.g. OW2)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip these rules (codes or prefixes).")
    ] = None,
    hub: HubFlag = False,
    revision: Revision = None,
    token: Token = None,
    offline: Offline = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    color: Annotated[
        ColorMode, typer.Option("--color", help="Colour the text scorecard.")
    ] = ColorMode.AUTO,
    extend_select: Annotated[
        list[str] | None,
        typer.Option("--extend-select", help="Run these rules too, on top of the selection."),
    ] = None,
    config: ConfigFile = None,
    isolated: Isolated = False,
) -> None:
    """Grade one model and lint its card."""
    opts = CheckOptions(
        target=target,
        fmt=fmt,
        fail_under=fail_under,
        fail_on=fail_on,
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore) if ignore is not None else None,
        extend_select=tuple(extend_select) if extend_select is not None else None,
        hub=hub,
        revision=revision,
        token=token,
        offline=offline,
        output=output,
        color=color,
        config=config,
        isolated=isolated,
    )
    raise typer.Exit(run_check(opts))
