"""What changed between two reports, or two snapshots of many: ``owcheck diff``'s library part.

Pure: it reads report dicts (the JSON contract of ``openweights.report``) and returns frozen
results; reading files and grading targets is the command line's job, printing the formats'.

**Less open** is defined once, here (``direction``), from the orders the library already has:
a change is *less open* when its new value ranks worse than its old one on the grade order
(``Letter.rank``, a tier ranking as its letter), the license verdict rank
(``Verdict.rank``: open < restricted < unknown < not-open) or the cell rank (``Cell.rank``:
granted < limited < unknown < denied < absent). Every other change (a license id with the same
verdict, availability, frameworks, an ancestor or dataset added or removed, findings) is
reported but neutral: their effect on openness shows in the grade, the component licenses and the
cells, which are what the gate reads. A model present in only one snapshot is neutral too.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openweights.choices import Letter, Tier
from openweights.frameworks import FrameworkVerdicts
from openweights.grade import COMPONENTS
from openweights.licensing.features import Cell, Freedom
from openweights.licensing.grader import Verdict
from openweights.records import asdict, field, fields, record

SCHEMA_MAJOR = "1"
"""Report schema major version this module reads."""


class DiffInputError(ValueError):
    """Input that is not an owcheck report or snapshot (exit 2)."""


class Direction(str, enum.Enum):
    """Which way a change moved the terms."""

    LESS_OPEN = "less-open"
    MORE_OPEN = "more-open"
    NEUTRAL = "neutral"


class Order(str, enum.Enum):
    """The library orders a field is compared on."""

    GRADE = "grade"
    TIER = "tier"
    VERDICT = "verdict"
    CELL = "cell"
    NONE = "none"


_TIER_LETTER = {letter.tier: letter for letter in Letter}
FRAMEWORKS = tuple(f.name for f in fields(FrameworkVerdicts))
"""The frameworks' keys in the report, in report order."""


def rank(order: Order, value: str | None) -> int | None:
    """Position of ``value`` on ``order`` (higher is less open); None when it has none."""
    if value is None:
        return None
    try:
        if order is Order.GRADE:
            return Letter(value).rank
        if order is Order.TIER:
            return _TIER_LETTER[Tier(value)].rank
        if order is Order.VERDICT:
            return Verdict(value).rank
        if order is Order.CELL:
            return Cell(value).rank
    except (KeyError, ValueError):
        return None
    return None


def direction(order: Order, old: str | None, new: str | None) -> Direction:
    """The one definition of less open: the new value ranks worse on a library order."""
    before, after = rank(order, old), rank(order, new)
    if before is None or after is None or before == after:
        return Direction.NEUTRAL
    return Direction.LESS_OPEN if after > before else Direction.MORE_OPEN


JsonValue = str | dict[str, Any] | None


@record
class Change:
    """One field that differs between the old and the new report."""

    field: str
    """Dotted path in the report (``grade``, ``components.weights.freedoms.use``,
    ``lineage[org/base]``, ``datasets[org/data]``)."""
    old: JsonValue
    """The old value (a string, a small object for a license or a link), None when added."""
    new: JsonValue
    """The new value, None when removed."""
    direction: Direction
    """Less open, more open or neutral (see the module docstring)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {**asdict(self), "direction": self.direction.value}


@record
class FindingRef:
    """A finding, as far as the diff tells findings apart (the line may move freely)."""

    rule: str
    """Rule code."""
    severity: str
    """error / warning / info."""
    component: str | None
    """weights / code / data, or None."""
    message: str
    """The message."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


