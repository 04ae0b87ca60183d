"""Where a finding is, as a path relative to the repository owcheck runs in.

Findings carry paths relative to the model repo (``README.md``, ``LICENSE``). Code scanning and
workflow annotations want paths relative to the checkout, so a model in ``models/tiny`` must
report ``models/tiny/README.md``. Hub subjects have no file in the checkout: their paths are
kept as the Hub names them, and ``in_checkout`` says so.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from urllib.parse import quote

from openweights.report import Report
from openweights.rules import Finding


def in_checkout(report: Report) -> bool:
    """True when the subject was read from disk, so its files exist in the checkout."""
    return report.source == "local"


def _base(report: Report) -> str | None:
    """The model repo's directory, as given on the command line; None for a lone card."""
    subject = report.evidence.bundle.subject
    sid = subject.id.replace("\\", "/")
    card = (subject.card_path or "").replace("\\", "/")
    if card and sid == card:
        return None  # a lone card: its path is already as given
    if card and sid.endswith("/" + card):
        return posixpath.dirname(sid)  # a README.md given as a file stands for its directory
    return sid


def repo_path(report: Report, path: str | None) -> str:
    """``path`` (a file of the model repo; None means the card) relative to the checkout."""
    subject = report.evidence.bundle.subject
    path = (path or subject.card_path or "README.md").replace("\\", "/")
    if not in_checkout(report):
        return path
    base = _base(report)
    joined = posixpath.normpath(posixpath.join(base, path) if base else path)
    if posixpath.isabs(joined) or os.path.isabs(joined):
        # Absolute input: relative to the working directory when it lies inside it.
        rel = os.path.relpath(joined).replace("\\", "/")
        if not rel.startswith("../") and rel != "..":
            return rel
    return joined


def finding_path(report: Report, finding: Finding) -> str:
    """The finding's file relative to the checkout."""
    return repo_path(report, finding.path)


def as_uri(path: str) -> str:
    """A SARIF ``artifactLocation.uri``: a relative URI reference, or a file URI if absolute."""
    if posixpath.isabs(path) or os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path, safe="/")
