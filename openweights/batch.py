"""Batch mode for registries: grade many models, one JSON report per line, resumably.

Input: one target per line (a Hub id, ``ORG/NAME@REV``, or a path); blank lines and ``#``
comments are skipped. Output: JSONL reports in input order. Targets that cannot be graded go
to a separate errors file (also JSONL), so the report stream stays valid against
``schemas/report.schema.json``. With ``resume``, targets already in the output (or recorded as
unusable input in the errors file) are skipped; Hub outages (exit 3) are always retried.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openweights.report import Report
from openweights.sources import SourceError


@dataclass(frozen=True)
class BatchItem:
    """The outcome for one target."""

    target: str
    """The line as given."""
    report: Report | None
    """The report, when the target could be graded."""
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
        for line in path.read_text(encoding="utf-8").splitlines():
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


def grade_all(
    targets: list[str], grade: Callable[[str], Report], jobs: int = 4
) -> Iterator[BatchItem]:
    """Grade every target (``jobs`` at a time) with ``grade`` (one session per target, see
    ``openweights/session.py``), yielding results in input order."""

    def one(target: str) -> BatchItem:
        try:
            return BatchItem(target, grade(target), None, 0)
        except SourceError as exc:
            return BatchItem(target, None, str(exc), exc.exit_code)

    if jobs <= 1:
        yield from map(one, targets)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(one, targets)


def write_item(item: BatchItem, out: IO[str], errors: IO[str] | None) -> None:
    """Append one result: a report line to ``out``, or an error line to ``errors``."""
    if item.report is not None:
        record = item.report.to_dict()
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        out.flush()
    elif errors is not None:
        errors.write(json.dumps({"target": item.target, "exit_code": item.exit_code,
                                 "error": item.error}) + "\n")
        errors.flush()
