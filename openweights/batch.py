"""Batch mode for registries: grade many models, one JSON report per line, resumably.

Input: one target per line (a Hub id, ``ORG/NAME@REV``, or a path); blank lines and ``#``
comments are skipped. Output: JSONL reports in input order. Targets that cannot be graded go
to a separate errors file (also JSONL), so the report stream stays valid against
``schemas/report.schema.json``. With ``resume``, targets already in the output (or recorded as
unusable input in the errors file) are skipped; Hub outages (exit 3) are always retried.

The unit of work is ``grade_one(target, job)``: fetch, grade and serialise one target, never
raising (a bad target is a ``BatchItem`` with an error). ``grade_all`` runs it for a stream of
targets on every core: worker processes (so grading is not held to one core by the GIL), each
running several targets at once on threads (so the waits on the network overlap), with at most
``jobs`` targets in flight and at most ``4 * jobs`` results held back to keep the output in
input order: memory does not grow with the length of the batch. The workers share one rate-limit
gate (``openweights.sources.http``), so a ``Retry-After`` seen by one slows them all. A worker
that dies is replaced; the targets it held are reported as failed (exit 3, retried on resume).

Worker processes are started with the ``spawn`` method: a program that calls ``grade_all`` with
``processes`` > 0 must guard its entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from openweights.choices import Letter
from openweights.config import Settings
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class BatchSummary:
    """Counts for the closing line and the exit code."""

    graded: int
    """Targets graded in this run."""
    skipped: int
    """Targets skipped because an earlier run already handled them."""
    failed_input: int
    """Targets that were unusable input (exit 2)."""
    failed_hub: int
    """Targets the Hub failed for (exit 3; retried on resume)."""


def subject_key(target: str) -> str:
    """What a report's ``subject.id`` will be for ``target`` (a pinned revision is dropped)."""
    return target.split("@", 1)[0] if "@" in target and not Path(target).exists() else target


def read_targets(lines: Iterable[str]) -> list[str]:
    """Targets from an ids file: stripped, without blanks, comments or duplicates."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return out


def done_targets(output: Path | None, errors: Path | None) -> set[str]:
    """Targets an earlier run already settled: reported, or refused as unusable input."""
    done: set[str] = set()
    for path, key in ((output, "report"), (errors, "error")):
        if path is None or not path.exists():
            continue
        with path.open(encoding="utf-8") as lines:  # line by line: outputs grow large
            for line in lines:
                try:
                    record: dict[str, Any] = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by an interrupted run is redone
                if key == "report":
                    target = (record.get("subject") or {}).get("id")
                else:
                    target = record.get("target") if record.get("exit_code") == 2 else None
                if isinstance(target, str):
                    done.add(subject_key(target))
    return done


# --------------------------------------------------------------------------- one target


def grade_one(target: str, job: GradeJob) -> BatchItem:
    """Fetch, grade and serialise one target (one session, ``openweights/session.py``).

    Never raises: a target that cannot be graded is an item with its error and exit code.
    """
    from openweights import session
    from openweights.choices import SourceChoice
    from openweights.secrets import scrub

    one = session.Target(target, SourceChoice.AUTO, job.revision, job.token, job.offline,
                         forge=None if job.forge else False, timeout=job.timeout,
                         lineage_ttl=job.lineage_ttl)
    try:
        report = session.check(one, job.settings).report
        line = json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
    except session.ERRORS as exc:
        return BatchItem(target, None, None, str(exc), exc.exit_code)
    except Exception as exc:  # a bug on one target must not stop the others
        detail = scrub(f"internal error: {type(exc).__name__}: {exc}", job.token)
        return BatchItem(target, None, None, " ".join(detail.split()), session.EXIT_INPUT)
    return BatchItem(target, line, report.grade.letter, None, 0)


# --------------------------------------------------------------------------- many targets


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def grade_all(
    targets: Iterable[str],
    job: GradeJob | None = None,
    jobs: int = 4,
    processes: int | None = None,
) -> Iterator[BatchItem]:
    """Grade every target, ``jobs`` at a time, yielding results in input order.

    ``processes``: worker processes (default: one per usable CPU, at most ``jobs``, and one per
    ``TARGETS_PER_WORKER`` targets of a list); 0 grades on threads in this process. ``targets``
    is consumed lazily, so it may be a stream.
    """
    job = job or GradeJob()
    jobs = max(1, min(jobs, MAX_JOBS))
    if processes is None:
        processes = min(jobs, usable_cpus())
        if isinstance(targets, Sized):
            # A worker's start-up (an interpreter and its imports) costs as much CPU as grading
            # a hundred models: a short list is graded faster in this process.
            processes = min(processes, -(-len(targets) // TARGETS_PER_WORKER))
        if processes == 1:
            processes = 0  # one worker process would only add its start-up time
    if processes <= 0:
        yield from _on_threads(targets, job, jobs)
    else:
        yield from _on_workers(targets, job, jobs, min(processes, jobs))


def _on_threads(targets: Iterable[str], job: GradeJob, jobs: int) -> Iterator[BatchItem]:
    if jobs == 1:
        for target in targets:
            yield grade_one(target, job)
        return
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        window: deque[Future[BatchItem]] = deque()
        for target in targets:
            window.append(pool.submit(grade_one, target, job))
            if len(window) >= jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


_worker_numbers = itertools.count(1)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: SpawnContext, job: GradeJob, gate: Any, threads: int) -> None:
        parent_end, child_end = ctx.Pipe()
        self.conn: Connection = parent_end
        self.process: SpawnProcess = ctx.Process(
            target=_worker_main, args=(child_end, job, gate, threads), daemon=True,
            name=f"owcheck-batch-worker-{next(_worker_numbers)}")
        self.process.start()
        child_end.close()
        self.held: dict[int, str] = {}
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
    targets: Iterable[str], job: GradeJob, jobs: int, processes: int
) -> Iterator[BatchItem]:
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
    done: dict[int, BatchItem] = {}
    deaths_in_a_row = 0
    finished = False
    try:
        while True:
            # Hand out targets while fewer than `jobs` are in flight and the window has room.
            while not exhausted and sum(len(w.held) for w in workers) < jobs and (
                    sent - next_out < WINDOW * jobs):
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
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and next_out == sent:
                finished = True
                return
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
                            target, None, None, "the worker process grading it died (exit code "
                            f"{worker.process.exitcode})", 3)
                    worker.conn.close()
                    workers[slot] = _Worker(ctx, job, gate, threads)
    finally:
        for worker in workers:
            worker.stop(graceful=finished)


def _worker_main(conn: Connection, job: GradeJob, gate: Any, threads: int) -> None:
    """A worker process: ``threads`` graders fed from the pipe, answers back on the pipe."""
    import queue
    import signal
    import threading

    from openweights.sources import http

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    http.share_gate(gate)
    tasks: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
    send_lock = threading.Lock()

    def serve() -> None:
        while True:
            task = tasks.get()
            if task is None:
                tasks.put(None)  # let the other graders see it too
                return
            index, target = task
            item = grade_one(target, job)
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


# --------------------------------------------------------------------------- output


def write_item(item: BatchItem, out: IO[str], errors: IO[str] | None) -> None:
    """Append one result: a report line to ``out``, or an error line to ``errors``."""
    if item.report is not None:
        out.write(item.report + "\n")
        out.flush()
    elif errors is not None:
        errors.write(json.dumps({"target": item.target, "exit_code": item.exit_code,
                                 "error": item.error}) + "\n")
        errors.flush()
