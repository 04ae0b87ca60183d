"""openweights.batch.grade_all on worker processes, against the loopback Hub.

The library is called in this process; the workers are real spawned processes that read the
loopback Hub's environment (huggingface_hub reads it at import, so nothing here fetches from the
Hub in the test process itself). The command line's batch tests are in test_batch.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openweights.batch import BatchItem, GradeJob, grade_all
from tests.hub.server import Fault, LoopbackHub
from tests.support import FIXTURES, validate_report

IDS = ["acme/plain-7b", "launder/llama-style-lora", "acme/does-not-exist",
       str(FIXTURES / "repos" / "tier-f"), "openlab/fully-open-1b", "acme/three-data"]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LoopbackHub]:
    with LoopbackHub() as server:
        for key, value in server.env(tmp_path).items():
            monkeypatch.setenv(key, value)  # the spawned workers inherit it
        monkeypatch.setenv("OWCHECK_HTTP_BACKOFF", "0.05")
        yield server


def _outcome(items: list[BatchItem]) -> list[tuple[str, str | None, int]]:
    return [(i.target, i.grade.value if i.grade else None, i.exit_code) for i in items]


def test_processes_grade_in_input_order_like_one_thread(hub: LoopbackHub) -> None:
    # The first model's card drips slowly: it finishes last but is still yielded first.
    hub.inject(Fault("drip", match="/acme/plain-7b/resolve/*/README.md", interval=0.003))
    items = list(grade_all(IDS, GradeJob(timeout=30), jobs=4, processes=2))
    assert _outcome(items)[:5] == [
        ("acme/plain-7b", "C", 0), ("launder/llama-style-lora", "D", 0),
        ("acme/does-not-exist", None, 2), (IDS[3], "F", 0), ("openlab/fully-open-1b", "A", 0)]
    assert items[5].target == "acme/three-data" and items[5].exit_code == 0
    for item in items:
        if item.report is not None:
            report = json.loads(item.report)
            validate_report(report)
            assert "\n" not in item.report
    assert "was not found on the Hub" in (items[2].error or "")
    # One worker process running three threads: the same lines.
    again = list(grade_all(IDS, GradeJob(timeout=30), jobs=3, processes=1))
    assert [i.report for i in again] == [i.report for i in items]


def test_no_more_than_jobs_targets_in_flight(hub: LoopbackHub) -> None:
    hub.inject(Fault("hang", match="*/resolve/*"))
    ids = ["acme/plain-7b", "acme/no-license", "openlab/fully-open-1b", "acme/three-data"]
    items = list(grade_all(iter(ids), GradeJob(timeout=3.0), jobs=2, processes=2))
    assert [i.exit_code for i in items] == [3, 3, 3, 3]
    assert all("deadline" in (i.error or "") for i in items)
    infos = sorted(r.time for r in hub.requests if r.path.startswith("/api/models/"))
    # Two targets were let out; the other two waited for a free place (a deadline later).
    assert len(infos) == 4
    assert infos[2] - infos[0] > 1.5, infos


def test_a_retry_after_seen_by_one_worker_holds_back_all(hub: LoopbackHub) -> None:
    hub.latency = 0.05
    # Mid-batch, one info call is answered 429 "retry after 1 s".
    hub.inject(Fault("status", match="/api/*", status=429, count=1, after=4,
                     headers={"Retry-After": "1"}))
    ids = ["acme/plain-7b", "acme/no-license", "openlab/fully-open-1b", "acme/three-data",
           "mergers/two-base-merge", "quants/chain-q4-gguf", "mergers/diamond-merge"]
    items = list(grade_all(ids, GradeJob(timeout=30), jobs=6, processes=2))
    assert [i.exit_code for i in items] == [0] * len(ids)
    log = hub.requests
    (limited,) = [r for r in log if r.status == 429]
    # Requests already on their way may land just after; then nothing until the second passed.
    quiet = [r for r in log if limited.time + 0.3 < r.time < limited.time + 1.0]
    assert quiet == [], [(r.path, round(r.time - limited.time, 3)) for r in quiet]
    assert [r for r in log if r.time >= limited.time + 1.0]


def test_a_worker_that_dies_is_replaced(hub: LoopbackHub) -> None:
    hub.inject(Fault("hang", match="/api/models/acme/plain-7b"))
    ids = ["acme/plain-7b", "acme/no-license", "openlab/fully-open-1b"]
    stream = grade_all(ids, GradeJob(timeout=20), jobs=2, processes=2)
    killer = threading.Thread(target=_kill_the_worker_holding, args=(hub,))
    killer.start()
    items = list(stream)
    killer.join()
    assert items[0].exit_code == 3 and "worker process grading it died" in (items[0].error or "")
    assert [(i.target, i.exit_code) for i in items[1:]] == [(t, 0) for t in ids[1:]]


def _kill_the_worker_holding(hub: LoopbackHub) -> None:
    """Once the hanging request arrived, kill the worker that sent it: the batch's first worker
    (the first target goes to the first of equally loaded workers)."""
    deadline = time.monotonic() + 30
    while not [r for r in hub.requests if r.fault == "hang"]:
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    workers = [c for c in multiprocessing.active_children()
               if c.name.startswith("owcheck-batch-worker-")]
    first = min(workers, key=lambda c: int(c.name.rsplit("-", 1)[1]))
    assert first.pid is not None
    os.kill(first.pid, signal.SIGKILL)
    hub.clear_faults()


def test_a_base_shared_by_the_batch_is_asked_for_once(hub: LoopbackHub) -> None:
    ids = ["tuners/chain-ft", "tuners/sibling-ft", "quants/chain-q4-gguf"]
    items = list(grade_all(ids, GradeJob(), jobs=1, processes=1))
    assert [i.exit_code for i in items] == [0, 0, 0]
    infos = [r.path for r in hub.requests if r.path.startswith("/api/")]
    assert infos.count("/api/models/basesco/chain-base") == 1
    assert infos.count("/api/models/tuners/chain-ft") == 1  # the subject, later an ancestor
    # Each subject is asked afresh, and a single run does not reuse what a batch read.
    hub.reset_log()
    list(grade_all(["tuners/chain-ft"], GradeJob(lineage_ttl=0), jobs=1, processes=1))
    assert [r.path for r in hub.requests if r.path.startswith("/api/")] == [
        "/api/models/tuners/chain-ft", "/api/models/basesco/chain-base"]
