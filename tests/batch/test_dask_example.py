"""``examples/dask_dump.py``: a card dump graded on a Dask cluster (a local one, two worker
processes) gives the reports ``owcheck batch`` gives for the same dump, byte for byte."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.hub.dumps import dump_rows
from tests.hub.server import load_repos
from tests.support import ROOT, run_owcheck

pytest.importorskip("pyarrow")
pytest.importorskip("dask.distributed")


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dask_dump", ROOT / "examples" / "dask_dump.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_dump"] = module
    spec.loader.exec_module(module)
    return module


def _dump(folder: Path) -> int:
    """Two shards of small row groups: the fixture models (whose bases other rows name, across
    row groups and shards), two more copies under other names, an unusable id and a duplicate."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = dump_rows(load_repos().values())
    many = rows + [{**r, "modelId": f"{r['modelId']}-{n}"} for n in (1, 2) for r in rows]
    many.insert(7, {**rows[0], "modelId": "not an id"})
    many.append(dict(rows[3]))
    half = len(many) // 2
    folder.mkdir()
    for n, part in enumerate((many[half:], many[:half])[::-1]):
        pq.write_table(pa.Table.from_pylist(part), folder / f"part-{n}.parquet",
                       row_group_size=9)
    return len(many)


def test_the_dask_example_grades_as_owcheck_batch(tmp_path: Path) -> None:
    from dask.distributed import Client, LocalCluster

    dump = tmp_path / "dump"
    lines = _dump(dump)
    done = run_owcheck("batch", str(dump), "--isolated", "-o", str(tmp_path / "batch.jsonl"),
                       "--errors", str(tmp_path / "batch-errors.jsonl"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr  # the unusable id
    assert f"{lines} lines: {lines - 2} graded, 1 refused, 0 failed, 1 duplicate" in done.stderr

    example = _example()
    assert len(example.row_groups(str(dump))) > 4  # several partitions on the cluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        graded, errors = example.grade_dump(str(dump), tmp_path / "dask", client)
    assert (graded, errors) == (lines - 2, 1)

    by_batch = (tmp_path / "batch.jsonl").read_text(encoding="utf-8").splitlines()
    by_dask = [line for part in sorted((tmp_path / "dask" / "reports").glob("*.jsonl"))
               for line in part.read_text(encoding="utf-8").splitlines()]
    assert by_dask == by_batch  # the same reports, in the dump's order
    reports = [json.loads(line) for line in by_dask]
    assert len({r["grade"] for r in reports}) >= 3  # not one verdict for everything
    # A copy's bases are rows of the dump, in other row groups and shards: found, two levels.
    (chain,) = [r for r in reports if r["subject"]["id"] == "quants/chain-q4-gguf-2"]
    assert [(b["id"], b["found"]) for b in chain["lineage"]] == [
        ("tuners/chain-ft", True), ("basesco/chain-base", True)]

    failed = json.loads((tmp_path / "batch-errors.jsonl").read_text(encoding="utf-8"))
    (dask_error,) = [json.loads(line) for part in (tmp_path / "dask" / "errors").glob("*.jsonl")
                     for line in part.read_text(encoding="utf-8").splitlines()]
    assert dask_error == {k: failed[k] for k in ("target", "error", "exit_code")}


def test_the_dask_example_reads_a_dump_on_the_hub(tmp_path: Path) -> None:
    # As a user runs it: the command line, its own local cluster, the dump read from the
    # (loopback) Hub by every worker through huggingface_hub's file system.
    from tests.hub.dumps import DUMP_ID, dump_repo
    from tests.hub.server import LoopbackHub

    rows = dump_rows(load_repos().values())
    with LoopbackHub(extra_repos=dump_repo(rows, shards=2)) as hub:
        done = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "dask_dump.py"), f"hf://datasets/{DUMP_ID}",
             str(tmp_path / "out"), "--workers", "1"],
            cwd=tmp_path, env={**os.environ, **hub.env(tmp_path)}, capture_output=True,
            text=True, timeout=120)
        served = {r.path for r in hub.requests if r.path.endswith(".parquet")}
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"dask_dump: {len(rows)} graded, 0 errors" in done.stderr
    assert len(served) == 2
    reports = [json.loads(line) for part in sorted((tmp_path / "out" / "reports").glob("*.jsonl"))
               for line in part.read_text(encoding="utf-8").splitlines()]
    assert [r["subject"]["id"] for r in reports] == [r["modelId"] for r in rows]
