"""Where a finding is: as code scanning and annotations want it, and as a person reads it.

Findings carry paths inside the model repo (``README.md``, ``LICENSE``). SARIF and workflow
annotations want paths from the root of the git checkout (a model in ``models/tiny`` reports
``models/tiny/README.md``, whatever the working directory), or from the model repo when it is
not in a checkout (``checkout_path`` of ``openweights/sources/local.py``). People at a terminal
get paths from the working directory (``display_path``), which is where pre-commit runs too.

Hub subjects have no file in the checkout: ``hub_uri`` names the file on the Hub
(``hf.co/ORG/NAME/README.md``), a path that code scanning accepts and shows without a preview,
and never a file of the checkout (``README.md`` would point at the checkout's own card).
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


def _is_lone_card(report: Report) -> bool:
    subject = report.evidence.bundle.subject
    return not subject.files and "repo files (a lone card was given)" in subject.missing


def _in_repo(report: Report, path: str | None) -> str:
    """``path`` (None: the card) inside the model repo; a lone card is its file name."""
    subject = report.evidence.bundle.subject
    card = (subject.card_path or "README.md").replace("\\", "/")
    name = (path or card).replace("\\", "/")
    if _is_lone_card(report) and name == card:
        return posixpath.basename(card)
    return name


def repo_path(report: Report, path: str | None) -> str:
    """``path`` (a file of the model repo; None means the card) from the checkout's root, or
    from the model repo outside a checkout. Hub subjects: the path on the Hub (``hub_uri``)."""
    if not in_checkout(report):
        return hub_uri(report, path)
    name = _in_repo(report, path)
    base = report.evidence.bundle.subject.checkout_path
    return posixpath.normpath(posixpath.join(base, name)) if base else name


def finding_path(report: Report, finding: Finding) -> str:
    """The finding's file from the checkout's root (``repo_path``)."""
    return repo_path(report, finding.path)


def hub_uri(report: Report, path: str | None) -> str:
    """A Hub subject's file as ``hf.co/ORG/NAME/PATH``: it names the model, and no file of the
    checkout has that path."""
    subject = report.evidence.bundle.subject
    name = (path or subject.card_path or "README.md").lstrip("/")
    return f"hf.co/{report.subject_id}/{name}"


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


def display_path(report: Report, path: str | None) -> str:
    """``path`` (None: the card) as a person at a terminal reaches it: from the working
    directory, as the model was given. Hub subjects: the path in the repo."""
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


def as_uri(path: str) -> str:
    """A SARIF ``artifactLocation.uri``: a relative URI reference, or a file URI if absolute."""
    if posixpath.isabs(path) or os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path, safe="/")
