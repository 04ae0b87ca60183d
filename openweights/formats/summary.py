"""One-line summaries shared by the text and Markdown scorecards (plain strings; each format
escapes and styles them)."""

from __future__ import annotations

from openweights.report import Report


def stage_parts(report: Report) -> list[str]:
    """``pre-training: open`` per stage, with the base a stage comes from."""
    out = []
    for stage in report.evidence.stages:
        where = f" (from {stage.inherited_from})" if stage.inherited_from else ""
        lic = stage.license.entry.id if stage.license.entry else None
        out.append(f"{stage.stage}{where}: {stage.state}" + (f" [{lic}]" if lic else ""))
    return out


def code_parts(report: Report) -> list[str]:
    """The model's own code repositories with role and license, then what was not counted."""
    out = []
    skipped: dict[str, int] = {}
    for c in report.evidence.code_releases:
        if c.role in ("library", "unknown", "inference"):
            skipped[c.role] = skipped.get(c.role, 0) + 1
            continue
        lic = c.license.entry.id if c.license.entry else "license unknown"
        via = f", {c.license.source}" if c.license.source not in ("none",) else ""
        failed = ""
        if c.forge is not None and c.forge.status.value != "ok":
            failed = f", forge {c.forge.status.value}"
        out.append(f"{c.repo or c.url} {c.role} [{lic}{via}{failed}]")
    names = {"library": "libraries", "unknown": "of unknown role", "inference": "for inference"}
    for role in ("library", "inference", "unknown"):
        if skipped.get(role):
            out.append(f"{skipped[role]} {names[role]} not counted")
    return out
