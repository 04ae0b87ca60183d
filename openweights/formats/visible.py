"""Text that a terminal shows as it is: control characters from a card made visible.

A model card is someone else's text, and owcheck quotes it (license ids, names, headings). Printed
raw, an escape sequence in it would act on the reader's terminal (set the window title, clear the
screen, hide a line, make a link) and a bidirectional override would reorder what is shown. The
formats read by people (text, the short form, Markdown, GitHub annotations, diffs) pass their
output through ``visible``: every control character but tab and line feed, and every
bidirectional control, becomes its escape (``\\x1b``, ``\\u202e``), as Python's ``repr`` writes
it. JSON, SARIF and the BOMs need no such step: their encoders escape control characters already.
"""

from __future__ import annotations

from openweights.patterns import lazy

_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
"""Bidirectional controls (the Unicode Bidi_Control property): they reorder what follows."""
_ESCAPES: dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if c not in (9, 10)},
    **{c: f"\\u{c:04x}" for c in _BIDI},
}
"""Code point -> its visible escape, for ``str.translate``."""
_SGR = lazy(r"(\x1b\[[0-9;]*m)")
"""A colour sequence (Select Graphic Rendition), the only escape owcheck writes itself."""


def visible(text: str) -> str:
    """``text`` with every control character but tab and line feed written as its escape."""
    return text.translate(_ESCAPES)


def visible_keeping_colour(text: str) -> str:
    """``visible`` for text that owcheck has coloured: colour sequences are kept, every other
    escape is made visible. (A colour sequence quoted from a card is kept too: it can change
    colours, but not move the cursor, clear the screen or retitle the window.)"""
    parts = _SGR().split(text)
    return "".join(p if i % 2 else p.translate(_ESCAPES) for i, p in enumerate(parts))
