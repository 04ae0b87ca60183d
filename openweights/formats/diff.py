"""``owcheck diff`` output: text for the terminal, JSON for machines, Markdown for a PR comment.

All three render a ``openweights.diff.SnapshotDiff``; models whose terms did not change are
counted, not listed (``show_unchanged`` lists them). Less-open changes are marked in every
format, because they are what makes ``owcheck diff`` exit 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from openweights.choices import DiffFormat
from openweights.diff import Change, Direction, FindingRef, ModelDiff, SnapshotDiff, Status
from openweights.formats.markdown import escape
from openweights.formats.visible import visible

MARK = {Direction.LESS_OPEN: "▼", Direction.MORE_OPEN: "▲", Direction.NEUTRAL: "·"}
MD_MARK = {Direction.LESS_OPEN: "🔻", Direction.MORE_OPEN: "🔺", Direction.NEUTRAL: ""}
FRAMEWORK_LABELS = {
    "osaid": "OSAID",
    "mof": "MOF class",
    "debian": "Debian",
    "fsf": "FSF",
    "open_weights_definition": "Open Weights Def.",
}


def label(change: Change) -> str:
    """A short name for the changed field (``weights · use``, ``base model org/x``)."""
    field = change.field
    if field.startswith("components."):
        _, comp, *rest = field.split(".")
        if rest[0] == "freedoms":
            return f"{comp} · {rest[1]}"
        return f"{comp} {'availability' if rest[0] == 'available' else rest[0]}"
    if field.startswith("frameworks."):
        name = field.split(".", 1)[1]
        return FRAMEWORK_LABELS.get(name, name)
    if field.startswith("lineage["):
        return f"base model {field[len('lineage['):-1]}"
    if field.startswith("datasets["):
        return f"dataset {field[len('datasets['):-1]}"
    return field


def value(v: Any) -> str:
    """A changed value as text: licenses as ``id (verdict)``, absent values as ``–``."""
    if v is None:
        return "–"
    if isinstance(v, dict):
        # A component license {id, verdict}, or a base model / dataset {id, license, verdict}.
        name = v.get("license") if "license" in v else v.get("id")
        lic = f"{name or 'no license'} ({v.get('verdict') or 'unknown'})"
        return f"{v['relation']}, {lic}" if v.get("relation") else lic
    return str(v)


def _revisions(m: ModelDiff) -> str:
    def short(rev: str | None) -> str:
        return rev[:12] if rev else "–"

    if m.old_revision == m.new_revision:
        return "" if m.new_revision is None else f"@{short(m.new_revision)}"
    return f"{short(m.old_revision)} → {short(m.new_revision)}"


def _verdict(m: ModelDiff) -> str:
    if m.status is Status.ADDED:
        return f"added (grade {m.new_grade})"
    if m.status is Status.REMOVED:
        return f"removed (was grade {m.old_grade})"
    if m.status is Status.UNCHANGED:
        return "unchanged"
    if m.less_open:
        return "less open"
    return "more open" if m.more_open else "changed"


def _finding(f: FindingRef) -> str:
    return f"{f.rule} {f.severity}: {f.message}"


def _summary(diff: SnapshotDiff) -> str:
    n = len(diff.models)
    less = diff.less_open_models
    parts = [f"{diff.count(s)} {s.value}" for s in Status if diff.count(s)]
    head = f"{n} model{'s' if n != 1 else ''} compared"
    tail = f"{less} got less open" if less else "none got less open"
    return f"{head}: {', '.join(parts) or 'none'}; {tail}"


def _listed(diff: SnapshotDiff, show_unchanged: bool) -> Iterator[ModelDiff]:
    """The models to list: those that changed, or every one with ``show_unchanged``."""
    return (m for m in diff.models if show_unchanged or m.status is not Status.UNCHANGED)


def render_text(diff: SnapshotDiff, show_unchanged: bool = False) -> str:
    """Plain text: one block per model that changed, then a summary line."""
    lines: list[str] = []
    for m in _listed(diff, show_unchanged):
        revs = _revisions(m)
        lines.append(f"{m.subject}{'  ' + revs if revs else ''}  {_verdict(m)}")
        width = max((len(label(c)) for c in m.changes), default=0)
        for c in m.changes:
            lines.append(
                f"  {MARK[c.direction]} {label(c):<{width}}  {value(c.old)} → {value(c.new)}"
            )
        lines += [f"  + {_finding(f)}" for f in m.findings_added]
        lines += [f"  - {_finding(f)}" for f in m.findings_removed]
        lines.append("")
    lines.append(_summary(diff))
    return visible("\n".join(lines)) + "\n"


def render_json(diff: SnapshotDiff) -> str:
    """The diff as indented JSON (``SnapshotDiff.to_dict``)."""
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _code(text: str) -> str:
    """An inline code span (HTML inside it is shown, not rendered) for a heading."""
    return "`" + " ".join(text.split()).replace("`", "'") + "`"


def render_markdown(diff: SnapshotDiff, show_unchanged: bool = False) -> str:
    """GitHub-flavoured Markdown for a pull-request comment or a job summary."""
    less = diff.less_open_models
    if less:
        head = f"## owcheck diff: 🔻 terms got less open ({less} model{'s' if less != 1 else ''})"
    elif any(m.more_open for m in diff.models):
        head = "## owcheck diff: 🔺 terms got more open, none less open"
    elif any(m.status is not Status.UNCHANGED for m in diff.models):
        head = "## owcheck diff: terms changed, none got less open"
    else:
        head = "## owcheck diff: no change"
    out = [head, ""]
    for m in _listed(diff, show_unchanged):
        revs = _revisions(m)
        out.append(f"### {_code(m.subject)} {escape(revs)} · {_verdict(m)}")
        out.append("")
        if m.changes:
            out += ["| | field | old | new |", "|---|---|---|---|"]
            for c in m.changes:
                out.append(
                    f"| {MD_MARK[c.direction]} | {escape(label(c))} | {escape(value(c.old))} "
                    f"| {escape(value(c.new))} |"
                )
            out.append("")
        for sign, found in (("added", m.findings_added), ("removed", m.findings_removed)):
            if found:
                out.append(f"Findings {sign}:")
                out += [f"- {escape(_finding(f))}" for f in found]
                out.append("")
    out.append(escape(_summary(diff)) + ".")
    return visible("\n".join(out)) + "\n"


def render_diff(
    diff: SnapshotDiff, fmt: DiffFormat | str, show_unchanged: bool = False
) -> str:
    """The diff in format ``fmt``; KeyError for an unknown name."""
    try:
        chosen = DiffFormat(fmt)
    except ValueError:
        raise KeyError(fmt) from None
    if chosen is DiffFormat.JSON:
        return render_json(diff)
    if chosen is DiffFormat.MARKDOWN:
        return render_markdown(diff, show_unchanged)
    return render_text(diff, show_unchanged)
