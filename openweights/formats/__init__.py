"""Formats: the only code that turns a report into text. Each exposes ``render(report) -> str``.

JSON, JSONL and SARIF are written directly with the json module, never through rich.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openweights.report import Report

FORMATS = ("text", "json", "jsonl", "sarif", "markdown", "github")


def renderer(name: str) -> Callable[[Report], str]:
    """The ``render`` function of format ``name`` (imported on demand: rich only for text)."""
    if name not in FORMATS:
        raise KeyError(name)
    module = import_module(f"openweights.formats.{name}")
    render: Callable[[Report], str] = module.render
    return render
