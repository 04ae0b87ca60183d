"""Formats: the only code that turns a report into text. Each exposes ``render(report) -> str``.

JSON, JSONL and SARIF are written directly with the json module, never through rich. The
renderers are loaded on demand from an explicit table, so that rich is imported only for text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openweights.choices import Format

if TYPE_CHECKING:
    from openweights.report import Report

Renderer = Callable[["Report"], str]

FORMATS = Format.values()
"""Every report format's name (``openweights.choices.Format``)."""


def _text() -> Renderer:
    from openweights.formats.text import render

    return render


def _json() -> Renderer:
    from openweights.formats.json import render

    return render


def _jsonl() -> Renderer:
    from openweights.formats.jsonl import render

    return render


def _sarif() -> Renderer:
    from openweights.formats.sarif import render

    return render


def _markdown() -> Renderer:
    from openweights.formats.markdown import render

    return render


def _github() -> Renderer:
    from openweights.formats.github import render

    return render


LOADERS: dict[Format, Callable[[], Renderer]] = {
    Format.TEXT: _text,
    Format.JSON: _json,
    Format.JSONL: _jsonl,
    Format.SARIF: _sarif,
    Format.MARKDOWN: _markdown,
    Format.GITHUB: _github,
}
"""Each format's renderer, imported when first asked for (a test keeps it equal to Format)."""


def renderer(name: Format | str) -> Renderer:
    """The ``render`` function of format ``name``; KeyError for an unknown name."""
    try:
        fmt = Format(name)
    except ValueError:
        raise KeyError(name) from None
    return LOADERS[fmt]()
