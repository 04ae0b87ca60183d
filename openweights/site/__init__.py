"""``owcheck site``: a static openness index built from owcheck reports.

Pure rendering: ``build_site(reports)`` turns report dicts (as read by
``openweights.site.reports.read_reports``) into ``{relative path: bytes}``; ``write_site``
writes them. The result is self-contained (our own stylesheet and script, no CDN, no external
fonts), works from ``file://`` and on any static host, and is byte-identical for the same
reports: rows and pages are ordered by content, never by input order, and nothing depends on
the clock, the locale or the hash seed.

Layout::

    index.html          the table of every model, the tier chart, the legend, the filters
    site.css, site.js   ours, from openweights/site/assets/
    models/<slug>.html  one page per model (names from openweights.site.names)
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from openweights import __version__
from openweights.records import record
from openweights.site.index import render_index
from openweights.site.markup import HubLinks
from openweights.site.names import PAGES_DIR, page_names
from openweights.site.page import PageContext, render_page
from openweights.site.reports import LineProblem, SiteInputError, latest_per_model, read_reports
from openweights.site.view import columns, row, stage_columns

ASSETS = ("site.css", "site.js")
"""Files copied from ``openweights/site/assets/`` to the site root."""
GENERATOR_MARK = b'<meta name="generator" content="owcheck site">'
"""Every page carries it; ``write_site`` only replaces a folder whose index.html has it."""
DEFAULT_TITLE = "Open weights index"
DEFAULT_HUB_URL = "https://huggingface.co"


class SiteOutputError(Exception):
    """The output folder cannot be used (one line)."""


def asset(name: str) -> bytes:
    """One of our static files, read from the installed package."""
    return resources.files("openweights.site").joinpath("assets", name).read_bytes()


def _encode(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (valid in JSON) cannot be UTF-8
        return re.sub("[\ud800-\udfff]", "\ufffd", text).encode("utf-8")


def build_site(
    reports: Sequence[Mapping[str, Any]],
    *,
    title: str = DEFAULT_TITLE,
    hub_url: str = DEFAULT_HUB_URL,
) -> dict[str, bytes]:
    """Every file of the site for ``reports`` (validated report dicts), by relative path.

    Several reports of one model keep the last. Paths use ``/`` and never leave the site root.
    """
    unique, _ = latest_per_model(reports)
    pages = page_names(r["subject"]["id"] for r in unique)
    stage_names = stage_columns(unique)
    cols = columns(stage_names)
    rows = [row(r, pages[r["subject"]["id"]], stage_names) for r in unique]
    files: dict[str, bytes] = {
        "index.html": _encode(render_index(rows, cols, title=title, version=__version__)),
    }
    for name in ASSETS:
        files[name] = asset(name)
    ctx = PageContext(pages, HubLinks(hub_url))
    for report in unique:
        files[pages[report["subject"]["id"]]] = _encode(render_page(report, ctx))
    return dict(sorted(files.items()))


def _is_our_site(directory: Path) -> bool:
    index = directory / "index.html"
    try:
        with index.open("rb") as handle:
            return GENERATOR_MARK in handle.read(4096)
    except OSError:
        return False


def write_site(files: Mapping[str, bytes], directory: str | Path) -> int:
    """Write ``files`` under ``directory``; returns how many stale model pages were removed.

    The folder may be new, empty, or an earlier owcheck site (whose model pages that are not
    in ``files`` are removed, so a model dropped from the reports disappears). Anything else
    is refused with SiteOutputError rather than mixed with our files. Each file is written to
    a temporary name and renamed, so a reader never sees half a page.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise SiteOutputError(f"{directory}: exists and is not a directory")
    if root.is_dir() and any(root.iterdir()) and not _is_our_site(root):
        raise SiteOutputError(
            f"{directory}: not empty and not an owcheck site; give a new or empty directory"
        )
    for rel in files:
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"unsafe site path {rel!r}")  # names.py never makes one
    try:
        (root / PAGES_DIR).mkdir(parents=True, exist_ok=True)
        for rel, data in files.items():
            target = root.joinpath(*rel.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".owcheck-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        removed = 0
        keep = {rel for rel in files if rel.startswith(PAGES_DIR + "/")}
        for page in sorted((root / PAGES_DIR).glob("*.html")):
            if f"{PAGES_DIR}/{page.name}" not in keep and page.is_file():
                page.unlink()
                removed += 1
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SiteOutputError(f"{directory}: cannot write the site ({reason})") from exc
    return removed


@record
class SiteResult:
    """What ``make_site`` did."""

    models: int
    """Models in the site (one page each)."""
    problems: tuple[LineProblem, ...]
    """Input lines skipped because they were not usable reports."""
    replaced: int
    """Reports superseded by a later report of the same model."""
    removed: int
    """Model pages of an earlier build removed because their model is gone."""
    written: bool
    """False when no line was a usable report (then nothing was written)."""


def make_site(
    inputs: Sequence[str | Path],
    directory: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    hub_url: str = DEFAULT_HUB_URL,
    stdin: Iterable[str] | None = None,
) -> SiteResult:
    """Read JSONL reports from ``inputs`` and write their site to ``directory``.

    Bad lines are skipped and returned (a registry's dump should not fail on one bad line);
    input with lines but no usable report writes nothing. SiteInputError for a file that
    cannot be read, SiteOutputError for a directory that cannot be used.
    """
    loaded = read_reports(inputs, stdin)
    if not loaded.reports and loaded.problems:
        return SiteResult(0, loaded.problems, loaded.replaced, 0, False)
    removed = write_site(build_site(loaded.reports, title=title, hub_url=hub_url), directory)
    return SiteResult(len(loaded.reports), loaded.problems, loaded.replaced, removed, True)


__all__ = [
    "DEFAULT_HUB_URL",
    "DEFAULT_TITLE",
    "LineProblem",
    "SiteInputError",
    "SiteOutputError",
    "SiteResult",
    "build_site",
    "make_site",
    "write_site",
]
