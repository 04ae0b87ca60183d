"""``owcheck batch IDS``: grade many models, one JSON report per line, resumably.

The batch logic (reading targets, resuming, grading in parallel, writing lines) is
``openweights/batch.py``; each target goes through the session (``openweights/session.py``)
with the settings found once, from the working directory. ``--changed-since`` writes only the
reports that differ from an earlier snapshot (``openweights.diff.ChangeFilter``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from openweights.batch import MAX_JOBS
from openweights.choices import Letter, SourceChoice
from openweights.cli.common import (
    ConfigFile,
    Isolated,
    NoForge,
    Offline,
    Timeout,
    Token,
    choice_option,
    fail,
)
from openweights.sources import DEFAULT_TIMEOUT


def batch_command(
    ids: Annotated[
        Path, typer.Argument(help="File with one Hub id (or path) per line; - for standard input.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Append JSONL reports here (default: stdout)."),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="Append targets that could not be graded here (JSONL)."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Skip targets already in --output or refused in --errors."),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, max=MAX_JOBS,
                     help="Models graded at once, spread over one worker process per CPU."),
    ] = 4,
    fail_under: Annotated[
        str | None,
        choice_option(Letter, "--fail-under",
                      help="Exit 1 when any model is graded worse than this."),
    ] = None,
    revision: Annotated[
        str | None, typer.Option("--revision", help="Hub revision for ids without @REV.")
    ] = None,
    token: Token = None,
    offline: Offline = False,
    config: ConfigFile = None,
    isolated: Isolated = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    changed_since: Annotated[
        Path | None,
        typer.Option(
            "--changed-since",
            help="Write only reports whose terms or findings differ from this earlier JSONL "
            "snapshot (new models included).",
        ),
    ] = None,
    no_forge: NoForge = False,
) -> None:
    """Grade many models: one JSON report per line, in input order, resumable."""
    from openweights import batch, session

    if resume and output is None:
        fail("--resume needs --output (the file to resume)")
    try:
        lines = sys.stdin.read().splitlines() if str(ids) == "-" else (
            ids.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {ids}: {getattr(exc, 'strerror', None) or exc}")
    try:
        settings = session.settings_for(session.Target(".", SourceChoice.HUB), config, isolated)
    except session.ERRORS as exc:
        fail(str(exc), exc.exit_code)
    changes = None
    if changed_since is not None:
        from openweights.cli.diff import read_reports
        from openweights.cli.run import CommandError
        from openweights.diff import ChangeFilter

        try:
            changes = ChangeFilter(read_reports(changed_since))
        except CommandError as exc:
            fail(str(exc), exc.exit_code)

    if not no_forge and not offline:
        from openweights.sources.forge import anonymous_notice

        notice = anonymous_notice()
        if notice:
            typer.echo(f"owcheck: note: {notice}", err=True)

    targets = batch.read_targets(lines)
    done = batch.done_targets(output, errors) if resume else set()
    todo = [t for t in targets if batch.subject_key(t) not in done]
    worst = session.EXIT_OK
    graded = failed = unchanged = 0
    out = output.open("a", encoding="utf-8") if output else sys.stdout
    err_file = errors.open("a", encoding="utf-8") if errors else None
    try:
        job = batch.GradeJob(settings, revision, token, offline, timeout, forge=not no_forge)
        for item in batch.grade_all(todo, job, jobs):
            if changes is not None and item.report and not changes.changed(
                    json.loads(item.report)):
                unchanged += 1
            else:
                batch.write_item(item, out, err_file)
            if item.grade is None:
                failed += 1
                worst = max(worst, item.exit_code)
                if err_file is None:
                    typer.echo(f"owcheck: error: {item.target}: {item.error}", err=True)
                continue
            graded += 1
            if fail_under and not item.grade.at_least(fail_under):
                worst = max(worst, session.EXIT_GATE)
    finally:
        if output:
            out.close()
        if err_file:
            err_file.close()
    same = ""
    if changes is not None:
        same = f", {unchanged} unchanged since {changed_since} (not written)"
    typer.echo(f"owcheck: batch: {graded} graded, {failed} failed, "
               f"{len(targets) - len(todo)} skipped (already done){same}", err=True)
    raise typer.Exit(worst)
