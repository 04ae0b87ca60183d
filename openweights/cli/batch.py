"""``owcheck batch INPUT``: grade many models, one JSON report per line (or Parquet), resumably.

INPUT is an ids file (one Hub id, URL or path per line; ``-`` for standard input) or a card
dump: a Parquet file, a folder of shards, or ``hf://datasets/ORG/NAME[@REV]``. The library does
the work: ``openweights/batch.py`` (targets, workers, resuming, outputs, the tally) and
``openweights/dumps.py`` (a dump's passes); each id goes through the session
(``openweights/session.py``) with the settings found once, from the working directory.
``--changed-since`` writes only the reports that differ from an earlier snapshot
(``openweights.diff.ChangeFilter``).
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from openweights.batch import MAX_JOBS
from openweights.choices import BatchFormat, Letter, SourceChoice
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
        str, typer.Argument(
            metavar="INPUT",
            help="File with one Hub id (or path) per line (- for standard input), or a card "
            "dump: a Parquet file, a folder of shards, or hf://datasets/ORG/NAME[@REV].")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the results here (default: stdout)."),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="Write what could not be graded here (JSONL); at the "
                     "end it holds only what is still failing."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the run in --output and --errors: skip models "
                     "graded or refused there (at the same version, for a dump)."),
    ] = False,
    output_format: Annotated[
        str, choice_option(BatchFormat, "--format", "-f",
                           help="jsonl: one JSON report per line; parquet: one row per model "
                           "with stable columns and the report (needs owcheck[registry]).")
    ] = "jsonl",
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
    fill_from_hub: Annotated[
        bool,
        typer.Option("--fill-from-hub", help="Dumps: read the base models the dump does not "
                     "hold, and the datasets its cards name, from the Hub."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (the summary still prints).")
    ] = False,
    no_forge: NoForge = False,
) -> None:
    """Grade many models: one JSON report per line (or a Parquet row), in input order, resumable."""
    from openweights import batch, session
    from openweights.cli.progress import Progress
    from openweights.sources import SourceError
    from openweights.sources.dump import is_dump

    parquet = output_format == BatchFormat.PARQUET.value
    if resume and output is None:
        fail("--resume needs --output (the file to resume)")
    if parquet and output is None:
        fail("--format parquet needs --output (Parquet is not written to a terminal)")
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

    dump_input = ids != "-" and is_dump(ids)
    try:
        ledger = batch.Ledger.read(output, errors, parquet) if resume else None
        outputs = batch.Outputs(output, errors, parquet=parquet, resume=resume,
                                stdout=sys.stdout)
    except batch.OutputExists as exc:
        fail(str(exc))
    except SourceError as exc:
        fail(str(exc), exc.exit_code)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"cannot read the earlier results: {getattr(exc, 'strerror', None) or exc}")
    settled = ledger.settled if ledger is not None else None

    scratch = tempfile.TemporaryDirectory(prefix="owcheck-batch-")
    tally = batch.Tally(since=str(changed_since) if changed_since is not None else None)
    gate_failed = False
    progress: Progress | None = None
    try:
        job: Any
        if dump_input:
            work, job, total, processes, in_flight = _dump_work(
                ids, settings, settled, Path(scratch.name), token, offline, timeout,
                fill_from_hub, jobs, quiet)
        else:
            if fill_from_hub:
                fail("--fill-from-hub is for card dumps (an ids file reads each model's "
                     "lineage from the Hub already)")
            try:
                lines = sys.stdin.read().splitlines() if ids == "-" else (
                    Path(ids).read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"cannot read {ids}: {getattr(exc, 'strerror', None) or exc}")
            work = list(batch.targets_of(
                lines, settled, ledger.reported.get if ledger is not None else None))
            total = len(work)
            if not no_forge and not offline:
                from openweights.sources.forge import anonymous_notice

                notice = anonymous_notice()
                if notice:
                    typer.echo(f"owcheck: note: {notice}", err=True)
            job = batch.GradeJob(settings, revision, token, offline, timeout,
                                 forge=not no_forge)
            processes = batch.default_processes(
                jobs, sum(1 for w in work if not isinstance(w, batch.Settled)))
            in_flight = None
        progress = Progress(total, quiet, "rows" if dump_input else "models")

        def write(item: batch.BatchItem) -> bool:
            nonlocal gate_failed
            if changes is not None and item.report and not changes.changed(
                    json.loads(item.report)):
                return False
            outputs.write(item)
            if item.report is None and errors is None:
                line = f"owcheck: error: {item.target}: {item.error}"
                if progress is not None and progress.shown:
                    progress.note(line)
                else:
                    typer.echo(line, err=True)
            if fail_under and item.grade is not None and not item.grade.at_least(fail_under):
                gate_failed = True
            return True

        batch.run(work, job, jobs, write, tally, on_item=progress, processes=processes,
                  in_flight=in_flight)
    except SourceError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        outputs.close()  # what was graded is kept
        typer.echo(f"owcheck: batch: interrupted; {tally.line()}", err=True)
        typer.echo(f"owcheck: batch: continue with: {_resume_command()}", err=True)
        raise typer.Exit(130) from None
    finally:
        if progress is not None:
            progress.close()
        outputs.close()
        scratch.cleanup()
    if tally.stopped:
        tally.not_run = max(0, total - tally.total)
        typer.echo(f"owcheck: batch: stopped early: the Hub failed {batch.BREAKER} models in a "
                   f"row (it looks down)", err=True)
        typer.echo(f"owcheck: batch: when it is back, continue with: {_resume_command()}",
                   err=True)
    typer.echo(f"owcheck: batch: {tally.line()}", err=True)
    worst = tally.worst
    if gate_failed and worst == 0:
        worst = session.EXIT_GATE
    raise typer.Exit(worst)


def _dump_work(
    spec: str, settings: Any, settled: Any, scratch: Path, token: str | None, offline: bool,
    timeout: float, fill: bool, jobs: int, quiet: bool,
) -> tuple[Any, Any, int, int, int]:
    """A dump's work: the index and ancestors passes (and the Hub fill), then its rows; the
    job, the number of rows, the worker processes and the rows in flight."""
    from openweights import batch, dumps
    from openweights.registry import DUMP_COLUMNS
    from openweights.sources import HubUnavailableError
    from openweights.sources.dump import open_dump
    from openweights.sources.factstore import FactStore

    dump = open_dump(spec, DUMP_COLUMNS, token, offline)
    found = dumps.plan(dump, settled)
    store_path = scratch / "facts.sqlite"
    store = FactStore(store_path, write=True)
    try:
        dumps.store_ancestors(dump, found, store)
        if fill:
            try:
                dumps.fill_from_hub(found, store, dumps.hub_reader(token, offline, timeout))
            except HubUnavailableError as exc:
                typer.echo(f"owcheck: error: {exc}", err=True)
                typer.echo("owcheck: batch: stopped before grading: the Hub could not fill the "
                           "lineage; when it is back, run the same command again", err=True)
                raise typer.Exit(3) from None
    finally:
        store.close()
    if not quiet and sys.stderr.isatty():
        typer.echo(f"owcheck: batch: {dump.rows} rows in {len(dump.files)} file(s); "
                   f"{found.stored} base models from the dump"
                   + (f", {found.filled} repos from the Hub" if fill else ""), err=True)
    job = dumps.DumpJob(settings, store_path)
    todo = dump.rows - len(found.duplicates) - len(found.skipped)
    processes = batch.default_processes(jobs, todo, per_worker=200)
    return dumps.rows(dump, found), job, dump.rows, processes, processes * dumps.PREFETCH


def _resume_command() -> str:
    """The command line of this run, with ``--resume``."""
    args = [Path(sys.argv[0]).name, *sys.argv[1:]]
    if "--resume" not in args:
        args.append("--resume")
    return " ".join(shlex.quote(a) for a in args)
