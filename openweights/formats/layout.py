"""Plain-text layout within a width: wrapped paragraphs and columns whose cells wrap.

The catalogue views, ``rules``, ``explain`` and ``--show-settings`` are laid out here (without
rich) so that no line is longer than the width asked for and none ends in spaces.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

MIN_FLEX = 16
"""A wrapping column narrower than this makes a table fall back to one block per row."""


def wrap(text: str, width: int, indent: str = "", later: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` (the first line after ``indent``, the others after
    ``later``); words longer than a line are broken, never left sticking out."""
    later = indent if later is None else later
    lines = textwrap.wrap(
        text,
        max(1, width),
        initial_indent=indent,
        subsequent_indent=later,
        break_long_words=True,
        break_on_hyphens=False,
    )
    return lines or [indent.rstrip()]


def fold(line: str, width: int, later: str = "") -> list[str]:
    """A preformatted line (an example, a URL) cut into pieces no wider than ``width``, at a
    space where one is near the end; pieces after the first start with ``later``. Spaces inside
    a piece are kept: only what sticks out moves down."""
    out: list[str] = []
    prefix = ""
    while len(prefix) + len(line) > width:
        room = max(1, width - len(prefix))
        cut = line.rfind(" ", 0, room + 1)
        if cut <= room // 2:
            cut = room
        out.append((prefix + line[:cut]).rstrip())
        line = line[cut:].lstrip(" ")
        prefix = later
    out.append((prefix + line).rstrip())
    return out


def table(
    rows: Sequence[Sequence[str]],
    width: int,
    flexible: int = -1,
    gap: int = 2,
    indent: str = "",
) -> list[str]:
    """Rows laid out in columns within ``width``.

    Every column is as wide as its widest cell except the ``flexible`` one, which takes the
    room left and wraps inside its cell. When that room is too small, each row becomes a
    block: its first cell, then the others wrapped under it.
    """
    if not rows:
        return []
    count = len(rows[0])
    flex = flexible % count
    widths = [max(len(r[i]) for r in rows) for i in range(count)]
    room = width - len(indent) - sum(w for i, w in enumerate(widths) if i != flex)
    room -= gap * (count - 1)
    lines: list[str] = []
    if room < min(MIN_FLEX, widths[flex]):
        for row in rows:
            lines += wrap(row[0], width, indent)
            rest = "  ".join(c for c in row[1:] if c)
            lines += wrap(rest, width, indent + "    ")
        return lines
    widths[flex] = min(widths[flex], room)
    for row in rows:
        cells = [wrap(c, widths[i]) if i == flex else [c] for i, c in enumerate(row)]
        height = max(len(c) for c in cells)
        for n in range(height):
            parts = []
            for i, cell in enumerate(cells):
                text = cell[n] if n < len(cell) else ""
                parts.append(text.ljust(widths[i]) if i < count - 1 else text)
            lines.append((indent + (" " * gap).join(parts)).rstrip())
    return lines
