"""``--format text``: the scorecard for people. Grade first, then the grid, then the findings.

Laid out for the width it is given (the command line passes the terminal's, 80 when unknown):
no line is longer, a grid row never wraps (long values wrap inside their cell), and no line ends
in spaces. Below ``GRID_MIN`` columns the grid becomes one block per component. It reads
without colour (``NO_COLOR``): every mark has a word beside its symbol.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Sequence

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from openweights.formats.summary import code_parts, stage_parts
from openweights.formats.visible import visible, visible_keeping_colour
from openweights.grade import COMPONENTS, ComponentGrade
from openweights.licensing.features import Cell, Freedom
from openweights.patterns import lazy
from openweights.report import Report
from openweights.rules import Finding, Severity

WIDTH = 80
"""The width when none is given (a pipe, a file)."""
GRID_MIN = 64
"""Narrower than this, each component is a block of lines instead of a grid row."""
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
LABEL = 12
"""Width of the labels before the frameworks, lineage and datasets lines."""
_TAIL = lazy(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")


def _console(buffer: io.StringIO, color: bool | None, width: int) -> Console:
    if color is None:
        color = os.environ.get("NO_COLOR") is None and os.environ.get("FORCE_COLOR") is not None
    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def _pieces(word: str, width: int, marks: str = "/-_.:") -> list[str]:
    """A word longer than ``width`` cut after one of ``marks`` where it can (``examplemeta/``
    ``llama-3-base``), anywhere only when it must."""
    out: list[str] = []
    while len(word) > width:
        cut = max(word.rfind(m, 0, width) for m in marks)
        cut = cut + 1 if cut > 0 else width
        out.append(word[:cut])
        word = word[cut:]
    out.append(word)
    return out


def break_at(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` at spaces; a word longer than a line is cut after a
    ``/``, ``-``, ``_``, ``.`` or ``:`` where it can. Control characters are made visible
    first, so that the width is that of what is shown."""
    out: list[str] = []
    for line in visible(text).split("\n"):
        current = ""
        for word in line.split(" "):
            for piece in _pieces(word, width):
                candidate = f"{current} {piece}" if current else piece
                if len(candidate) <= width:
                    current = candidate
                else:
                    out.append(current)
                    current = piece
        out.append(current)
    return "\n".join(out)


def pack(items: Sequence[str], width: int, sep: str = " · ") -> str:
    """Items joined by ``sep`` into lines of at most ``width``, never splitting an item that
    fits on a line of its own."""
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current}{sep}{item}" if current else item
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current + sep.rstrip())
            current = item
    if current:
        lines.append(current)
    return break_at("\n".join(lines), width)


def _labelled(label: str, body: RenderableType, width: int) -> Table:
    """``label`` in a column of ``LABEL``, ``body`` beside it (wrapping within the rest)."""
    grid = Table.grid(padding=0)
    grid.add_column(width=LABEL, no_wrap=True)
    grid.add_column(width=max(1, width - LABEL))
    grid.add_row(Text(label, style="bold"), body)
    return grid


def _license_label(comp: ComponentGrade) -> str:
    lic = comp.evidence.license
    return lic.entry.id if lic.entry else (lic.raw or "no license")


def _origin(comp: ComponentGrade) -> str:
    lic = comp.evidence.license
    return str(lic.origin) if lic.source != "none" else ""


def _cell(mark: Cell, reason: str, width: int) -> Text:
    symbol, style = MARKS[mark]
    text = Text(f"{symbol} {mark.value}", style=style)
    text.append("\n" + break_at(reason, width), style="dim")
    return text


def _grid(report: Report, width: int) -> Table:
    """One row per component, a column per freedom; cells wrap, rows never do."""
    label = max(12, min(18, width // 6))
    # Each of the five columns has one space of padding either side.
    column = (width - label - 10) // 4
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), expand=False)
    table.add_column("", width=label, overflow="fold")
    for freedom in Freedom:
        table.add_column(freedom.value, width=column, overflow="fold")
    g = report.grade
    for name in COMPONENTS:
        comp = g.components[name]
        head = Text(name, style="bold")
        details = [comp.evidence.availability, _license_label(comp), _origin(comp)]
        head.append("\n" + break_at("\n".join(d for d in details if d), label), style="dim")
        cells = (_cell(comp.cells[f].mark, comp.cells[f].reason, column) for f in Freedom)
        table.add_row(head, *cells)
        table.add_row()
    return table


