"""Batch results as Parquet, for registries that load them into a database.

One row per graded model, with stable columns (``COLUMNS``): the subject's id, its commit sha
and ``last_modified`` (either may be null), the grade and tier, the three components' verdicts
(each the least open of its four cells, ``open`` when all four are granted, as ``owcheck site``
shows them) and the whole JSON report (``schemas/report.schema.json``). Rows are written in
groups as they come (``ROWS_PER_GROUP``), so memory stays flat.

``pyarrow`` is optional (``pip install 'owcheck[registry]'``), imported only here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from openweights.licensing.features import Cell
from openweights.sources.dump import pyarrow_parquet

COLUMNS = ("id", "revision", "last_modified", "grade", "tier", "weights", "code", "data",
           "report")
"""The columns, in order; every one a string (null where unknown)."""
ROWS_PER_GROUP = 2048
"""Rows buffered before a row group is written."""

def component_verdict(component: Mapping[str, Any]) -> str:
    """A component's least open cell (``open`` when all four are granted)."""
    known = {c.value: c for c in Cell}
    marks = [known.get(str(v), Cell.UNKNOWN) for v in (component.get("freedoms") or {}).values()]
    if not marks:
        return Cell.UNKNOWN.value
    worst = max(marks, key=lambda c: c.rank)
    return "open" if worst is Cell.GRANTED else worst.value


def row_of(report: Mapping[str, Any], line: str) -> dict[str, str | None]:
    """The Parquet row of one report (``line`` is its JSON text)."""
    subject = report.get("subject") or {}
    comps = report.get("components") or {}
    return {
        "id": subject.get("id"),
        "revision": subject.get("revision"),
        "last_modified": subject.get("last_modified"),
        "grade": report.get("grade"),
        "tier": report.get("tier"),
        "weights": component_verdict(comps.get("weights") or {}),
        "code": component_verdict(comps.get("code") or {}),
        "data": component_verdict(comps.get("data") or {}),
        "report": line,
    }


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in COLUMNS])


class ParquetReports:
    """Writes report rows to ``path`` (a new file; ``close`` finishes it)."""

    def __init__(self, path: Path) -> None:
        pq = pyarrow_parquet()
        self.path = path
        self._writer = pq.ParquetWriter(str(path), _schema(), compression="zstd")
        self._rows: list[dict[str, str | None]] = []

    def write(self, row: dict[str, str | None]) -> None:
        """Add one row."""
        self._rows.append(row)
        if len(self._rows) >= ROWS_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        """Write the rows buffered so far as a row group."""
        if self._rows:
            import pyarrow as pa

            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=_schema()))
            self._rows = []

    def close(self) -> None:
        """Flush and finish the file."""
        self.flush()
        self._writer.close()


def read_rows(path: Path, columns: tuple[str, ...] = COLUMNS) -> Iterator[dict[str, Any]]:
    """The rows of a results file written by ``ParquetReports``, a group at a time."""
    pq = pyarrow_parquet()
    handle = pq.ParquetFile(str(path))
    for batch in handle.iter_batches(columns=list(columns)):
        yield from batch.to_pylist()
