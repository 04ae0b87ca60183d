"""``--format json``: the report contract, pretty-printed, byte-identical for the same input."""

from __future__ import annotations

import json

from openweights.report import Report


def render(report: Report) -> str:
    """The report as indented JSON (keys in contract order)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