def _blocks(report: Report, width: int) -> list[RenderableType]:
    """The grid for narrow widths: per component a title line, then a line per freedom."""
    out: list[RenderableType] = []
    g = report.grade
    for name in COMPONENTS:
        comp = g.components[name]
        title = Text(name, style="bold")
        details = [comp.evidence.availability, _license_label(comp), _origin(comp)]
        title.append(visible("  " + ", ".join(d for d in details if d)), style="dim")
        out.append(title)
        rows = Table.grid(padding=(0, 1))
        rows.add_column(width=7, no_wrap=True)
        rows.add_column(width=max(1, width - 11))
        for freedom in Freedom:
            cell = comp.cells[freedom]
            symbol, style = MARKS[cell.mark]
            text = Text(f"{symbol} {cell.mark.value}", style=style)
            text.append(visible(f": {cell.reason}"), style="dim")
            rows.add_row(freedom.value, text)
        out.append(Padding(rows, (0, 0, 1, 2)))
    return out


def lineage_tree(report: Report) -> list[str]:
    """The lineage as a tree, subject first: each model's bases as its branches, so a merge
    branches and a diamond shows its shared base under both parents (``(see above)`` the
    second time) instead of one chain."""
    ev = report.evidence
    links = {link.id: link for link in ev.lineage}
    parents: dict[str, list[str]] = {}
    for link in ev.lineage:
        parents.setdefault(link.child, []).append(link.id)
    for child, bases in ev.bundle.parents.items():
        known = [b for b in bases if b in links]
        if child == report.subject_id or child in links:
            merged = parents.setdefault(child, [])
            merged += [b for b in known if b not in merged]
    lines = [report.subject_id]
    shown: set[str] = set()

    def walk(node: str, prefix: str, path: tuple[str, ...]) -> None:
        bases = parents.get(node, [])
        for i, base in enumerate(bases):
            last = i == len(bases) - 1
            link = links[base]
            lic = link.license.entry.id if link.license.entry else "?"
            state = "" if link.found else ", not found"
            relation = link.relation or "base"
            seen = base in shown or base in path
            note = " (see above)" if seen else ""
            lines.append(
                f"{prefix}{'└─ ' if last else '├─ '}{relation}: {base} "
                f"[{lic}, {link.license.verdict.value}{state}]{note}"
            )
            if not seen:
                shown.add(base)
                walk(base, prefix + ("   " if last else "│  "), (*path, base))

    walk(report.subject_id, "", (report.subject_id,))
    return lines


def _tree_text(lines: Iterable[str], width: int) -> str:
    """Tree lines wrapped to ``width``; a continuation line keeps the branches to its left."""
    out: list[str] = []
    for line in lines:
        m = re.match(r"^[│ ]*(?:[├└]─ )?", line)
        prefix = m.group(0) if m else ""
        under = prefix.replace("├─ ", "│  ").replace("└─ ", "   ")
        pieces = break_at(line[len(prefix):], max(8, width - len(prefix))).split("\n")
        out.append(prefix + pieces[0])
        out += [under + piece for piece in pieces[1:]]
    return "\n".join(out)


def _finding(f: Finding, width: int, fix: bool = True) -> list[RenderableType]:
    loc = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "-")
    head = Text("  ")
    head.append(break_at(loc, width - 2))
    head.append("  ")
    head.append(f.severity.value, style=SEVERITY_STYLE[f.severity])
    head.append(f"  {f.rule} {f.name}", style="bold")
    body = Text(visible(f.message))
    if fix:
        body.append(visible(f"\nfix: {f.fix}"), style="dim")
    return [head, Padding(body, (0, 0, 0, 6))]


def _evidence(report: Report) -> list[RenderableType]:
    """``-v``: what each component's verdict was read from."""
    out: list[RenderableType] = [Text("evidence", style="bold")]
    for name in COMPONENTS:
        comp = report.grade.components[name]
        out.append(Text(f"  {name}", style="bold"))
        facts = comp.evidence.facts
        if not facts:
            out.append(Padding(Text("nothing found", style="dim"), (0, 0, 0, 4)))
        for fact in facts:
            where = str(fact.origin)
            text = Text(visible(fact.claim))
            if where:
                text.append(visible(f"  ({where})"), style="dim")
            out.append(Padding(text, (0, 0, 0, 4)))
    out.append(Text())
    return out


