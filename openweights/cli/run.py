"""Running `owcheck TARGET`: the check command's work, free of any argument parser.

Both the typer ``check`` command (``openweights/cli/check.py``) and the console script's fast
path (``openweights/cli/entry.py``, a small table-driven parser) parse into ``CheckOptions``
and call ``run_check``, which runs one session (``openweights/session.py``), writes the
rendered report and reports the gates. Nothing here imports typer: this is the pre-commit path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openweights.choices import ColorMode, Format, Letter, Severity, SourceChoice
from openweights.session import EXIT_INPUT, Overrides, Target


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
    fmt: Format = Format.TEXT
    """Output format."""
    fail_under: Letter | None = None
    """Grade gate."""
    fail_on: Severity | None = None
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
    color: ColorMode = ColorMode.AUTO
    """auto / always / never."""
    config: Path | None = None
    """Explicit configuration file."""
    isolated: bool = False
    """Ignore configuration files."""

    def session_target(self) -> Target:
        """What the session grades."""
        source = SourceChoice.HUB if self.hub else SourceChoice.AUTO
        return Target(self.target, source, self.revision, self.token, self.offline)

    def overrides(self) -> Overrides:
        """The settings given as options."""
        return Overrides(self.select, self.extend_select, self.ignore, self.fail_under,
                         self.fail_on)


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


def want_color(mode: ColorMode) -> bool:
    """Whether the text scorecard gets ANSI colours."""
    if mode is ColorMode.ALWAYS:
        return True
    if mode is ColorMode.NEVER or os.environ.get("NO_COLOR") is not None:
        return False
    return os.environ.get("FORCE_COLOR") is not None or sys.stdout.isatty()


def run_check(opts: CheckOptions) -> int:
    """Grade one model, print the report, and return the exit code."""
    from openweights import session
    from openweights.formats import FormatError, renderer

    try:
        outcome = session.run(opts.session_target(), opts.config, opts.isolated,
                              opts.overrides())
    except session.ERRORS as exc:
        err(f"owcheck: error: {exc}")
        return exc.exit_code
    try:
        if opts.fmt is Format.TEXT:
            from openweights.formats.text import render as render_text

            color = want_color(opts.color) and opts.output is None
            write(render_text(outcome.report, color=color), opts.output)
        else:
            write(renderer(opts.fmt)(outcome.report), opts.output)
    except (CommandError, FormatError) as exc:
        err(f"owcheck: error: {exc}")
        return exc.exit_code
    for reason in outcome.gate_failures:
        err(f"owcheck: gate failed: {reason}")
    return outcome.exit_code


def guarded(call: Callable[[], int], token: str | None = None) -> int:
    """``call()``'s exit code; an interrupt or a bug becomes one line, never a traceback."""
    try:
        return call()
    except KeyboardInterrupt:
        err("owcheck: interrupted")
        return 130
    except Exception as exc:  # a bug: one line, no traceback, never a token
        from openweights.secrets import scrub

        err(f"owcheck: internal error: {scrub(f'{type(exc).__name__}: {exc}', token)}")
        return EXIT_INPUT
