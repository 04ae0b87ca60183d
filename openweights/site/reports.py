"""Reading the reports a site is built from: JSONL files of owcheck reports, checked line by line.

A line is accepted when it is a JSON object with a ``schema_version`` whose major part this
owcheck reads (1) and every key the site reads, of the right JSON type: ``READS`` below, the
keys every 1.x report has (those of 1.0, ``schemas/report.schema.json``). A report of any 1.x
minor version is read, older or newer: keys a later minor version adds are neither required
nor refused (the pages show the ones they know, such as 1.2's ``stages``), and a value outside
an enum is shown as itself, neutrally, except for ``grade`` and ``tier``, which the index
sorts and filters by. Every string is untrusted all the same: the renderers escape it.

A bad line does not stop the others: it is recorded as a ``LineProblem`` (file, line, reason)
and skipped. When a model appears more than once, the later report wins (a later file, or a
later line, is a newer run).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openweights.choices import Letter, Tier
from openweights.patterns import lazy
from openweights.records import record

READ_MAJOR = "1"
"""The ``schema_version`` major this owcheck reads."""
MAX_LINE_CHARS = 64 * 1024 * 1024
"""A longer line is refused unread (a report is a few kilobytes)."""


_SURROGATE_ESCAPE = lazy(r"\\u[dD][89a-fA-F]")
_SURROGATE = lazy("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate (valid JSON, not valid UTF-8) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE().sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class SiteInputError(Exception):
    """Input the site cannot be built from at all (a missing or unreadable file): one line."""


@record
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


@record
class LoadedReports:
    """The reports read, in input order (one per model), and what was skipped."""

    reports: tuple[dict[str, Any], ...]
    """Valid reports, one per ``subject.id``, the last one read for each."""
    problems: tuple[LineProblem, ...]
    """Lines that were not usable reports."""
    replaced: int
    """Reports superseded by a later report of the same model."""


_STR = (str,)
_STR_OR_NULL = (str, type(None))
_FOUR = {"use": _STR, "study": _STR, "modify": _STR, "share": _STR}
_COMPONENT = {
    "available": _STR,
    "license": {"id": _STR_OR_NULL, "name": _STR_OR_NULL, "verdict": _STR, "source": _STR},
    "freedoms": _FOUR,
    "reasons": _FOUR,
    "evidence": [{"claim": _STR, "origin": _STR}],
}
_SHORT_LICENSE = {"id": _STR_OR_NULL, "verdict": _STR}
READS: dict[str, Any] = {
    "schema_version": _STR,
    "tool": {"name": _STR, "version": _STR},
    "subject": {"id": _STR, "source": _STR, "revision": _STR_OR_NULL},
    "grade": frozenset(Letter.values()),
    "tier": frozenset(Tier.values()),
    "reason": _STR,
    "components": {"weights": _COMPONENT, "code": _COMPONENT, "data": _COMPONENT},
    "frameworks": {"osaid": _STR, "mof": _STR, "debian": _STR, "fsf": _STR,
                   "open_weights_definition": _STR},
    "lineage": [{"id": _STR, "relation": _STR_OR_NULL, "child": _STR, "found": (bool,),
                 "license": _SHORT_LICENSE}],
    "datasets": [{"id": _STR, "found": (bool, type(None)), "license": _SHORT_LICENSE}],
    "findings": [{
        "rule": _STR, "name": _STR, "severity": _STR, "message": _STR,
        "component": _STR_OR_NULL, "location": {"path": _STR_OR_NULL, "line": (int, type(None))},
        "fix": _STR, "url": _STR, "suppressed": _STR_OR_NULL,
    }],
    "unused_suppressions": [{"rule": _STR, "line": (int,)}],
}
"""What the site reads of a report, as nested mappings (objects), one-item lists (arrays of
such items), tuples of Python types (JSON types) and sets (the allowed values)."""
_KIND = {str: "a string", type(None): "null", bool: "true/false", int: "a whole number"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return "a string" if isinstance(value, str) else "a number"


def _problem(value: Any, spec: Any, path: str) -> str | None:
    """The first way ``value`` falls short of ``spec`` (see ``READS``), or None."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return f"{path or 'the report'} must be an object, not {_json_kind(value)}"
        for key, inner in spec.items():
            where = f"{path}.{key}" if path else key
            if key not in value:
                return f"{where} is missing"
            found = _problem(value[key], inner, where)
            if found:
                return found
        return None
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{path} must be a list, not {_json_kind(value)}"
        for i, item in enumerate(value):
            found = _problem(item, spec[0], f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(spec, frozenset):
        if isinstance(value, str) and value in spec:
            return None
        return f"{path} must be one of {', '.join(sorted(spec))}, not {_shown(value)}"
    # JSON true is not a number, though Python's bool is an int.
    if isinstance(value, spec) and (bool in spec or not isinstance(value, bool)):
        return None
    wanted = " or ".join(_KIND[t] for t in spec)
    return f"{path} must be {wanted}, not {_json_kind(value)}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:39] + "…"


def check_report(record: Any) -> str | None:
    """Why ``record`` is not a report this owcheck can render, or None when it is."""
    if not isinstance(record, dict):
        kind = "a list" if isinstance(record, list) else _json_kind(record)
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
    problem = _problem(record, READS, "")
    if problem is not None:
        return f"not a valid owcheck report: {problem}"
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
        if _SURROGATE_ESCAPE().search(line):
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
