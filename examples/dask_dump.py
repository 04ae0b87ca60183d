"""Grade a Parquet card dump on a Dask cluster with owcheck's registry API.

``owcheck batch DUMP.parquet -j N`` grades a dump on the cores of one machine. Past one machine,
the same three pure steps of ``openweights.registry`` run on Dask's distributed scheduler; this
example is the whole recipe, and a test runs it on a local cluster
(``tests/batch/test_dask_example.py``)::

    pip install 'owcheck[dask]'
    python examples/dask_dump.py DUMP OUT                      # a local cluster on this machine
    python examples/dask_dump.py DUMP OUT --scheduler tcp://HOST:8786   # an existing cluster

``DUMP`` is a Parquet file or a folder of shards, as a local path or any fsspec URL every
worker can read (``s3://...``, or ``hf://datasets/librarian-bots/model_cards_with_metadata``
through huggingface_hub's file system), with at least the columns ``modelId`` and ``card``
(the others of ``registry.DUMP_COLUMNS`` are used where present). ``OUT`` receives
``reports/NNNNN.jsonl`` (one JSON report per graded row, as ``owcheck batch`` writes them) and
``errors/NNNNN.jsonl`` (``{"target", "error", "exit_code"}`` for each row that could not be
graded); one file of each per partition, a partition being one Parquet row group.

The steps, each a Dask bag over the row groups:

1. **extract**: ``registry.extract_row`` on every row (pure: no I/O). The bases each row names
   are gathered on the client: a small set of ids.
2. **resolve**: the rows those ids name are extracted again and ``registry.resolve`` builds the
   graph over them, sent once to every worker (``Client.scatter(..., broadcast=True)``). Bases
   the dump does not hold are judged from the catalogues and reported as not looked up (OW501),
   as ``owcheck batch`` does without ``--fill-from-hub``.
3. **grade**: ``registry.grade(graph.bundle(facts))`` for every row, written as JSON lines.

A row whose id is unusable, or whose grading crashes, becomes an error line; the others go on.
The first row of an id is graded and later rows with that id are left out, as in
``owcheck batch``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openweights import registry

# --------------------------------------------------------------------------- reading the dump


def row_groups(dump: str) -> list[tuple[str, int]]:
    """``(file, row group)`` for every row group of the dump's Parquet files, in order."""
    import fsspec
    import pyarrow.parquet as pq

    fs, root = fsspec.core.url_to_fs(dump)
    files = sorted(p for p in fs.find(root) if p.endswith(".parquet")) if fs.isdir(root) else [
        root]
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    prefix = "" if protocol == "file" else f"{protocol}://"
    out: list[tuple[str, int]] = []
    for path in files:
        with fs.open(path, "rb") as handle:
            groups = pq.ParquetFile(handle).num_row_groups
        out.extend((prefix + path, n) for n in range(groups))
    return out


def read_rows(part: tuple[str, int]) -> list[dict[str, Any]]:
    """The rows of one row group, with the columns ``registry.DUMP_COLUMNS`` the file has."""
    import fsspec
    import pyarrow.parquet as pq

    path, group = part
    with fsspec.open(path, "rb") as handle:
        parquet = pq.ParquetFile(handle)
        columns = [c for c in registry.DUMP_COLUMNS if c in parquet.schema_arrow.names]
        rows: list[dict[str, Any]] = parquet.read_row_group(group, columns=columns).to_pylist()
    return rows


# --------------------------------------------------------------------------- the three steps


def extract(rows: list[dict[str, Any]]) -> Iterator[registry.Facts | dict[str, Any]]:
    """Step 1 on one partition: each row's facts, or an error record for a row that has none."""
    for row in rows:
        try:
            yield registry.extract_row(row)
        except Exception as exc:  # an unusable id (InputError) or a card that breaks extraction
            yield _error(row, exc)


def bases_named(facts: Iterator[registry.Facts | dict[str, Any]]) -> set[str]:
    """The base-model ids one partition's rows name."""
    return {b for f in facts if isinstance(f, registry.Facts) for b in f.bases}


def ancestors(rows: list[dict[str, Any]], named: set[str]) -> list[registry.Facts]:
    """Step 2's input from one partition: the facts of the rows ``named`` as a base."""
    out: list[registry.Facts] = []
    for row in rows:
        try:
            if registry.normal_id(row.get("modelId")) in named:
                out.append(registry.extract_row(row))
        except Exception:  # the row is reported when it is graded
            continue
    return out


