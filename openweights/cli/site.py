"""``owcheck site REPORTS.jsonl -o DIR``: a static openness index from batch reports.

The work (reading and checking the reports, rendering, writing) is ``openweights/site/``;
this module only turns its result into messages and an exit code. Bad lines are skipped and
named, the site is built from the rest, and the exit code is then 2, as for ``owcheck batch``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from openweights.cli.common import fail
from openweights.session import EXIT_INPUT, EXIT_OK

MAX_PROBLEM_LINES = 20
"""Skipped input lines named one by one on standard error; the rest are counted."""


def site_command(
    reports: Annotated[
        list[Path],
        typer.Argument(help="JSONL files of reports (from owcheck batch); - for standard input."),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Directory to write the site to (new, empty, or an "
                                            "earlier owcheck site)."),
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="Title of the index page.", show_default=False)
    ] = None,
    hub_url: Annotated[
        str | None,
        typer.Option("--hub-url", help="Base URL of the Hub in links, for a mirror (default: "
                                       "huggingface.co).", show_default=False),
    ] = None,
) -> None:
    """Build a static openness index: index.html and one page per model."""
    from openweights.site import (
        DEFAULT_HUB_URL,
        DEFAULT_TITLE,
        SiteInputError,
        SiteOutputError,
        make_site,
    )

    if hub_url is not None and not hub_url.lower().startswith(("https://", "http://")):
        fail(f"--hub-url must be an http(s) URL, not {hub_url!r}")
    try:
        result = make_site(reports, output, title=title or DEFAULT_TITLE,
                           hub_url=hub_url or DEFAULT_HUB_URL, stdin=sys.stdin)
    except (SiteInputError, SiteOutputError) as exc:
        fail(str(exc))
    for problem in result.problems[:MAX_PROBLEM_LINES]:
        typer.echo(f"owcheck: error: {problem}", err=True)
    if len(result.problems) > MAX_PROBLEM_LINES:
        typer.echo(f"owcheck: error: ... and {len(result.problems) - MAX_PROBLEM_LINES} more "
                   "bad lines", err=True)
    if not result.written:
        fail("no usable report in the input; nothing written")
    notes = [f"{len(result.problems)} bad line(s) skipped"] if result.problems else []
    if result.replaced:
        notes.append(f"{result.replaced} older report(s) replaced by a later one")
    if result.removed:
        notes.append(f"{result.removed} page(s) of models no longer listed removed")
    typer.echo(f"owcheck: site: {result.models} model(s) -> {output}/index.html"
               + (f" ({'; '.join(notes)})" if notes else ""), err=True)
    raise typer.Exit(EXIT_INPUT if result.problems else EXIT_OK)
