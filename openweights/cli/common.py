"""What the typer commands share: option types, choices and error helpers.

Choices come from ``openweights.choices`` (typer lists an enum's values and converts to its
members); an option used by more than one command is declared here once. Imports typer: the
fast path (``openweights/cli/entry.py``) never loads this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from openweights.choices import Choice, ListFormat, SourceChoice
from openweights.cli.run import CommandError, write
from openweights.session import EXIT_INPUT, Target

HubFlag = Annotated[
    bool,
    typer.Option("--hub", help="Treat TARGET as a Hub repo id even if a path of that name exists."),
]
Revision = Annotated[
    str | None, typer.Option("--revision", help="Hub revision (branch, tag or commit).")
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token", help="Hub token (default: HF_TOKEN or the client's login).", show_default=False
    ),
]
Offline = Annotated[
    bool, typer.Option("--offline", help="Grade from the Hub's and the forge's caches only.")
]
Online = Annotated[
    bool,
    typer.Option(
        "--online",
        help="For a repo on disk: look its base models and datasets up on the Hub and its code "
        "licenses up on GitHub/GitLab.",
    ),
]
NoForge = Annotated[
    bool,
    typer.Option("--no-forge", help="Do not ask GitHub/GitLab for the license of linked code."),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout", min=0.01, metavar="SECONDS",
        help="Give up on a model whose Hub requests, retries included, take longer (exit 3).",
    ),
]
ConfigFile = Annotated[
    Path | None,
    typer.Option("--config", help="Read this configuration file instead of looking for one."),
]
Isolated = Annotated[bool, typer.Option("--isolated", help="Ignore every configuration file.")]


def _click_class(name: str) -> type[Exception]:
    """typer's click exception class ``name`` (typer 0.26+ bundles its own click; before, it
    used click's). Found from a public class so that either works."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


UsageError = _click_class("UsageError")
"""A usage error: the app prints it as one line and exits 2."""
ClickException = _click_class("ClickException")
"""Any error click reports (usage errors included)."""


def choice_option(
    kind: type[Choice], *decls: str, help: str, **extra: Any
) -> Any:
    """An option taking one of ``kind``'s values in any case (``--fail-under c``,
    ``--format JSON``). Its value reaches the command as the canonical string; a wrong one is a
    usage error saying what is allowed. The usage line lists the values as ``[a|b|c]``."""

    def convert(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(kind.parse(value).value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return typer.Option(*decls, metavar=kind.metavar(), callback=convert, help=help, **extra)


ListFormatOption = Annotated[
    str, choice_option(ListFormat, "--format", "-f", help="Output format.")
]
"""``--format`` of the catalogue commands: text or json."""


def hub_target(
    name: str, hub: bool, revision: str | None, token: str | None, offline: bool
) -> Target:
    """The session target for a TARGET argument and the Hub options."""
    return Target(name, SourceChoice.HUB if hub else SourceChoice.AUTO, revision, token, offline)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print a one-line error and exit."""
    typer.echo(f"owcheck: error: {message}", err=True)
    raise typer.Exit(code)


def emit(text: str, output: Path | None = None) -> None:
    """Write ``text`` to stdout or ``output``; a write error is a one-line error (exit 2)."""
    try:
        write(text, output)
    except CommandError as exc:
        fail(str(exc), exc.exit_code)
