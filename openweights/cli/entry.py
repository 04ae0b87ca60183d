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
from enum import Enum
from pathlib import Path
from typing import Any

from openweights.choices import ColorMode, Format, Letter, Severity
from openweights.cli.run import CheckOptions, guarded, run_check

COMMANDS = ("check", "licenses", "license", "identify", "rules", "explain", "init", "badge",
            "batch", "diff", "site")
"""Every subcommand of the full command line (a test compares with the typer app)."""


class _Refused(Exception):
    """The fast parser will not take these arguments; the full command line will."""


# option -> (field, kind): kind is a choice enum, "str", "path", "many" or "flag". This covers
# the check command's options and refuses anything else, which then goes to typer.
OPTIONS: dict[str, tuple[str, type[Enum] | str]] = {
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
}


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
        name, eq, inline = arg.partition("=")
        if name not in OPTIONS:
            raise _Refused(arg)
        field, kind = OPTIONS[name]
        if kind == "flag":
            if eq:
                raise _Refused(arg)
            values[field] = True
            continue
        if eq:
            value = inline
        elif rest:
            value = rest.pop(0)
        else:
            raise _Refused(arg)
        if isinstance(kind, type):
            if value not in {m.value for m in kind}:
                raise _Refused(arg)
            values[field] = kind(value)
        elif kind == "many":
            values.setdefault(field, []).append(value)
        elif kind == "path":
            values[field] = Path(value)
        else:
            values[field] = value
    if "target" not in values:
        raise _Refused("no target")
    return values


def route(argv: list[str]) -> list[str]:
    """``owcheck TARGET ...`` means ``owcheck check TARGET ...``."""
    if argv and argv[0] not in (*COMMANDS, "--help", "-h", "--version"):
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
    return CheckOptions(**values)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; never shows a traceback."""
    args = route(list(sys.argv[1:] if argv is None else argv))
    opts = parse_fast(args)
    if opts is None:
        from openweights.cli.app import main as full

        full(args)
        return
    raise SystemExit(guarded(lambda: run_check(opts), opts.token))
