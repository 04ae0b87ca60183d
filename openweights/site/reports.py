"""Reading the reports a site is built from: JSONL files of owcheck reports, checked line by line.

A line is accepted when it is a JSON object shaped like ``schemas/report.schema.json`` with a
``schema_version`` whose major part this owcheck reads (1). The check is the report schema
relaxed for forward compatibility within the major version: keys added by a later minor version
are allowed, and values outside an enum are allowed (rendered neutrally) except for ``grade``
and ``tier``, which the index sorts and filters by. Every string is still untrusted: the
renderers escape it.

A bad line does not stop the others: it is recorded as a ``LineProblem`` (file, line, reason)
and skipped. When a model appears more than once, the later report wins (a later file, or a
later line, is a newer run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from openweights.resources import schema_path
from openweights.schema_check import Schema, compile_schema, validate

READ_MAJOR = "1"
"""The ``schema_version`` major this owcheck reads."""
STRICT_ENUMS = frozenset({"grade", "tier"})
"""Top-level keys whose enums are kept when the schema is relaxed."""
MAX_LINE_CHARS = 64 * 1024 * 1024
"""A longer line is refused unread (a report is a few kilobytes)."""


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate (valid JSON, not valid UTF-8) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class SiteInputError(Exception):
    """Input the site cannot be built from at all (a missing or unreadable file): one line."""


@dataclass(frozen=True)
class LineProblem:
    """A line that was skipped, and why."""

    path: str
    """The file as given."""
    line: int
    """1-based line number."""
    message: str
    """One line: what is wrong with it."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class LoadedReports:
    """The reports read, in input order (one per model), and what was skipped."""

    reports: tuple[dict[str, Any], ...]
    """Valid reports, one per ``subject.id``, the last one read for each."""
    problems: tuple[LineProblem, ...]
    """Lines that were not usable reports."""
    replaced: int
    """Reports superseded by a later report of the same model."""


def _relax(node: Any, top: bool = True) -> Any:
    """The report schema without ``additionalProperties`` and with enums widened to types."""
    if isinstance(node, list):
        return [_relax(item, False) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "additionalProperties":
            continue
        if key == "pattern":
            continue  # schema_version's major is checked first, with its own message
        if key == "properties" and top:
            out[key] = {
                k: (v if k in STRICT_ENUMS else _relax(v, False)) for k, v in value.items()
            }
        else:
            out[key] = _relax(value, False)
    if "enum" in out and "type" not in out:
        kinds = sorted({_json_kind(v) for v in out.pop("enum")})
        out["type"] = kinds[0] if len(kinds) == 1 else kinds
    return out


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "string"


@cache
def _schema() -> Schema:
    raw = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
    relaxed = _relax(raw)
    # The $defs enums (verdict, cell) are widened too: the relaxation walks every node.
    return compile_schema(relaxed)


def check_report(record: Any) -> str | None:
    """Why ``record`` is not a report this owcheck can render, or None when it is."""
    if not isinstance(record, dict):
        kind = "a list" if isinstance(record, list) else f"a JSON {_json_kind(record)}"
        return f"not an owcheck report ({kind}, not an object)"
    version = record.get("schema_version")
    if not isinstance(version, str):
        return "not an owcheck report (no schema_version)"
    major = version.split(".", 1)[0]
    if major != READ_MAJOR:
        shown = version[:20] + ("…" if len(version) > 20 else "")
        return (
            f"report schema_version {shown!r} is not supported "
            f"(this owcheck reads {READ_MAJOR}.x)"
        )
    issues = validate(record, _schema())
    if issues:
        first = issues[0].message
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        return f"not a valid owcheck report: {first}{more}"
    if not record["subject"]["id"].strip():
        return "not a valid owcheck report: subject.id is empty"
    return None


def parse_lines(lines: Iterable[str], name: str) -> tuple[list[dict[str, Any]], list[LineProblem]]:
    """Reports and problems from the lines of the JSONL file ``name``; blank lines are skipped."""
    reports: list[dict[str, Any]] = []
    problems: list[LineProblem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append(LineProblem(name, number, "line too long to be a report"))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(LineProblem(name, number, f"not JSON ({exc.msg})"))
            continue
        except RecursionError:
            problems.append(LineProblem(name, number, "not JSON (nested too deeply)"))
            continue
        if _SURROGATE_ESCAPE.search(line):
            record = _without_lone_surrogates(record)
        reason = check_report(record)
        if reason is not None:
            problems.append(LineProblem(name, number, reason))
            continue
        reports.append(record)
    return reports, problems


def _lines(path: Path) -> Iterable[str]:
    """The lines of ``path``, decoded as UTF-8 (a byte-order mark is dropped; undecodable bytes
    become U+FFFD, so such a line fails as JSON or shows the mark, never crashes the build)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="\n") as handle:
        yield from handle


def read_reports(paths: Sequence[str | Path], stdin: Iterable[str] | None = None) -> LoadedReports:
    """Read every file in ``paths``; SiteInputError if one cannot be read.

    ``-`` names ``stdin`` when it is given. All files are checked for existence before any is
    read, so a typo in the last name costs nothing.
    """
    for given in paths:
        path = Path(given)
        if str(given) == "-" and stdin is not None:
            continue
        if not path.exists():
            raise SiteInputError(f"{given}: no such file")
        if path.is_dir():
            raise SiteInputError(f"{given}: is a directory, not a JSONL file of reports")
    collected: list[dict[str, Any]] = []
    problems: list[LineProblem] = []
    for given in paths:
        try:
            if str(given) == "-" and stdin is not None:
                reports, found = parse_lines(stdin, "<stdin>")
            else:
                reports, found = parse_lines(_lines(Path(given)), str(given))
        except OSError as exc:
            raise SiteInputError(f"{given}: cannot be read ({exc.strerror or exc})") from exc
        collected.extend(reports)
        problems.extend(found)
    unique, replaced = latest_per_model(collected)
    return LoadedReports(tuple(unique), tuple(problems), replaced)


def latest_per_model(
    reports: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """One report per ``subject.id`` (the last one), in order of first appearance, and how many
    earlier ones were dropped."""
    latest: dict[str, dict[str, Any]] = {}
    replaced = 0
    for report in reports:
        key = report["subject"]["id"]
        if key in latest:
            replaced += 1
        latest[key] = dict(report)
    return list(latest.values()), replaced
