"""``--format jsonl``: one report per line, for batch runs and registries."""

from __future__ import annotations

import json

from openweights.report import Report


def render(report: Report) -> str:
    """The report as one compact JSON line."""
    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
