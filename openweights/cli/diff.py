"""``owcheck diff OLD NEW``: what changed between two reports, snapshots or revisions.

Each side is a JSON report, a JSONL snapshot (``owcheck batch`` output), or a target graded now
through the session (``openweights/session.py``): a model repo on disk, ``ORG/NAME`` or
``ORG/NAME@REV``. A side is read as reports when it is an existing file named ``*.json`` /
``*.jsonl`` / ``*.ndjson``, or one whose text starts with ``{`` or ``[``; anything else is a
target. The comparison is ``openweights/diff.py``, the output ``openweights/formats/diff.py``.
Exit codes: 0 nothing got less open, 1 something did, 2 bad input, 3 the Hub could not be
reached. Reading report files is shared with ``batch --changed-since`` and the Action's
``baseline``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from openweights.choices import DiffFormat
from openweights.cli.common import (
    ConfigFile,
    Isolated,
    Offline,
    Token,
    choice_option,
    emit,
    fail,
    hub_target,
)
from openweights.cli.run import CommandError

REPORT_SUFFIXES = (".json", ".jsonl", ".ndjson")
"""File names read as reports whatever their first bytes."""


def is_report_file(path: Path) -> bool:
    """An existing file that holds reports rather than a model card."""
    if not path.is_file():
        return False
    if path.suffix.lower() in REPORT_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip()
    except OSError:
        return False
    return head[:1] in (b"{", b"[")


def read_reports(path: Path) -> list[dict[str, Any]]:
    """The reports in a JSON or JSONL file; CommandError (exit 2) when it holds none."""
    from openweights.diff import DiffInputError, parse_reports

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return parse_reports(text, str(path))
    except DiffInputError as exc:
        raise CommandError(str(exc)) from None


def diff_command(
    old: Annotated[
        str,
        typer.Argument(
            help="Before: a JSON report, a JSONL snapshot, or a target (path, ORG/NAME[@REV])."
        ),
    ],
    new: Annotated[str, typer.Argument(help="After: the same kinds as OLD.")],
    fmt: Annotated[
        str, choice_option(DiffFormat, "--format", "-f", help="Output format.")
    ] = DiffFormat.TEXT.value,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the diff to this file.")
    ] = None,
    show_unchanged: Annotated[
        bool, typer.Option("--all", help="Also list models whose terms did not change.")
    ] = False,
    hub: Annotated[
        bool, typer.Option("--hub", help="Treat OLD and NEW as Hub repo ids, never as paths.")
    ] = False,
    token: Token = None,
    offline: Offline = False,
    config: ConfigFile = None,
    isolated: Isolated = False,
) -> None:
    """What changed between two reports, snapshots or revisions; exit 1 if terms got less open."""
    from openweights import session
    from openweights.diff import diff_snapshots
    from openweights.formats.diff import render_diff

    def side(arg: str) -> list[dict[str, Any]]:
        """The reports in a file, or the target graded now (its gates are not applied)."""
        if not hub and is_report_file(Path(arg)):
            return read_reports(Path(arg))
        target = hub_target(arg, hub, None, token, offline)
        return [session.run(target, config, isolated).report.to_dict()]

    try:
        result = diff_snapshots(side(old), side(new))
    except (CommandError, *session.ERRORS) as exc:
        fail(str(exc), exc.exit_code)
    emit(render_diff(result, DiffFormat(fmt), show_unchanged), output)
    if result.less_open:
        typer.echo(
            f"owcheck: gate failed: terms got less open for {result.less_open_models} model(s)",
            err=True,
        )
        raise typer.Exit(session.EXIT_GATE)