class Status(str, enum.Enum):
    """What happened to a model between the two sides."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ADDED = "added"
    REMOVED = "removed"


@record
class ModelDiff:
    """One model, old against new."""

    subject: str
    """Subject id (the new one when both exist)."""
    status: Status
    """changed, unchanged, added (only new) or removed (only old)."""
    old_revision: str | None = None
    """Revision of the old report."""
    new_revision: str | None = None
    """Revision of the new report."""
    old_grade: str | None = None
    """Old grade letter (None when added)."""
    new_grade: str | None = None
    """New grade letter (None when removed)."""
    changes: tuple[Change, ...] = ()
    """Field changes, in report order."""
    findings_added: tuple[FindingRef, ...] = ()
    """Active findings only in the new report."""
    findings_removed: tuple[FindingRef, ...] = ()
    """Active findings only in the old report."""

    @property
    def less_open(self) -> bool:
        """True when any change made the terms less open."""
        return any(c.direction is Direction.LESS_OPEN for c in self.changes)

    @property
    def more_open(self) -> bool:
        """True when any change made the terms more open."""
        return any(c.direction is Direction.MORE_OPEN for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "subject": self.subject,
            "status": self.status.value,
            "less_open": self.less_open,
            "revision": {"old": self.old_revision, "new": self.new_revision},
            "grade": {"old": self.old_grade, "new": self.new_grade},
            "changes": [c.to_dict() for c in self.changes],
            "findings": {
                "added": [f.to_dict() for f in self.findings_added],
                "removed": [f.to_dict() for f in self.findings_removed],
            },
        }


DIFF_SCHEMA_VERSION = "1.0"


@record
class SnapshotDiff:
    """Every model of two snapshots (or two single reports), old against new."""

    models: tuple[ModelDiff, ...] = field(default=())
    """One entry per model, in the new snapshot's order, then those only in the old one."""

    @property
    def less_open_models(self) -> int:
        """How many models' terms got less open."""
        return sum(m.less_open for m in self.models)

    @property
    def less_open(self) -> bool:
        """True when any model's terms got less open: ``owcheck diff`` exits 1."""
        return self.less_open_models > 0

    def count(self, status: Status) -> int:
        """How many models have ``status``."""
        return sum(m.status is status for m in self.models)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``owcheck diff --format json``)."""
        return {
            "diff_schema_version": DIFF_SCHEMA_VERSION,
            "less_open": self.less_open,
            "summary": {
                "models": len(self.models),
                "less_open": self.less_open_models,
                **{s.value: self.count(s) for s in Status},
            },
            "models": [m.to_dict() for m in self.models],
        }


# --------------------------------------------------------------------------- reading reports


_REQUIRED = ("schema_version", "subject", "grade", "tier", "components")


def check_report(data: Any, where: str) -> dict[str, Any]:
    """``data`` if it is an owcheck report this module can read; else DiffInputError."""
    if not isinstance(data, dict):
        raise DiffInputError(f"{where}: not an owcheck report (a JSON object is expected)")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise DiffInputError(f"{where}: not an owcheck report (no {missing[0]!r})")
    version = str(data["schema_version"])
    if version.split(".", 1)[0] != SCHEMA_MAJOR:
        raise DiffInputError(
            f"{where}: report schema_version {version} is not supported (1.x expected)"
        )
    subject = data["subject"]
    if not isinstance(subject, dict) or not isinstance(subject.get("id"), str):
        raise DiffInputError(f"{where}: report has no subject.id")
    if not isinstance(data["components"], dict):
        raise DiffInputError(f"{where}: report components is not an object")
    return data


def parse_reports(text: str, name: str) -> list[dict[str, Any]]:
    """The reports in ``text``: one JSON report, or JSONL (one report per line)."""
    stripped = text.strip()
    if not stripped:
        raise DiffInputError(f"{name}: empty file, no report in it")
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    else:
        if isinstance(whole, list):
            return [check_report(r, f"{name}: item {i}") for i, r in enumerate(whole, 1)]
        return [check_report(whole, name)]
    reports = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DiffInputError(f"{name}: line {number}: not JSON ({exc.msg})") from None
        reports.append(check_report(record, f"{name}: line {number}"))
    return reports


# --------------------------------------------------------------------------- comparing


def _get(data: Mapping[str, Any], *path: str) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _license(data: Any) -> dict[str, Any]:
    lic = data if isinstance(data, Mapping) else {}
    return {"id": lic.get("id"), "verdict": lic.get("verdict")}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _scalar(out: list[Change], path: str, old: Any, new: Any, order: Order) -> None:
    old_s, new_s = _text(old), _text(new)
    if old_s != new_s:
        out.append(Change(path, old_s, new_s, direction(order, old_s, new_s)))


def _license_change(out: list[Change], path: str, old: Any, new: Any) -> None:
    before, after = _license(old), _license(new)
    if before != after:
        out.append(Change(path, before, after,
                          direction(Order.VERDICT, before["verdict"], after["verdict"])))


def _keyed(items: Any, key: str = "id") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get(key), str):
            out.setdefault(item[key], dict(item))
    return out


def _link(item: Mapping[str, Any] | None, extra: Sequence[str]) -> dict[str, Any] | None:
    if item is None:
        return None
    lic = _license(item.get("license"))
    return {
        "id": item.get("id"),
        **{k: item.get(k) for k in extra},
        "license": lic["id"],
        "verdict": lic["verdict"],
    }


def _members(out: list[Change], name: str, old: Any, new: Any, extra: Sequence[str]) -> None:
    """Lineage links or datasets, matched by id."""
    before, after = _keyed(old), _keyed(new)
    for ident in [*after, *(i for i in before if i not in after)]:
        was, now = _link(before.get(ident), extra), _link(after.get(ident), extra)
        if was == now:
            continue
        verdicts = (was or {}).get("verdict"), (now or {}).get("verdict")
        moved = direction(Order.VERDICT, *verdicts) if was and now else Direction.NEUTRAL
        out.append(Change(f"{name}[{ident}]", was, now, moved))


def _findings(report: Mapping[str, Any]) -> dict[FindingRef, None]:
    out: dict[FindingRef, None] = {}
    for f in report.get("findings") or []:
        if not isinstance(f, Mapping) or f.get("suppressed") is not None:
            continue
        ref = FindingRef(
            str(f.get("rule")), str(f.get("severity")),
            _text(f.get("component")), str(f.get("message")),
        )
        out[ref] = None
    return out


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every field change from ``old`` to ``new``, in report order (findings apart)."""
    out: list[Change] = []
    _scalar(out, "grade", old.get("grade"), new.get("grade"), Order.GRADE)
    _scalar(out, "tier", old.get("tier"), new.get("tier"), Order.TIER)
    for comp in COMPONENTS:
        base = f"components.{comp}"
        was, now = _get(old, "components", comp) or {}, _get(new, "components", comp) or {}
        _scalar(out, f"{base}.available", was.get("available"), now.get("available"),
                Order.NONE)
        _license_change(out, f"{base}.license", was.get("license"), now.get("license"))
        for freedom in Freedom:
            _scalar(out, f"{base}.freedoms.{freedom.value}",
                    _get(was, "freedoms", freedom.value), _get(now, "freedoms", freedom.value),
                    Order.CELL)
    for name in FRAMEWORKS:
        _scalar(out, f"frameworks.{name}", _get(old, "frameworks", name),
                _get(new, "frameworks", name), Order.NONE)
    _members(out, "lineage", old.get("lineage"), new.get("lineage"), ("relation",))
    _members(out, "datasets", old.get("datasets"), new.get("datasets"), ())
    return out


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ModelDiff:
    """One model's report, old against new."""
    found = changes(old, new)
    before, after = _findings(old), _findings(new)
    added = tuple(f for f in after if f not in before)
    removed = tuple(f for f in before if f not in after)
    return ModelDiff(
        subject=str(_get(new, "subject", "id")),
        status=Status.CHANGED if found or added or removed else Status.UNCHANGED,
        old_revision=_text(_get(old, "subject", "revision")),
        new_revision=_text(_get(new, "subject", "revision")),
        old_grade=_text(old.get("grade")),
        new_grade=_text(new.get("grade")),
        changes=tuple(found),
        findings_added=added,
        findings_removed=removed,
    )


