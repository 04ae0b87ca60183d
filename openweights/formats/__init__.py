"""Formats: the only code that turns a report into text. Each exposes ``render(report) -> str``.

JSON, JSONL, SARIF and SPDX are written directly with the json module, never through rich. The
renderers are loaded on demand from an explicit table, so that rich is imported only for text.
CycloneDX is built with ``cyclonedx-python-lib``, an optional extra (``owcheck[bom]``): it is
imported only when that format is asked for. ``openweights.formats.diff`` renders
``owcheck diff`` results, not reports.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from typing import TYPE_CHECKING

from openweights.choices import Format

if TYPE_CHECKING:
    from openweights.report import Report

Renderer = Callable[["Report"], str]

FORMATS = Format.values()
"""Every report format's name (``openweights.choices.Format``)."""


class FormatError(Exception):
    """A format cannot render here (a missing extra, a bad SOURCE_DATE_EPOCH): exit 2."""

    exit_code = 2


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


def _cyclonedx() -> Renderer:
    from openweights.formats.cyclonedx import render

    return render


def _spdx() -> Renderer:
    from openweights.formats.spdx import render

    return render


LOADERS: dict[Format, Callable[[], Renderer]] = {
    Format.TEXT: _text,
    Format.JSON: _json,
    Format.JSONL: _jsonl,
    Format.SARIF: _sarif,
    Format.MARKDOWN: _markdown,
    Format.GITHUB: _github,
    Format.CYCLONEDX: _cyclonedx,
    Format.SPDX: _spdx,
}
"""Each format's renderer, imported when first asked for (a test keeps it equal to Format)."""

EXTRAS: dict[Format, tuple[str, str, str]] = {
    Format.CYCLONEDX: ("cyclonedx", "cyclonedx-python-lib", "bom"),
}
"""Formats that need an optional extra: format -> (module, distribution, extra)."""


def renderer(name: Format | str) -> Renderer:
    """The ``render`` function of format ``name``; KeyError for an unknown name, ``FormatError``
    when the format needs an extra that is not installed."""
    try:
        fmt = Format(name)
    except ValueError:
        raise KeyError(name) from None
    if fmt in EXTRAS:
        module, dist, extra = EXTRAS[fmt]
        if find_spec(module) is None:
            raise FormatError(f"--format {fmt} needs {dist}: pip install 'owcheck[{extra}]'")
    return LOADERS[fmt]()
