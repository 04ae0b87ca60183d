"""Batch mode for registries: grade many models, one JSON report per line, resumably.

Input: one target per line (a Hub id, ``ORG/NAME@REV``, or a path); blank lines and ``#``
comments are skipped. Output: JSONL reports in input order. Targets that cannot be graded go
to a separate errors file (also JSONL), so the report stream stays valid against
``schemas/report.schema.json``. With ``resume``, targets recorded as unusable input in the
errors file are skipped, and so are those already in the output at the model's current version
(a ``Recheck`` asks the Hub); Hub outages (exit 3) and owcheck's own failures are retried.

The unit of work is ``grade_one(target, job)``: fetch, grade and serialise one target, never
raising (a bad target is a ``BatchItem`` with an error). ``grade_all`` runs it for a stream of
targets on every core: worker processes (so grading is not held to one core by the GIL), each
running several targets at once on threads (so the waits on the network overlap), with at most
``jobs`` targets in flight (``in_flight``: more for CPU-bound dump rows) and at most four times
as many results held back to keep the output in input order: memory does not grow with the
length of the batch. The workers share one rate-limit
gate (``openweights.sources.http``), so a ``Retry-After`` seen by one slows them all. A worker
that dies is replaced; the targets it held are reported as failed (exit 3, retried on resume).

Worker processes are started with the ``spawn`` method: a program that calls ``grade_all`` with
``processes`` > 0 must guard its entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from openweights.choices import Letter
from openweights.config import Settings
from openweights.records import field, record
from openweights.sources import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import SpawnContext, SpawnProcess

MAX_JOBS = 512
"""The most targets a batch may have in flight (``-j``)."""
WINDOW = 4
"""Results held back for ordering, as a multiple of ``jobs``."""
TARGETS_PER_WORKER = 100
"""A list shorter than this many targets per worker process gets fewer workers."""
LINEAGE_TTL = 600.0
"""Within a batch, a base model's or dataset's info answer is reused for this many seconds:
thousands of fine-tunes of one base ask for it once (each subject is always asked afresh)."""


@record
class GradeJob:
    """How to grade each target of a batch; everything a worker process needs (picklable)."""

    settings: Settings = field(default_factory=Settings)
    """Rules, thresholds and severity overrides, as for `owcheck TARGET`."""
    revision: str | None = None
    """Hub revision for ids without ``@REV``."""
    token: str | None = field(default=None, repr=False)
    """Hub token (None: the client's own: ``HF_TOKEN``, the login)."""
    offline: bool = False
    """Hub cache only."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Deadline of one target on the network, in seconds."""
    lineage_ttl: float = LINEAGE_TTL
    """Seconds the info of a base model or dataset, read for one target, serves the others."""
    forge: bool = True
    """Ask GitHub/GitLab for the license of the code each model links (False: ``--no-forge``);
    a repo on disk is never looked up, as for ``owcheck PATH``."""

    def run(self, target: Any) -> BatchItem | Settled:
        """Grade one line of an ids file (``grade_one``); a ``Recheck`` whose model is still
        at the version reported before is ``Settled`` (skipped), not written again."""
        if isinstance(target, Recheck):
            item = grade_one(target.target, self)
            if item.report is not None and item.version == target.version:
                return Settled(target.target, "skipped")
            return item
        return grade_one(str(target), self)


class Job(Protocol):
    """How a batch grades each of its work items (picklable: it goes to worker processes)."""

    def run(self, item: Any) -> BatchItem | Settled:
        """Grade one item (or find it settled); never raises."""
        ...


@record
class BatchItem:
    """The outcome for one target."""

    target: str
    """The line as given."""
    report: str | None
    """The JSON report, one line without its newline, when the target could be graded."""
    grade: Letter | None
    """The grade letter, when graded."""
    error: str | None
    """The one-line reason it could not (scrubbed of tokens)."""
    exit_code: int
    """0 graded, 2 unusable input, 3 the Hub failed."""
    subject: str | None = None
    """The model's id as reports spell it (a Hub URL or ``hf.co/...`` target normalised), when
    known: with ``version``, the key ``--resume`` goes by."""
    version: str | None = None
    """The graded version: the commit sha, else the Hub's ``last_modified`` (a dump row)."""
    internal: bool = False
    """The error is owcheck failing on this input (a bug), not the input's fault: it is
    retried by ``--resume``, like a Hub outage."""


@record
class Settled:
    """An input line not graded this run, and why."""

    name: str
    """The line (a target, or a dump row's ``modelId``)."""
    why: str
    """``duplicate`` (an earlier line names the same model) or ``skipped`` (a resumed run had
    graded or refused it at this version)."""


@record
class Recheck:
    """A line of an ids file whose model an earlier run reported (``--resume``): graded again,
    and written only when the model's version (its commit sha) changed since."""

    target: str
    """The line."""
    version: str
    """The version reported before."""

    def __str__(self) -> str:
        return self.target


def read_targets(lines: Iterable[str]) -> list[str]:
    """Targets from an ids file: stripped, without blanks, comments or duplicates."""
    return [t for t in targets_of(lines) if isinstance(t, str)]


def targets_of(lines: Iterable[str], settled: Callable[[str, str | None], bool] | None = None,
               reported: Callable[[str], str | None] | None = None,
               ) -> Iterator[str | Settled | Recheck]:
    """Each target of an ids file, or why it is not graded: a second line for one model
    (ids compared as reports spell them: ``hf.co/ORG/NAME/`` is ``ORG/NAME``) is a duplicate;
    with ``settled`` (``--resume``), a model already done is skipped, unless ``reported`` gives
    the version it was reported at: then it is a ``Recheck`` (an ids file does not know a
    model's version before the Hub is asked). Blanks and ``#`` comments are not targets."""
    seen: set[str] = set()
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key = target_key(line)
        if key in seen:
            yield Settled(line, "duplicate")
            continue
        seen.add(key)
        if settled is not None and settled(key, None):
            version = reported(key) if reported is not None else None
            if version is not None and not _is_path(line):
                yield Recheck(line, version)
            else:
                yield Settled(line, "skipped")
        else:
            yield line


def _is_path(target: str) -> bool:
    from openweights import session

    return session.names_a_path(target)


def subject_key(target: str) -> str:
    """What a report's ``subject.id`` will be for ``target`` (kept for callers of 0.1)."""
    return target_key(target)


# --------------------------------------------------------------------------- one target


def grade_one(target: str, job: GradeJob) -> BatchItem:
    """Fetch, grade and serialise one target (one session, ``openweights/session.py``).

    Never raises: a target that cannot be graded is an item with its error and exit code.
    """
    from openweights import session
    from openweights.choices import SourceChoice

    one = session.Target(target, SourceChoice.AUTO, job.revision, job.token, job.offline,
                         forge=None if job.forge else False, timeout=job.timeout,
                         lineage_ttl=job.lineage_ttl)
    key = target_key(target)
    try:
        report = session.check(one, job.settings).report
        line = json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
    except session.ERRORS as exc:
        return BatchItem(target, None, None, str(exc), exc.exit_code, key)
    except Exception as exc:  # a bug on one target must not stop the others
        return crashed(target, exc, job.token, key)
    return BatchItem(target, line, report.grade.letter, None, 0, report.subject_id,
                     report.revision or report.last_modified)


def crashed(target: str, exc: BaseException, token: str | None = None,
            subject: str | None = None, version: str | None = None) -> BatchItem:
    """The item for a target owcheck failed on (exit 2, one line, ``internal``)."""
    from openweights.secrets import scrub

    detail = scrub(f"internal error: {type(exc).__name__}: {exc}", token)
    return BatchItem(target, None, None, " ".join(detail.split())[:500], 2, subject, version,
                     internal=True)


def target_key(target: str) -> str:
    """The id a report will carry for a line of an ids file: a Hub id or URL normalised
    (``hf.co/ORG/NAME/``, ``https://huggingface.co/ORG/NAME/tree/main``: ``ORG/NAME``), a path
    as given."""
    from openweights import session
    from openweights.repoids import TargetError, parse_model_target

    if session.names_a_path(target):
        return target
    try:
        return parse_model_target(target.rstrip("/"), ())[0]
    except TargetError:
        return target


# --------------------------------------------------------------------------- many targets


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_processes(jobs: int, count: int | None = None, per_worker: int = TARGETS_PER_WORKER
                      ) -> int:
    """Worker processes for ``jobs`` at once over ``count`` items (None: unknown): one per usable
    CPU, at most ``jobs``; 0 (this process) when one would do."""
    processes = min(max(1, jobs), usable_cpus())
    if count is not None:
        # A worker's start-up (an interpreter and its imports) costs as much CPU as grading
        # a hundred models: a short list is graded faster in this process.
        processes = min(processes, -(-count // per_worker))
    return 0 if processes <= 1 else processes


def grade_all(
    targets: Iterable[Any],
    job: Job | None = None,
    jobs: int = 4,
    processes: int | None = None,
    in_flight: int | None = None,
) -> Iterator[BatchItem | Settled]:
    """Grade every target, ``jobs`` at a time, yielding results in input order.

    ``processes``: worker processes (default: one per usable CPU, at most ``jobs``, and one per
    ``TARGETS_PER_WORKER`` targets of a list); 0 grades on threads in this process. ``targets``
    is consumed lazily, so it may be a stream. ``in_flight``: targets handed to the workers
    and not answered yet (default ``jobs``: a target waiting on the network is one of the
    ``jobs``); more keeps CPU-bound workers busy while their answers travel (dump rows).
    """
    job = job or GradeJob()
    jobs = max(1, min(jobs, MAX_JOBS))
    if processes is None:
        processes = default_processes(jobs, len(targets) if isinstance(targets, Sized) else None)
    if processes <= 0:
        yield from _on_threads(targets, job, jobs)
    else:
        yield from _on_workers(targets, job, jobs, min(processes, jobs),
                               max(jobs, in_flight or jobs))


def _on_threads(targets: Iterable[Any], job: Job, jobs: int) -> Iterator[BatchItem | Settled]:
    if jobs == 1:
        for target in targets:
            yield _safe_run(job, target)
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        window: deque[Future[BatchItem | Settled]] = deque()
        for target in targets:
            window.append(pool.submit(_safe_run, job, target))
            if len(window) >= jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


_worker_numbers = itertools.count(1)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: SpawnContext, job: Job, gate: Any, threads: int) -> None:
        parent_end, child_end = ctx.Pipe()
        self.conn: Connection = parent_end
        self.process: SpawnProcess = ctx.Process(
            target=_worker_main, args=(child_end, job, gate, threads), daemon=True,
            name=f"owcheck-batch-worker-{next(_worker_numbers)}")
        self.process.start()
        child_end.close()
        self.held: dict[int, Any] = {}
        """Targets sent to this worker and not answered yet, by index."""

    def stop(self, graceful: bool) -> None:
        """Let it finish (after the last result) or end it now (interrupted, abandoned)."""
        if graceful:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.conn.close()


def _on_workers(
    targets: Iterable[Any], job: Job, jobs: int, processes: int, in_flight: int
) -> Iterator[BatchItem | Settled]:
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    gate = ctx.Value("d", 0.0)
    threads = -(-jobs // processes)
    workers = [_Worker(ctx, job, gate, threads) for _ in range(processes)]
    pending = iter(targets)
    exhausted = False
    sent = 0  # targets handed out (their indexes are 0..sent-1)
    next_out = 0  # index of the next result to yield
    done: dict[int, BatchItem | Settled] = {}
    deaths_in_a_row = 0
    finished = False
    try:
        while True:
            # Hand out targets while fewer than `in_flight` are out and the window has room.
            while not exhausted and sum(len(w.held) for w in workers) < in_flight and (
                    sent - next_out < WINDOW * in_flight):
                try:
                    target = next(pending)
                except StopIteration:
                    exhausted = True
                    break
                worker = min(workers, key=lambda w: len(w.held))
                worker.held[sent] = target
                with contextlib.suppress(OSError):  # a dead worker: its held targets fail below
                    worker.conn.send((sent, target))
                sent += 1
            yielded = False
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
                yielded = True
            if exhausted and next_out == sent:
                finished = True
                return
            if yielded and not exhausted:
                # The ordering window had stopped the hand-out; it has room again, and waiting
                # now could wait for nothing (every worker idle).
                continue
            ready = wait([w.conn for w in workers] + [w.process.sentinel for w in workers])
            for slot, worker in enumerate(workers):
                if worker.conn in ready:
                    try:
                        while worker.conn.poll():
                            index, item = worker.conn.recv()
                            worker.held.pop(index, None)
                            done[index] = item
                            deaths_in_a_row = 0
                    except (EOFError, OSError):
                        pass  # it died: handled once its sentinel is ready
                if worker.process.sentinel in ready and not worker.process.is_alive():
                    deaths_in_a_row += 1
                    if deaths_in_a_row > 2 * processes:
                        raise RuntimeError(
                            f"batch worker processes keep dying (exit code "
                            f"{worker.process.exitcode})")
                    for index, target in worker.held.items():
                        done[index] = BatchItem(
                            _name_of(target), None, None, "the worker process grading it died "
                            f"(exit code {worker.process.exitcode})", 3)
                    worker.conn.close()
                    workers[slot] = _Worker(ctx, job, gate, threads)
    finally:
        for worker in workers:
            worker.stop(graceful=finished)


def _name_of(item: Any) -> str:
    """How an error line names a work item: the target, or a dump row's ``modelId``."""
    if isinstance(item, Recheck):
        return item.target
    if isinstance(item, dict):
        return str(item.get("modelId") or item.get("id") or "?")
    return str(item)


def _safe_run(job: Job, item: Any) -> BatchItem | Settled:
    try:
        return job.run(item)
    except Exception as exc:  # a job that breaks its promise still answers for its item
        return crashed(_name_of(item), exc)


def _worker_main(conn: Connection, job: Job, gate: Any, threads: int) -> None:
    """A worker process: ``threads`` graders fed from the pipe, answers back on the pipe."""
    import queue
    import signal
    import threading

    from openweights.sources import http

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    http.share_gate(gate)
    tasks: queue.SimpleQueue[tuple[int, Any] | None] = queue.SimpleQueue()
    send_lock = threading.Lock()

    def serve() -> None:
        while True:
            task = tasks.get()
            if task is None:
                tasks.put(None)  # let the other graders see it too
                return
            index, target = task
            item = _safe_run(job, target)
            with send_lock:
                conn.send((index, item))

    graders = [threading.Thread(target=serve, daemon=True) for _ in range(threads)]
    for grader in graders:
        grader.start()
    try:
        while True:
            message = conn.recv()
            tasks.put(message)
            if message is None:
                break
    except (EOFError, OSError):
        tasks.put(None)  # the parent went away
    for grader in graders:
        grader.join()


# --------------------------------------------------------------------------- resuming

BREAKER = 10
"""Hub failures (exit 3) in a row after which a batch stops early: the Hub looks down."""


@dataclasses.dataclass
class Ledger:
    """What earlier runs settled, from their output and errors files (``--resume``)."""

    reported: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Version last reported, by model id."""
    refused: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Version last refused as unusable input (exit 2, not owcheck's own failure), by id."""

    def settled(self, key: str, version: str | None) -> bool:
        """True when ``key`` was reported or refused at ``version`` (None: at any version: an
        ids file does not know a model's version before it is fetched)."""
        for done in (self.reported, self.refused):
            if key in done and (version is None or done[key] in (None, version)):
                return True
        return False

    @classmethod
    def read(cls, output: Path | None, errors: Path | None, parquet: bool = False) -> Ledger:
        """The ledger of an output file (JSONL or Parquet) and an errors file."""
        ledger = cls()
        if output is not None and output.exists():
            if parquet:
                from openweights.formats.parquet import read_rows

                for row in read_rows(output, ("id", "revision", "last_modified")):
                    if isinstance(row["id"], str):
                        ledger.reported[row["id"]] = row["revision"] or row["last_modified"]
            else:
                for record in _records(output):
                    subject = record.get("subject")
                    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
                        ledger.reported[subject["id"]] = (subject.get("revision")
                                                          or subject.get("last_modified"))
        if errors is not None and errors.exists():
            for record in _records(errors):
                key = record.get("id") or record.get("target")
                if not isinstance(key, str):
                    continue
                if record.get("exit_code") == 2 and not record.get("internal"):
                    ledger.refused[key] = record.get("version")
                else:
                    ledger.refused.pop(key, None)  # a later failure replaces a refusal
        return ledger


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file, line by line (outputs grow large); a line cut short
    by an interrupted run is skipped (and so redone)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def done_targets(output: Path | None, errors: Path | None) -> set[str]:
    """Ids an earlier run already settled: reported, or refused as unusable input."""
    ledger = Ledger.read(output, errors)
    return set(ledger.reported) | set(ledger.refused)


# --------------------------------------------------------------------------- output


class OutputExists(Exception):
    """A run without ``--resume`` would write into an earlier run's results."""


class Outputs:
    """Where a batch writes: reports (JSONL, or Parquet rows) and error lines.

    JSONL reports are appended; Parquet results go to a new file that, at ``close``, takes the
    earlier rows this run did not grade again and replaces the old one. The errors file is
    rewritten at ``close`` to hold only what is still failing (a model graded this run, or
    failing again, leaves its earlier line behind).
    """

    def __init__(self, output: Path | None, errors: Path | None, *, parquet: bool = False,
                 resume: bool = False, stdout: IO[str] | None = None) -> None:
        if not resume:
            for path in (output, errors):
                if path is not None and path.exists() and path.stat().st_size > 0:
                    raise OutputExists(
                        f"{path} already holds results; pass --resume to continue that run, "
                        "or remove it")
        self.output, self.errors, self.parquet = output, errors, parquet
        self.graded: set[str] = set()
        """Ids graded this run."""
        self._reports: IO[str] | None = None
        self._rows: Any = None
        if parquet:
            if output is None:
                raise ValueError("Parquet results need an output file")
            from openweights.formats.parquet import ParquetReports

            self._rows = ParquetReports(self._partial(output))
        elif output is not None:
            self._reports = output.open("a", encoding="utf-8")
        else:
            self._reports = stdout
        self._errors = errors.open("a", encoding="utf-8") if errors is not None else None
        self._closed = False

    @staticmethod
    def _partial(path: Path) -> Path:
        return path.with_name(path.name + ".partial")

    def write(self, item: BatchItem) -> None:
        """One result: a report (line or row), or an error line."""
        if item.report is not None:
            if item.subject:
                self.graded.add(item.subject)
            if self._rows is not None:
                from openweights.formats.parquet import row_of

                self._rows.write(row_of(json.loads(item.report), item.report))
            elif self._reports is not None:
                self._reports.write(item.report + "\n")
                self._reports.flush()
        elif self._errors is not None:
            record = {"target": item.target, "id": item.subject, "version": item.version,
                      "exit_code": item.exit_code, "error": item.error}
            if item.internal:
                record["internal"] = True
            self._errors.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._errors.flush()

    def close(self) -> None:
        """Finish the files (see the class docstring); once."""
        if self._closed:
            return
        self._closed = True
        if self._rows is not None and self.output is not None:
            from openweights.formats.parquet import read_rows

            if self.output.exists():
                for row in read_rows(self.output):
                    if row["id"] not in self.graded:
                        self._rows.write(row)
            self._rows.close()
            self._partial(self.output).replace(self.output)
        elif self._reports is not None and self.output is not None:
            self._reports.close()
        if self._errors is not None and self.errors is not None:
            self._errors.close()
            _compact_errors(self.errors, self.graded)


def _compact_errors(path: Path, graded: set[str]) -> None:
    """Keep one line per failing model (the last), none for a model graded since."""
    last: dict[str, str] = {}
    for row in _records(path):
        key = row.get("id") or row.get("target")
        if isinstance(key, str):
            last.pop(key, None)
            last[key] = json.dumps(row, ensure_ascii=False)
    keep = [line for key, line in last.items() if key not in graded]
    partial = path.with_name(path.name + ".partial")
    partial.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
    partial.replace(path)


# --------------------------------------------------------------------------- the run


@dataclasses.dataclass
class Tally:
    """Every input line of a batch, accounted for."""

    graded: int = 0
    """Graded and written."""
    refused: int = 0
    """Unusable input (exit 2): no such repo, a bad id, an unreadable row."""
    failed: int = 0
    """The Hub failed (exit 3) or owcheck failed on it (internal errors): retried on resume."""
    duplicate: int = 0
    """A later line for a model an earlier line names."""
    skipped: int = 0
    """Already graded or refused by an earlier run at this version (``--resume``)."""
    unchanged: int = 0
    """Graded, but not written: the same as in the ``--changed-since`` snapshot."""
    not_run: int = 0
    """Left when the circuit breaker stopped the run."""
    worst: int = 0
    """The worst exit code of the run."""
    stopped: bool = False
    """The circuit breaker tripped: the Hub failed ``BREAKER`` models in a row."""
    since: str | None = None
    """The ``--changed-since`` snapshot ``unchanged`` refers to."""

    @property
    def total(self) -> int:
        """Input lines seen."""
        return (self.graded + self.refused + self.failed + self.duplicate + self.skipped
                + self.unchanged + self.not_run)

    def count(self, outcome: BatchItem | Settled) -> None:
        """Count one line's outcome."""
        if isinstance(outcome, Settled):
            if outcome.why == "duplicate":
                self.duplicate += 1
            else:
                self.skipped += 1
        elif outcome.report is not None:
            self.graded += 1
        elif outcome.exit_code == 2 and not outcome.internal:
            self.refused += 1
            self.worst = max(self.worst, 2)
        else:
            self.failed += 1
            self.worst = max(self.worst, 3 if outcome.exit_code == 3 else 2)

    def line(self) -> str:
        """The closing summary (every line accounted for)."""
        parts = [f"{self.graded} graded", f"{self.refused} refused", f"{self.failed} failed",
                 f"{self.duplicate} duplicate", f"{self.skipped} skipped"]
        if self.unchanged:
            since = f" since {self.since}" if self.since else ""
            parts.append(f"{self.unchanged} unchanged{since} (not written)")
        if self.not_run:
            parts.append(f"{self.not_run} not run")
        return f"{self.total} lines: " + ", ".join(parts)


def run(
    work: Iterable[Any],
    job: Job,
    jobs: int,
    write: Callable[[BatchItem], bool],
    tally: Tally,
    *,
    breaker: int = BREAKER,
    on_item: Callable[[Tally], None] | None = None,
    processes: int | None = None,
    in_flight: int | None = None,
) -> Tally:
    """Grade ``work`` (targets or rows; ``Settled`` lines are counted, not graded) and hand
    each result to ``write`` (False: graded but not written, ``--changed-since``). Stops early,
    with ``tally.stopped``, after ``breaker`` Hub failures in a row. ``processes`` and
    ``in_flight`` as for ``grade_all``."""
    def feed() -> Iterator[Any]:
        for entry in work:
            if isinstance(entry, Settled):
                tally.count(entry)
                if on_item is not None:
                    on_item(tally)
            else:
                yield entry

    in_a_row = 0
    for item in grade_all(feed(), job, jobs, processes, in_flight):
        if isinstance(item, Settled):  # a Recheck whose model had not changed
            tally.count(item)
            in_a_row = 0
            if on_item is not None:
                on_item(tally)
            continue
        if write(item) is False and item.report is not None:
            tally.unchanged += 1
        else:
            tally.count(item)
        in_a_row = in_a_row + 1 if item.exit_code == 3 else 0
        if on_item is not None:
            on_item(tally)
        if breaker and in_a_row >= breaker:
            tally.stopped = True
            tally.worst = max(tally.worst, 3)
            break
    return tally