def render(
    report: Report, color: bool | None = None, width: int = WIDTH, details: bool = False
) -> str:
    """The scorecard as text within ``width`` columns; ANSI colours when ``color`` (None: only
    with FORCE_COLOR); ``details`` (``-v``) adds the evidence behind each component."""
    width = max(20, width)
    buffer = io.StringIO()
    out = _console(buffer, color, width)
    g = report.grade
    where = report.subject_id + (f"@{report.revision[:12]}" if report.revision else "")
    head = Text()
    head.append(f" {g.letter} ", style=f"reverse {GRADE_STYLE[g.letter]}")
    head.append(f"  {g.tier}", style=GRADE_STYLE[g.letter])
    head.append("   ")
    head.append(break_at(f"{where} ({report.source})", width - 5), style="bold")
    out.print(head)
    out.print(Padding(Text(visible(g.reason), style="italic"), (0, 0, 0, 5)))
    out.print()

    if width >= GRID_MIN:
        out.print(_grid(report, width))
    else:
        for block in _blocks(report, width):
            out.print(block)

    fw = g.frameworks
    room = width - LABEL
    frameworks = [f"OSAID {fw.osaid}", f"MOF {fw.mof}", f"Debian {fw.debian}", f"FSF {fw.fsf}",
                  f"Open Weights Def. {fw.open_weights_definition}"]
    out.print(_labelled("frameworks", Text(pack(frameworks, room)), width))
    ev = report.evidence
    if ev.lineage:
        tree = _tree_text(lineage_tree(report), room)
        out.print(_labelled("lineage", Text(tree), width))
    elif ev.base_models and not ev.bundle.lineage_resolvable:
        names = [b for b, _ in ev.base_models]
        text = pack(["not checked in local mode:", *names], room, sep=" ")
        out.print(_labelled("lineage", Text(text), width))
    if ev.datasets:
        items = [f"{d.id} [{d.license.entry.id if d.license.entry else '?'}]"
                 for d in ev.datasets]
        out.print(_labelled("datasets", Text(pack(items, room, sep=", ")), width))
    stages = stage_parts(report)
    if stages:
        out.print(_labelled("stages", Text(pack(stages, room, sep=" · ")), width))
    repos = code_parts(report)
    if repos:
        out.print(_labelled("code", Text(pack(repos, room, sep=" · ")), width))
    out.print()
    if details:
        for part in _evidence(report):
            out.print(part)

    active = report.active_findings
    suppressed = [f for f in report.findings if f.suppressed is not None]
    if active:
        out.print(Text(f"findings ({len(active)})", style="bold"))
    for f in sorted(active, key=lambda f: (-f.severity.rank, f.rule)):
        for part in _finding(f, width):
            out.print(part)
    if suppressed:
        if details:
            out.print(Text(f"suppressed ({len(suppressed)})", style="bold"))
            for f in suppressed:
                for part in _finding(f, width, fix=False):
                    out.print(part)
                out.print(Padding(Text(visible(f"suppressed: {f.suppressed}"), style="dim"),
                                  (0, 0, 0, 6)))
        else:
            listed = ", ".join(f"{f.rule} ({f.suppressed})" for f in suppressed)
            out.print(Text(visible(f"suppressed ({len(suppressed)}): {listed}"), style="dim"))
    for code, line_no in report.unused_suppressions:
        out.print(
            Padding(
                Text(f"unused suppression: {code} at line {line_no} matches no finding",
                     style="yellow"),
                (0, 0, 0, 2),
            )
        )
    if not report.findings:
        out.print(Text("no findings", style="green"))
    # Each quoted value was made visible where it was laid out (so widths are right); this
    # catches any that was not.
    shown = visible_keeping_colour if out.is_terminal else visible
    return "".join(_trim(line) + "\n" for line in shown(buffer.getvalue()).splitlines())


def _trim(line: str) -> str:
    """``line`` without trailing spaces, also those rich pads inside colour codes."""
    m = _TAIL().search(line)
    if m is None or not re.search(r"[ \t]", m.group(0)):
        return line
    return line[: m.start()] + ("\x1b[0m" if "\x1b[" in m.group(0) else "")
