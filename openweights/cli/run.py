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
from pathlib import Path
from typing import TYPE_CHECKING

from openweights.choices import ColorMode, Format, Letter, Severity, SourceChoice
from openweights.config import split_selectors
from openweights.records import record
from openweights.session import EXIT_GATE, EXIT_INPUT, EXIT_OK, Overrides, Target
from openweights.sources import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from openweights.report import Report


class CommandError(Exception):
    """A one-line error for the user, with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@record
class CheckOptions:
    """The options of `owcheck TARGET`, parsed."""

    target: str | None
    """Path or Hub repo id; None only with ``show_settings`` (the working directory)."""
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
    quiet: int = 0
    """How many ``-q`` were given."""
    verbose: int = 0
    """How many ``-v`` were given."""
    exit_zero: bool = False
    """Exit 0 even when a gate fails (errors still exit 2 or 3)."""
    show_settings: bool = False
    """Print the settings in force and where each came from, then exit 0."""
    online: bool = False
    """A repo on disk: look bases and datasets up on the Hub, code licenses on the forge."""
    no_forge: bool = False
    """Never ask GitHub/GitLab for code licenses."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds the Hub may take for the model, retries included."""

    @property
    def verbosity(self) -> int:
        """1 + v - q: 0 or less prints the short form (-qq nothing), 2 or more details."""
        return 1 + self.verbose - self.quiet

    def session_target(self) -> Target:
        """What the session grades."""
        source = SourceChoice.HUB if self.hub else SourceChoice.AUTO
        return Target(self.target or ".", source, self.revision, self.token, self.offline,
                      forge=False if self.no_forge else None, online=self.online,
                      timeout=self.timeout)

    def overrides(self) -> Overrides:
        """The settings given as options (comma lists split: ``--ignore OW2,OW3``)."""

        def split(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if values is None else split_selectors(values)

        return Overrides(split(self.select), split(self.extend_select), split(self.ignore),
                         self.fail_under, self.fail_on)


def err(message: str, token: str | None = None) -> None:
    """One line to standard error, scrubbed of tokens (``openweights/streams.py``)."""
    from openweights.streams import err as scrubbed_err

    scrubbed_err(message, token)


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


def terminal_width() -> int:
    """Columns for text output: ``COLUMNS``, else the terminal's, else 80 (a pipe or a file);
    never wider than the terminal standard output is."""
    real: int | None = None
    try:
        if sys.stdout.isatty():
            real = os.get_terminal_size(sys.stdout.fileno()).columns or None
    except (OSError, ValueError):
        real = None
    given = os.environ.get("COLUMNS", "").strip()
    width = int(given) if given.isdigit() and int(given) > 0 else (real or 80)
    return max(20, min(width, real) if real else width)


def show_settings(opts: CheckOptions) -> int:
    """``--show-settings``: the settings in force and where each came from; exit 0."""
    from openweights import session
    from openweights.formats.settings import render

    target = opts.session_target()
    try:
        settings = session.settings_for(target, opts.config, opts.isolated, opts.overrides())
    except session.ERRORS as exc:
        err(f"owcheck: error: {exc}")
        return exc.exit_code
    text = render(settings, target.name, as_json=opts.fmt is not Format.TEXT,
                  width=terminal_width())
    write(text, opts.output)
    return EXIT_OK


def _rendered(opts: CheckOptions, report: Report) -> str | None:
    """The report in the asked format, at the asked verbosity (None: print nothing)."""
    if opts.fmt is not Format.TEXT:
        from openweights.formats import renderer

        return renderer(opts.fmt)(report)  # data asked for: complete at any verbosity
    if opts.verbosity < 0:
        return None
    if opts.verbosity == 0:
        from openweights.formats.concise import render as render_concise

        return render_concise(report)
    from openweights.formats.text import render as render_text

    color = want_color(opts.color) and opts.output is None
    return render_text(report, color=color, width=terminal_width(), details=opts.verbosity >= 2)


def run_check(opts: CheckOptions) -> int:
    """Grade one model, print the report, and return the exit code."""
    from openweights import session
    from openweights.formats import FormatError

    try:
        if opts.show_settings:
            return show_settings(opts)
        try:
            outcome = session.run(opts.session_target(), opts.config, opts.isolated,
                                  opts.overrides())
        except session.ERRORS as exc:
            raise CommandError(str(exc), exc.exit_code) from None
        text = _rendered(opts, outcome.report)
        if text is not None:
            write(text, opts.output)
    except (CommandError, FormatError) as exc:
        err(f"owcheck: error: {exc}")
        return exc.exit_code
    if opts.verbosity >= 0:
        for reason in outcome.gate_failures:
            err(f"owcheck: gate failed: {reason}")
    if opts.exit_zero and outcome.exit_code == EXIT_GATE:
        return EXIT_OK
    return outcome.exit_code


def guarded(call: Callable[[], int], token: str | None = None) -> int:
    """``call()``'s exit code; an interrupt or a bug becomes one line, never a traceback."""
    try:
        return call()
    except KeyboardInterrupt:
        err("owcheck: interrupted")
        return 130
    except Exception as exc:  # a bug: one line, no traceback, never a token
        err(f"owcheck: internal error: {type(exc).__name__}: {exc}", token)
        return EXIT_INPUT
