"""Running `owcheck TARGET`: the check command's work, free of the argument parser.

Both the full command line (typer, ``openweights.cli``) and the fast path of the console
script (argparse, ``openweights.entry``) parse into ``CheckOptions`` and call ``run_check``.
Keeping typer off the pre-commit path saves most of the start-up time.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openweights.config import Settings
    from openweights.sources import Bundle

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_HUB = 0, 1, 2, 3
GRADES = ("A", "B", "C", "D", "F")
LEVELS = ("error", "warning", "info")
COLOR_MODES = ("auto", "always", "never")
REPO_ID = re.compile(
    r"^(?:https?://(?:www\.)?huggingface\.co/)?[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?"
    r"(?:@[\w./-]+)?/?$"
)


class CommandError(Exception):
    """A one-line error for the user, with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class CheckOptions:
    """The options of `owcheck TARGET`, parsed."""

    target: str
    """Path or Hub repo id."""
    fmt: str = "text"
    """Output format."""
    fail_under: str | None = None
    """Grade gate."""
    fail_on: str | None = None
    """Severity gate."""
    select: tuple[str, ...] | None = None
    """Rule selectors (None: from the config, else all)."""
    ignore: tuple[str, ...] | None = None
    """Rule selectors to skip."""
    extend_select: tuple[str, ...] | None = None
    """Rule selectors to add."""
    hub: bool = False
    """Treat TARGET as a Hub id even if such a path exists."""
    revision: str | None = None
    """Hub revision."""
    token: str | None = None
    """Hub token."""
    offline: bool = False
    """Hub cache only."""
    output: Path | None = None
    """Write the report here instead of stdout."""
    color: str = "auto"
    """auto / always / never."""
    config: Path | None = None
    """Explicit configuration file."""
    isolated: bool = False
    """Ignore configuration files."""


def err(message: str) -> None:
    """One line to standard error."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def write(text: str, output: Path | None) -> None:
    """The rendered report to stdout or ``output``."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None


def want_color(mode: str) -> bool:
    """Whether the text scorecard gets ANSI colours."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR") is not None:
        return False
    return os.environ.get("FORCE_COLOR") is not None or sys.stdout.isatty()


def is_local(target: str, force_hub: bool) -> bool:
    """An existing path wins over a repo id, unless --hub is given."""
    return not force_hub and (Path(target).exists() or target in (".", ".."))


def settings_for(target: str, force_hub: bool, config: Path | None, isolated: bool) -> Settings:
    """The configuration for ``target``: found from the model repo, or from the working
    directory for a Hub id."""
    from openweights.config import resolve_settings

    start = Path(target) if is_local(target, force_hub) else Path.cwd()
    return resolve_settings(start, config, isolated)


def fetch(
    target: str, force_hub: bool, revision: str | None, token: str | None, offline: bool
) -> Bundle:
    """Pick the source and fetch; the hub client is imported only for a Hub id."""
    from openweights.sources import InputError

    if is_local(target, force_hub):
        from openweights.sources.local import LocalSource

        return LocalSource().fetch(target)
    if not REPO_ID.match(target):
        raise InputError(f"no such file or directory, and not a Hub repo id: {target}")
    from openweights.sources.hub import HubSource

    return HubSource(revision=revision, token=token, offline=offline).fetch(target)


def run_check(opts: CheckOptions) -> int:
    """Grade one model, print the report, and return the exit code."""
    from openweights.config import ConfigError, check_with, gate_failures
    from openweights.sources import SourceError

    try:
        settings = settings_for(opts.target, opts.hub, opts.config, opts.isolated).override(
            select=list(opts.select) if opts.select is not None else None,
            extend_select=list(opts.extend_select) if opts.extend_select is not None else None,
            ignore=list(opts.ignore) if opts.ignore is not None else None,
            fail_under=opts.fail_under,
            fail_on=opts.fail_on,
        )
        settings.selected()
        bundle = fetch(opts.target, opts.hub, opts.revision, opts.token, opts.offline)
    except (ConfigError, SourceError) as exc:
        code = exc.exit_code if isinstance(exc, SourceError) else EXIT_INPUT
        err(f"owcheck: error: {exc}")
        return code
    report = check_with(bundle, settings)
    try:
        if opts.fmt == "text":
            from openweights.formats.text import render as render_text

            write(render_text(report, color=want_color(opts.color) and opts.output is None),
                  opts.output)
        else:
            from openweights.formats import renderer

            write(renderer(opts.fmt)(report), opts.output)
    except CommandError as exc:
        err(f"owcheck: error: {exc}")
        return exc.exit_code
    failures = gate_failures(report, settings)
    for reason in failures:
        err(f"owcheck: gate failed: {reason}")
    return EXIT_GATE if failures else EXIT_OK
