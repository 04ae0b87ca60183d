"""Where the bundled data lives: inside the installed package, or beside it in a checkout.

The wheel force-includes ``schemas/`` and the catalogues (``licenses/``, ``corpora/``,
``base-models/``) as ``openweights/_bundled/``. In a source checkout (editable install, tests)
they are the top-level folders next to the package. Never the current working directory: the
tool must behave the same wherever it is run from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``licenses``, ``corpora``, ``base-models``) of the
    running owcheck."""
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def schema_path(name: str) -> Path:
    """A JSON Schema by file name, e.g. ``report.schema.json``."""
    return bundled_path("schemas") / name


def catalogue_records(folder: str, key: str) -> list[Mapping[str, Any]]:
    """The entries of a bundled catalogue as ``scripts/build_catalogue.py`` compiled them: the
    list under ``key`` in ``folder/index.json``."""
    data = json.loads((bundled_path(folder) / "index.json").read_text(encoding="utf-8"))
    records: list[Mapping[str, Any]] = data[key]
    return records
