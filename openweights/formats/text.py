"""``--format text``: the scorecard for people. Grade first, then the grid, then the findings.

Fits 100 columns and reads without colour (``NO_COLOR``): every mark has a word beside its
symbol.
"""

from __future__ import annotations

import io
import os

from rich.console import Console
from rich.table import Table
from rich.text import Text

from openweights.grade import COMPONENTS
from openweights.licensing.features import Cell, Freedom
from openweights.report import Report
from openweights.rules import Severity

WIDTH = 100
MARKS = {
    Cell.GRANTED: ("✔", "green"),
    Cell.LIMITED: ("~", "yellow"),
    Cell.DENIED: ("✘", "red"),
    Cell.ABSENT: ("–", "bright_black"),
    Cell.UNKNOWN: ("?", "magenta"),
}
GRADE_STYLE = {
    "A": "bold green",
    "B": "bold green",
    "C": "bold cyan",
    "D": "bold yellow",
    "F": "bold red",
}
SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _console(buffer: io.StringIO, color: bool | None) -> Console:
    if color is None:
        color = os.environ.get("NO_COLOR") is None and os.environ.get("FORCE_COLOR") is not None
    return Console(
        file=buffer,
        width=WIDTH,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def _cell(mark: Cell, reason: str) -> Text:
    symbol, style = MARKS[mark]
    text = Text(f"{symbol} {mark.value}", style=style)
    text.append(f"\n{reason}", style="dim")
    return text


def render(report: Report, color: bool | None = None) -> str:
    """The scorecard as text; ANSI colours when ``color`` (None: only with FORCE_COLOR)."""
    buffer = io.StringIO()
    out = _console(buffer, color)
    g = report.grade
    where = report.subject_id + (f"@{report.revision[:12]}" if report.revision else "")
    head = Text()
    head.append(f" {g.letter} ", style=f"reverse {GRADE_STYLE[g.letter]}")
    head.append(f"  {g.tier}", style=GRADE_STYLE[g.letter])
    head.append(f"   {where} ({report.source})", style="bold")
    out.print(head)
    out.print(Text(f"     {g.reason}", style="italic"))
    out.print()

    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), expand=False)
    table.add_column("", no_wrap=True, width=16)
    for freedom in Freedom:
        table.add_column(freedom.value, width=19, overflow="fold")
    for name in COMPONENTS:
        comp = g.components[name]
        cev = comp.evidence
        lic = cev.license.entry.id if cev.license.entry else (cev.license.raw or "no license")
        label = Text(name, style="bold")
        origin = str(cev.license.origin) if cev.license.source != "none" else ""
        label.append(f"\n{cev.availability}\n{lic}" + (f"\n{origin}" if origin else ""),
                     style="dim")
        table.add_row(label, *(_cell(comp.cells[f].mark, comp.cells[f].reason) for f in Freedom))
        table.add_row()
    out.print(table)

    fw = g.frameworks
    line = Text("frameworks  ", style="bold")
    line.append(
        f"OSAID {fw.osaid} · MOF {fw.mof} · Debian {fw.debian} · FSF {fw.fsf} · "
        f"Open Weights Def. {fw.open_weights_definition}"
    )
    out.print(line)
    ev = report.evidence
    if ev.lineage:
        chain = Text("lineage     ", style="bold")
        parts = [report.subject_id]
        for link in ev.lineage:
            lic = link.license.entry.id if link.license.entry else "?"
            state = "" if link.found else " not found"
            parts.append(
                f"{link.relation or 'base'}: {link.id} [{lic}, {link.license.verdict.value}{state}]"
            )
        chain.append(" ← ".join(parts))
        out.print(chain)
    elif ev.base_models and not ev.bundle.lineage_resolvable:
        out.print(
            Text("lineage     ", style="bold").append(
                "not checked in local mode: " + ", ".join(b for b, _ in ev.base_models)
            )
        )
    if ev.datasets:
        ds = Text("datasets    ", style="bold")
        ds.append(
            ", ".join(
                f"{d.id} [{d.license.entry.id if d.license.entry else '?'}]" for d in ev.datasets
            )
        )
        out.print(ds)
    out.print()

    active = report.active_findings
    suppressed = [f for f in report.findings if f.suppressed is not None]
    if active:
        out.print(Text(f"findings ({len(active)})", style="bold"))
    for f in sorted(active, key=lambda f: (-f.severity.rank, f.rule)):
        loc = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "-")
        row = Text(f"  {loc}  ")
        row.append(f"{f.severity.value}", style=SEVERITY_STYLE[f.severity])
        row.append(f"  {f.rule} {f.name}  ", style="bold")
        row.append(f.message)
        out.print(row)
        out.print(Text(f"      fix: {f.fix}", style="dim"))
    if suppressed:
        out.print(
            Text(
                f"suppressed ({len(suppressed)}): "
                + ", ".join(f"{f.rule} ({f.suppressed})" for f in suppressed),
                style="dim",
            )
        )
    for code, line_no in report.unused_suppressions:
        out.print(
            Text(
                f"  unused suppression: {code} at line {line_no} matches no finding", style="yellow"
            )
        )
    if not report.findings:
        out.print(Text("no findings", style="green"))
    return buffer.getvalue()
