"""The console script: a fast path for `owcheck TARGET ...`, typer for everything else.

Typer (and the pydantic it may bring) costs more start-up time than grading a card does. The
common invocation, `owcheck TARGET [options]` as run by the pre-commit hook, is parsed here by
a small table-driven parser (neither typer nor argparse) and handed to
``openweights.cli.run.run_check``. Anything else (another command, --help, a bad option or
value) goes to the full typer command line (``openweights.cli.app``), which owns help and
usage errors. A test keeps the table equal to the typer `check` command's options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openweights.choices import Choice, ColorMode, Format, Letter, Severity
from openweights.cli.run import CheckOptions, guarded, run_check
from openweights.patterns import lazy

COMMANDS = ("check", "licenses", "license", "identify", "rules", "explain", "init", "badge",
            "batch", "diff", "site")
"""Every subcommand of the full command line (a test compares with the typer app)."""


class _Refused(Exception):
    """The fast parser will not take these arguments; the full command line will."""


# option -> (field, kind): kind is a choice enum (any case), "str", "path", "many" (repeatable;
# comma lists are split later, in CheckOptions.overrides), "seconds" (a number above 0), "flag"
# or "count" (-qq, -vv). This covers the check command's options and refuses anything else,
# which then goes to typer.
OPTIONS: dict[str, tuple[str, type[Choice] | str]] = {
    "--format": ("fmt", Format),
    "-f": ("fmt", Format),
    "--fail-under": ("fail_under", Letter),
    "--fail-on": ("fail_on", Severity),
    "--select": ("select", "many"),
    "--ignore": ("ignore", "many"),
    "--extend-select": ("extend_select", "many"),
    "--hub": ("hub", "flag"),
    "--revision": ("revision", "str"),
    "--token": ("token", "str"),
    "--offline": ("offline", "flag"),
    "--output": ("output", "path"),
    "-o": ("output", "path"),
    "--color": ("color", ColorMode),
    "--config": ("config", "path"),
    "--isolated": ("isolated", "flag"),
    "--quiet": ("quiet", "count"),
    "-q": ("quiet", "count"),
    "--verbose": ("verbose", "count"),
    "-v": ("verbose", "count"),
    "--exit-zero": ("exit_zero", "flag"),
    "--show-settings": ("show_settings", "flag"),
    "--online": ("online", "flag"),
    "--no-forge": ("no_forge", "flag"),
    "--timeout": ("timeout", "seconds"),
}
_COUNTED = lazy(r"^-[qv]{2,}$")


def _parse(args: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            if len(rest) != 1 or "target" in values:
                raise _Refused(arg)
            values["target"] = rest.pop()
            break
        if not arg.startswith("-") or arg == "-":
            if "target" in values:
                raise _Refused(arg)
            values["target"] = arg
            continue
        if _COUNTED().match(arg):  # -qq, -vv
            for letter in arg[1:]:
                field = OPTIONS["-" + letter][0]
                values[field] = values.get(field, 0) + 1
            continue
        name, eq, inline = arg.partition("=")
        if name not in OPTIONS:
            raise _Refused(arg)
        field, kind = OPTIONS[name]
        if kind in ("flag", "count"):
            if eq:
                raise _Refused(arg)
            values[field] = values.get(field, 0) + 1 if kind == "count" else True
            continue
        if eq:
            value = inline
        elif rest:
            value = rest.pop(0)
        else:
            raise _Refused(arg)
        if isinstance(kind, type):
            try:
                values[field] = kind.parse(value)
            except ValueError:
                raise _Refused(arg) from None
        elif kind == "many":
            values.setdefault(field, []).append(value)
        elif kind == "path":
            values[field] = Path(value)
        elif kind == "seconds":
            values[field] = _seconds(value, arg)
        else:
            values[field] = value
    if "target" not in values and not values.get("show_settings"):
        raise _Refused("no target")
    return values


def _seconds(value: str, arg: str) -> float:
    """A positive number of seconds; anything else goes to typer, which explains the error."""
    try:
        seconds = float(value)
    except ValueError:
        raise _Refused(arg) from None
    if not 0.01 <= seconds < float("inf"):
        raise _Refused(arg)
    return seconds


def route(argv: list[str]) -> list[str]:
    """``owcheck TARGET ...`` means ``owcheck check TARGET ...``."""
    if argv and argv[0] not in (*COMMANDS, "--help", "-h", "--version", "-V"):
        return ["check", *argv]
    return argv


def parse_fast(argv: list[str]) -> CheckOptions | None:
    """Options for `check`, or None when the full command line should handle ``argv``."""
    if not argv or argv[0] != "check" or any(a in ("--help", "-h") for a in argv[1:]):
        return None
    try:
        values = _parse(argv[1:])
    except _Refused:
        return None
    for many in ("select", "ignore", "extend_select"):
        if many in values:
            values[many] = tuple(values[many])
    values.setdefault("target", None)
    return CheckOptions(**values)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; never shows a traceback."""
    from openweights.secrets import token_arguments
    from openweights.streams import setup_streams

    args = route(list(sys.argv[1:] if argv is None else argv))
    # UTF-8 out whatever the locale; every line on stderr scrubbed, whoever writes it (typer's
    # usage errors echo arguments: a token given where a target was expected, too).
    setup_streams(*token_arguments(args))
    opts = parse_fast(args)
    if opts is None:
        from openweights.cli.app import main as full

        full(args)
        return
    raise SystemExit(guarded(lambda: run_check(opts), opts.token))