def _alone(report: Mapping[str, Any], status: Status) -> ModelDiff:
    revision, grade = _text(_get(report, "subject", "revision")), _text(report.get("grade"))
    subject = str(_get(report, "subject", "id"))
    if status is Status.ADDED:
        return ModelDiff(subject, status, new_revision=revision, new_grade=grade)
    return ModelDiff(subject, status, old_revision=revision, old_grade=grade)


def _by_subject(reports: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], Mapping[str, Any]]:
    """Reports keyed by (subject id, occurrence): a batch may grade one id at two revisions."""
    seen: dict[str, int] = {}
    out: dict[tuple[str, int], Mapping[str, Any]] = {}
    for report in reports:
        ident = str(_get(report, "subject", "id"))
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        out[(ident, n)] = report
    return out


def diff_snapshots(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> SnapshotDiff:
    """Two snapshots, matched by subject id. One report on each side is always compared (a local
    checkout against the report of the published model has two different ids)."""
    if len(old) == 1 and len(new) == 1:
        return SnapshotDiff((diff_reports(old[0], new[0]),))
    before, after = _by_subject(old), _by_subject(new)
    models = [
        diff_reports(before[key], report) if key in before else _alone(report, Status.ADDED)
        for key, report in after.items()
    ]
    models += [_alone(report, Status.REMOVED) for key, report in before.items()
               if key not in after]
    return SnapshotDiff(tuple(models))


class ChangeFilter:
    """Tells which new reports differ from a previous snapshot (``owcheck batch --changed-since``).

    A report differs when its model is new or any compared field or active finding changed; a
    new revision with the same terms does not count.
    """

    def __init__(self, previous: Iterable[Mapping[str, Any]]) -> None:
        self._previous: dict[str, Mapping[str, Any]] = {}
        for report in previous:
            self._previous[str(_get(report, "subject", "id"))] = report

    def changed(self, report: Mapping[str, Any]) -> bool:
        """True when ``report`` should be emitted."""
        before = self._previous.get(str(_get(report, "subject", "id")))
        return before is None or diff_reports(before, report).status is Status.CHANGED
