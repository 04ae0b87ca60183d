"""Where the bundled data lives: inside the installed package, or beside it in a checkout.

The wheel force-includes ``schemas/``, ``licenses/`` and ``corpora/`` as
``openweights/_bundled/``. In a source checkout (editable install, tests) they are the top-level
folders next to the package. Never the current working directory: the tool must behave the same
wherever it is run from.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``licenses`` or ``corpora``) of the running owcheck."""
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def schema_path(name: str) -> Path:
    """A JSON Schema by file name, e.g. ``report.schema.json``."""
    return bundled_path("schemas") / name