def grade(facts: Iterator[registry.Facts | dict[str, Any]], graph: registry.Graph,
          first: dict[str, tuple[int, int]], partition: int
          ) -> Iterator[tuple[str, str]]:
    """Step 3 on one partition: ``("report", line)`` or ``("error", line)`` per row; a row whose
    id an earlier row has (``first``: id -> (partition, position)) is left out."""
    for position, one in enumerate(facts):
        if not isinstance(one, registry.Facts):
            yield "error", json.dumps(one, ensure_ascii=False)
            continue
        if first.get(one.id, (partition, position)) != (partition, position):
            continue  # a duplicate: the first row with this id was graded
        try:
            yield "report", registry.report_line(registry.grade(graph.bundle(one)))
        except Exception as exc:  # a bug on one card must not stop the others
            yield "error", json.dumps(_error({"modelId": one.id}, exc), ensure_ascii=False)


def _error(row: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """The error line ``owcheck batch`` writes: unusable input (an ``InputError``, exit 2), or
    owcheck failing on the card (``internal``: a bug to report, retried on a later run)."""
    target = str(row.get("modelId") or row.get("id") or "?")
    code = getattr(exc, "exit_code", None)
    if isinstance(code, int):
        return {"target": target, "error": " ".join(str(exc).split()), "exit_code": code}
    reason = " ".join(f"internal error: {type(exc).__name__}: {exc}".split())[:500]
    return {"target": target, "error": reason, "exit_code": 2, "internal": True}


def ids(rows: list[dict[str, Any]]) -> list[str | None]:
    """Each row's normalised id (None for an unusable one)."""
    out: list[str | None] = []
    for row in rows:
        try:
            out.append(registry.normal_id(row.get("modelId")))
        except Exception:
            out.append(None)
    return out


# --------------------------------------------------------------------------- on Dask


def grade_dump(dump: str, out: str | Path, client: Any) -> tuple[int, int]:
    """Grade ``dump`` on ``client``'s cluster into ``out``; returns (reports, errors)."""
    import cloudpickle
    import dask.bag as db

    if __name__ != "__main__":  # imported: the workers get these functions by value
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    parts = row_groups(dump)
    # One partition per row group, each holding one chunk: (its number, its rows). Nothing is
    # kept between the steps: each reads its row groups again (cheaper than holding the cards).
    chunks = db.from_sequence(list(enumerate(parts)), npartitions=max(1, len(parts))).map(
        lambda part: (part[0], read_rows(part[1])))

    # 1. extract: the bases the rows name; where each id first appears (later rows skipped).
    named: set[str] = set()
    first: dict[str, tuple[int, int]] = {}
    for number, facts_named, chunk_ids in chunks.map(
            lambda c: (c[0], bases_named(extract(c[1])), ids(c[1]))).compute():
        named |= facts_named
        for position, key in enumerate(chunk_ids):
            if key is not None:
                first.setdefault(key, (number, position))

    # 2. resolve: the graph over the rows named as bases, sent to every worker once.
    held = chunks.map(lambda c: ancestors(c[1], named)).flatten().compute()
    graph = client.scatter(registry.resolve(held), broadcast=True)
    firsts = client.scatter(first, broadcast=True)

    # 3. grade: every row; each task writes its row group's two files.
    counts = chunks.map(write_chunk, graph, firsts, str(out)).compute()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def write_chunk(chunk: tuple[int, list[dict[str, Any]]], graph: registry.Graph,
                first: dict[str, tuple[int, int]], out: str) -> tuple[int, int]:
    """Grade one row group into ``OUT/reports/NNNNN.jsonl`` and ``OUT/errors/NNNNN.jsonl``;
    returns (reports, errors)."""
    import fsspec

    number, rows = chunk
    lines: dict[str, list[str]] = {"report": [], "error": []}
    for kind, line in grade(extract(rows), graph, first, number):
        lines[kind].append(line)
    for kind, folder in (("report", "reports"), ("error", "errors")):
        with fsspec.open(f"{out}/{folder}/{number:05d}.jsonl", "w", encoding="utf-8",
                         auto_mkdir=True) as handle:
            handle.write("".join(line + "\n" for line in lines[kind]))
    return len(lines["report"]), len(lines["error"])


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python examples/dask_dump.py DUMP OUT [--scheduler ADDRESS]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dump", help="Parquet file, folder of shards, or fsspec URL")
    parser.add_argument("out", type=Path, help="folder for reports/ and errors/")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler "
                        "(default: a local cluster on this machine)")
    parser.add_argument("--workers", type=int, default=2, help="local cluster's worker "
                        "processes (default 2)")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    if args.scheduler:
        client = Client(args.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1)
        client = Client(cluster)
    try:
        reports, errors = grade_dump(args.dump, args.out, client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"dask_dump: {reports} graded, {errors} errors; reports in {args.out / 'reports'}",
          file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
