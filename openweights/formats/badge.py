"""The grade as a README badge (``owcheck badge``).

Two forms: a shields.io *endpoint* JSON (commit it, or publish it, and point
``https://img.shields.io/endpoint?url=...`` at its raw URL), and a self-contained SVG drawn
here, for places that cannot reach shields.io. Both are deterministic.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from openweights.choices import BadgeFormat, Letter
from openweights.report import Report

# Shields' palette, so the SVG matches the endpoint badge.
COLORS = {
    Letter.A: "brightgreen",
    Letter.B: "green",
    Letter.C: "yellowgreen",
    Letter.D: "orange",
    Letter.F: "red",
}
HEX = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellowgreen": "#a4a61d",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "grey": "#555",
}
LABEL = "openness"

# Approximate advance widths of Verdana 11px (the badge font), in pixels. Enough to size the
# boxes; the text is also drawn with textLength so it always fits its box.
_NARROW = set("fijlrtI!.,:;'|()[] ")
_WIDE = set("mwMW@%")
_CAPS = set("ABCDEFGHJKLNOPQRSTUVXYZ")


def message(report: Report) -> str:
    """``B · open-source-ai``."""
    return f"{report.grade.letter} · {report.grade.tier}"


def endpoint(report: Report, label: str = LABEL) -> dict[str, Any]:
    """The shields.io endpoint document (schemaVersion 1)."""
    return {
        "schemaVersion": 1,
        "label": label,
        "message": message(report),
        "color": COLORS[report.grade.letter],
    }


def render_json(report: Report, label: str = LABEL) -> str:
    """The endpoint document as JSON text."""
    return json.dumps(endpoint(report, label), indent=2, ensure_ascii=False) + "\n"


def text_width(text: str) -> int:
    """Rendered width of ``text`` in pixels, approximately."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 3.9
        elif ch in _WIDE:
            width += 10.7
        elif ch in _CAPS or ch.isdigit():
            width += 7.5
        else:
            width += 6.6
    return round(width)


def render_svg(report: Report, label: str = LABEL) -> str:
    """A flat badge as SVG, in the shape shields.io draws."""
    msg = message(report)
    color = HEX[COLORS[report.grade.letter]]
    lw, mw = text_width(label) + 10, text_width(msg) + 10
    total = lw + mw
    title = escape(f"{label}: {msg}", {'"': "&quot;"})
    lab, val = escape(label), escape(msg)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)">'
        f'<rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{lw / 2:g}" y="15" fill="#010101" fill-opacity=".3" '
        f'textLength="{lw - 10}">{lab}</text>'
        f'<text x="{lw / 2:g}" y="14" textLength="{lw - 10}">{lab}</text>'
        f'<text x="{lw + mw / 2:g}" y="15" fill="#010101" fill-opacity=".3" '
        f'textLength="{mw - 10}">{val}</text>'
        f'<text x="{lw + mw / 2:g}" y="14" textLength="{mw - 10}">{val}</text>'
        "</g></svg>\n"
    )


def render(report: Report, fmt: BadgeFormat, label: str = LABEL) -> str:
    """The badge in format ``fmt``."""
    return render_svg(report, label) if fmt is BadgeFormat.SVG else render_json(report, label)
