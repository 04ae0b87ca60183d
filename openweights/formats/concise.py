"""The short form of a report, as linters print: a headline, then one line per finding.

``owcheck TARGET -q`` and the per-card pre-commit hook print it. Plain text without rich (the
hook's start-up path stays light); each line as long as its message, like a compiler's.
"""

from __future__ import annotations

from openweights.formats.locations import display_path
from openweights.formats.visible import visible
from openweights.report import Report


def render(report: Report) -> str:
    """A headline and one line per active finding (worst first), as linters print them."""
    g = report.grade
    card = display_path(report, None)
    lines = [f"{card}: grade {g.letter} ({g.tier}): {g.reason}"]
    for f in sorted(report.active_findings, key=lambda f: (-f.severity.rank, f.rule)):
        where = display_path(report, f.path) + (f":{f.line}" if f.line else "")
        lines.append(f"  {where}: {f.severity.value} {f.rule} {f.name}: {f.message}")
    suppressed = [f.rule for f in report.findings if f.suppressed is not None]
    if suppressed:
        lines.append(f"  suppressed: {', '.join(suppressed)}")
    for code, line in report.unused_suppressions:
        lines.append(f"  {card}:{line}: unused suppression {code} matches no finding")
    return visible("\n".join(lines)) + "\n"
