"""``--format markdown``: the scorecard as GitHub-flavoured Markdown.

For job summaries (``$GITHUB_STEP_SUMMARY``) and pull-request comments: the grade and tier as a
headline, the component x freedom grid as a table with each cell's reason, the frameworks, then
the findings. Text from cards and licenses is escaped so it cannot break the table or inject
HTML.
"""

from __future__ import annotations

from openweights.formats.locations import finding_path
from openweights.formats.summary import code_parts, stage_parts
from openweights.formats.visible import visible
from openweights.grade import COMPONENTS
from openweights.licensing.features import Cell, Freedom
from openweights.report import Report
from openweights.rules import Finding, Severity

MARKS = {
    Cell.GRANTED: "✔",
    Cell.LIMITED: "~",
    Cell.DENIED: "✘",
    Cell.ABSENT: "–",
    Cell.UNKNOWN: "?",
}
SEVERITY_ICON = {Severity.ERROR: "🛑", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
MAX_FINDING_ROWS = 200
"""Rows of the findings table; a job summary is capped at 1 MiB per step."""


def escape(text: str) -> str:
    """Text safe inside a table cell: no HTML, no pipes, no line breaks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return " ".join(text.split())


def _code(text: str) -> str:
    """An inline code span that survives backticks in ``text``."""
    text = " ".join(text.split()).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _location(report: Report, f: Finding) -> str:
    path = finding_path(report, f)
    return _code(f"{path}:{f.line}" if f.line else path)


def headline(report: Report) -> str:
    """``## owcheck: D · restricted-weights`` and the one-line reason."""
    g = report.grade
    where = report.subject_id + (f"@{report.revision[:12]}" if report.revision else "")
    return (
        f"## owcheck: **{g.letter}** · {g.tier}\n\n"
        f"{_code(where)} ({report.source}): {escape(g.reason)}\n"
    )


def grid(report: Report) -> str:
    """The component x freedom table."""
    g = report.grade
    rows = ["| | " + " | ".join(f.value for f in Freedom) + " |", "|---" * 5 + "|"]
    for name in COMPONENTS:
        comp = g.components[name]
        ev = comp.evidence
        lic = ev.license.entry.id if ev.license.entry else (ev.license.raw or "no license")
        head = f"**{name}**<br>{escape(ev.availability)}<br>{escape(lic)}"
        cells = []
        for freedom in Freedom:
            cell = comp.cells[freedom]
            cells.append(
                f"{MARKS[cell.mark]} {cell.mark.value}<br><sub>{escape(cell.reason)}</sub>"
            )
        rows.append(f"| {head} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def context(report: Report) -> str:
    """Frameworks, lineage and datasets, one line each."""
    fw = report.grade.frameworks
    lines = [
        f"**Frameworks:** OSAID {fw.osaid} · MOF {fw.mof} · Debian {fw.debian} · "
        f"FSF {fw.fsf} · Open Weights Definition {fw.open_weights_definition}"
    ]
    ev = report.evidence
    if ev.lineage:
        parts = []
        for link in ev.lineage:
            lic = link.license.entry.id if link.license.entry else "?"
            state = "" if link.found else ", not found"
            parts.append(
                f"{escape(link.relation or 'base')}: {_code(link.id)} "
                f"({escape(lic)}, {link.license.verdict.value}{state})"
            )
        lines.append("**Lineage:** " + " ← ".join(parts))
    elif ev.base_models and not ev.bundle.lineage_resolvable:
        names = ", ".join(_code(b) for b, _ in ev.base_models)
        lines.append(f"**Lineage:** not checked in local mode: {names}")
    if ev.datasets:
        ds = ", ".join(
            f"{_code(d.id)} ({escape(d.license.entry.id if d.license.entry else '?')})"
            for d in ev.datasets
        )
        lines.append(f"**Datasets:** {ds}")
    stages = stage_parts(report)
    if stages:
        lines.append("**Training data by stage:** " + " · ".join(escape(s) for s in stages))
    code = code_parts(report)
    if code:
        lines.append("**Code:** " + " · ".join(escape(c) for c in code))
    return "  \n".join(lines) + "\n"


def findings(report: Report) -> str:
    """The findings table (active findings, worst first), then suppressed and unused ones."""
    active = sorted(report.active_findings, key=lambda f: (-f.severity.rank, f.rule))
    suppressed = [f for f in report.findings if f.suppressed is not None]
    out: list[str] = []
    if active:
        out.append(f"### Findings ({len(active)})\n")
        out.append("| severity | rule | where | message |")
        out.append("|---|---|---|---|")
        for f in active[:MAX_FINDING_ROWS]:
            out.append(
                f"| {SEVERITY_ICON[f.severity]} {f.severity.value} "
                f"| [{f.rule}]({f.url}) {f.name} | {_location(report, f)} "
                f"| {escape(f.message)}<br><sub>fix: {escape(f.fix)}</sub> |"
            )
        if len(active) > MAX_FINDING_ROWS:
            out.append(f"\n{len(active) - MAX_FINDING_ROWS} more findings are not shown.")
    else:
        out.append("No findings.")
    if suppressed:
        items = ", ".join(f"{f.rule} ({escape(f.suppressed or '')})" for f in suppressed)
        out.append(f"\nSuppressed ({len(suppressed)}): {items}")
    for code, line in report.unused_suppressions:
        out.append(f"\nUnused suppression: {code} at line {line} matches no finding.")
    return "\n".join(out) + "\n"


def render(report: Report) -> str:
    """The scorecard as Markdown."""
    return visible("\n".join([headline(report), grid(report), context(report), findings(report)]))
