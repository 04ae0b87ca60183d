"""The tier distribution as a small inline SVG bar chart (no script, no external file).

Every bar carries its grade letter, tier name and count as text, so the chart reads without
colour; the same figures are in its ``<desc>`` for screen readers. Colours come from the
stylesheet's grade classes (inline styles would break the pages' Content Security Policy).
"""

from __future__ import annotations

from collections.abc import Mapping

from openweights.choices import Letter
from openweights.site.markup import esc

BAR_X = 170
BAR_MAX = 170
ROW_H = 26
WIDTH = 420


def percent(count: int, total: int) -> str:
    """``12 %`` (whole percent, never ``0 %`` for a non-zero count)."""
    if total == 0:
        return "0 %"
    value = round(100 * count / total)
    if value == 0 and count:
        return "<1 %"
    return f"{value} %"


def tier_chart(counts: Mapping[str, int], *, chart_id: str = "tiers") -> str:
    """An ``<svg>`` with one bar per grade, A to F; ``counts`` maps grade letters to models."""
    letters = [(letter.value, letter.tier.value) for letter in Letter]
    total = sum(counts.get(letter, 0) for letter, _ in letters)
    top = max((counts.get(letter, 0) for letter, _ in letters), default=0)
    height = ROW_H * len(letters) + 4
    desc = "; ".join(f"{letter} {tier}: {counts.get(letter, 0)}" for letter, tier in letters)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">Models by tier ({total} in all)</title>',
        f'<desc id="{chart_id}-desc">{esc(desc)}</desc>',
    ]
    for i, (letter, tier) in enumerate(letters):
        count = counts.get(letter, 0)
        y = 2 + i * ROW_H
        width = 0.0 if top == 0 else BAR_MAX * count / top
        if count and width < 2:
            width = 2.0  # a model is never an invisible bar
        text_y = y + 17
        parts.append(
            f'<text x="0" y="{text_y}"><tspan class="letter">{letter}</tspan> {tier}'
            "</text>"
            f'<rect class="bar g{letter}" x="{BAR_X}" y="{y + 4}" width="{width:.1f}" '
            f'height="{ROW_H - 8}" rx="2"/>'
            f'<text x="{BAR_X + width + 6:.1f}" y="{text_y}">{count} '
            f"({esc(percent(count, total))})</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
