"""``--format github``: GitHub Actions workflow commands that annotate the card.

``::error file=README.md,line=2,title=OW201 no-license::message``. A step shows at most 10
annotations per level and silently drops the rest, so owcheck emits the 10 worst of each level
(rule order within a level) and says in a plain line how many more there are. Severities map to
levels: error -> ``error``, warning -> ``warning``, info -> ``notice``. Hub subjects have no file
in the checkout, so their annotations carry no ``file=``.
"""

from __future__ import annotations

from openweights.formats.locations import finding_path, in_checkout
from openweights.formats.visible import visible
from openweights.report import Report
from openweights.rules import Finding, Severity

MAX_PER_LEVEL = 10
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, f: Finding) -> str:
    """One workflow command for a finding."""
    props: list[str] = []
    if in_checkout(report):
        props.append(f"file={escape_property(finding_path(report, f))}")
        if f.line:
            props.append(f"line={f.line}")
    props.append(f"title={escape_property(f'{f.rule} {f.name}')}")
    message = f"{f.message}\nfix: {f.fix}\n{f.url}"
    if not in_checkout(report):  # no file to annotate: say which model and where in it
        where = f.path or report.evidence.bundle.subject.card_path or "README.md"
        message = f"{report.subject_id} {where}{f':{f.line}' if f.line else ''}: {message}"
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}"


def select(report: Report) -> tuple[list[Finding], list[Finding]]:
    """(annotated, left over): the worst ``MAX_PER_LEVEL`` active findings of each level."""
    shown: list[Finding] = []
    rest: list[Finding] = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        level = [f for f in report.active_findings if f.severity is severity]
        shown += level[:MAX_PER_LEVEL]
        rest += level[MAX_PER_LEVEL:]
    return shown, rest


def render(report: Report) -> str:
    """Annotations for the active findings, worst first, then a one-line summary."""
    shown, rest = select(report)
    lines = [annotation(report, f) for f in shown]
    g = report.grade
    summary = f"owcheck: {report.subject_id}: grade {g.letter} ({g.tier}), "
    counts = {s: sum(f.severity is s for f in report.active_findings) for s in Severity}
    summary += ", ".join(f"{counts[s]} {s.value}" for s in sorted(Severity, key=lambda s: -s.rank))
    suppressed = sum(f.suppressed is not None for f in report.findings)
    if suppressed:
        summary += f", {suppressed} suppressed"
    lines.append(summary)
    if rest:
        lines.append(
            f"owcheck: {len(rest)} more finding(s) not annotated (GitHub shows at most "
            f"{MAX_PER_LEVEL} per level); see the job summary or the SARIF report"
        )
    for code, line in report.unused_suppressions:
        lines.append(f"owcheck: unused suppression {code} at line {line} matches no finding")
    return visible("\n".join(lines)) + "\n"
