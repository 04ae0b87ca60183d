"""What the two bill-of-materials formats (``cyclonedx``, ``spdx``) share.

Both describe the same things, read from the report and its evidence: the model (a Hub repo or
a local checkout) with its declared licenses (each ``license:`` value, ``other`` with its
``license_name`` and ``license_link``, and LICENSE files identified as a known license) and the
license owcheck concluded for the weights (after lineage), its base models (those the Hub
answered for, and those read from other signals that apply to the weights), its datasets with
their own licenses, the code repositories the card links with their roles, and owcheck's grade,
tier, grid and framework verdicts as ``owcheck:`` properties.

Determinism: no clock is read. The creation time is ``SOURCE_DATE_EPOCH`` (seconds since the
epoch) when that variable is set, else the epoch itself (1970-01-01T00:00:00Z), the
reproducible-builds convention for "not stated". Document identifiers are UUIDv5 values derived
from the report's JSON, so the same report always gives the same document.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import TypeVar
from urllib.parse import quote

from openweights import __version__
from openweights.choices import Severity
from openweights.evidence import CodeRelease, InferredBase, LicenseFinding, LicenseLink
from openweights.formats import FormatError
from openweights.grade import COMPONENTS
from openweights.licensing.catalogue import LicenseEntry
from openweights.licensing.features import Freedom
from openweights.records import record
from openweights.report import Report

HUB = "https://huggingface.co"
"""Where Hub ids live (the purl ``huggingface`` type's default repository)."""
TOOL_URL = "https://github.com/owcheck/owcheck"
"""owcheck's home, for tool entries."""
PROPERTY_PREFIX = "owcheck:"
"""Namespace of every property owcheck adds."""
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
T = TypeVar("T")


def created(env: Mapping[str, str] | None = None) -> datetime:
    """The document's creation time: ``SOURCE_DATE_EPOCH`` when set, else the epoch."""
    raw = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return EPOCH
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise FormatError(f"SOURCE_DATE_EPOCH must be whole seconds, not {raw!r}") from None


def timestamp_asked(env: Mapping[str, str] | None = None) -> bool:
    """True when ``SOURCE_DATE_EPOCH`` is set (optional timestamps are then written too)."""
    return bool((os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip())


def iso(moment: datetime) -> str:
    """``2024-06-01T00:00:00Z`` (UTC, whole seconds)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def document_uuid(report: Report, kind: str) -> uuid.UUID:
    """A UUID for the document of ``kind``, the same for the same report."""
    data = json.dumps(report.to_dict(), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{TOOL_URL}/{kind}/{digest}")


def first_of_each(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` in order, keeping only the first of each ``key``."""
    out: dict[str, T] = {}
    for item in items:
        out.setdefault(key(item), item)
    return list(out.values())


# --------------------------------------------------------------------------- naming


def on_hub(report: Report) -> bool:
    """The subject is a Hub repo (its id is ``org/name``)."""
    return report.source == "hub"


def split_id(repo_id: str) -> tuple[str | None, str]:
    """``org/name`` -> (org, name); a bare name has no org."""
    org, sep, name = repo_id.partition("/")
    return (org, name) if sep else (None, repo_id)


def purl(repo_id: str, revision: str | None) -> str | None:
    """``pkg:huggingface/ORG/NAME@sha`` (purl-spec's huggingface type: the namespace is the
    user or organisation, the version the commit hash, lowercased); None without an org."""
    org, name = split_id(repo_id)
    if not org or not name:
        return None
    out = f"pkg:huggingface/{quote(org, safe='')}/{quote(name, safe='')}"
    if revision:
        out += "@" + quote(revision.lower(), safe="")
    return out


def model_url(repo_id: str, revision: str | None = None) -> str:
    """The model's page on the Hub (at ``revision`` when given)."""
    return f"{HUB}/{repo_id}" + (f"/tree/{revision}" if revision else "")


def dataset_url(repo_id: str) -> str:
    """The dataset's page on the Hub."""
    return f"{HUB}/datasets/{repo_id}"


def subject_name(report: Report) -> str:
    """A name for the model: the Hub id, or for a local checkout the folder name (the card's
    first heading when the path is ``.``)."""
    if on_hub(report):
        return report.subject_id
    path = PurePosixPath(report.subject_id.replace("\\", "/"))
    if path.suffix.lower() == ".md":
        path = path.parent
    parts = [p for p in path.parts if p not in (".", "..", "/")]
    if parts:
        return parts[-1]
    card = report.evidence.card
    heading = next((s.title for s in card.sections if s.level == 1), None) if card else None
    return heading.strip() if heading and heading.strip() else "model"


def ancestor_revision(report: Report, repo_id: str) -> str | None:
    """The commit a base model was read at, when the source followed it."""
    material = report.evidence.bundle.ancestors.get(repo_id)
    return material.revision if material is not None else None


def dataset_revision(report: Report, repo_id: str) -> str | None:
    """The commit a dataset card was read at, when the source read it."""
    material = report.evidence.bundle.datasets.get(repo_id)
    return material.revision if material is not None else None


def inferred_ancestors(report: Report) -> list[InferredBase]:
    """The bases read from other signals than the Hub's lineage that apply to the weights (the
    ones that bind them), once per name and not when the lineage already lists them."""
    listed = {link.id.lower() for link in report.evidence.lineage}
    applied = (b for b in report.evidence.inferred_bases
               if b.applies and b.name.lower() not in listed)
    return first_of_each(applied, lambda b: b.name.lower())


def inferred_note(base: InferredBase) -> str:
    """Where an inferred base was read, for a comment (``read from adapter_config (high)``)."""
    return f"read from {base.signal.value} ({base.confidence.value})"


def code_note(c: CodeRelease) -> str:
    """What a linked repository is to the model: its role, what it covers, whether it counts."""
    covers = f" ({', '.join(c.covers)})" if c.covers else ""
    counts = "the model's own code" if c.own_code else "not the model's own code"
    return f"{c.role} code{covers}, {counts}"


# --------------------------------------------------------------------------- licenses


@record
class LicenseTerm:
    """One license as a bill of materials states it."""

    key: str
    """Catalogue id, or the custom name as written (``other`` + ``license_name``)."""
    name: str
    """Full name (the catalogue's, or the ``license_name`` / value as written)."""
    spdx: str | None
    """SPDX license id, when the license has one."""
    url: str | None
    """Where its text is (``license_link`` for a custom license, else the catalogue URL)."""
    verdict: str
    """owcheck's verdict: open, restricted, not-open or unknown."""
    source: str
    """Where it was read: ``metadata``, ``license-file``, ``base-model``, ``dataset-card``..."""
    path: str | None = None
    """The file in the model repo that holds its text (a LICENSE file, a ``license_link``)."""

    @property
    def ref_id(self) -> str:
        """An id for a custom license (``LicenseRef-`` style): letters, digits, dots, hyphens."""
        return re.sub(r"[^A-Za-z0-9.-]+", "-", self.key).strip("-") or "custom"


def _link_url(report: Report, link: LicenseLink) -> str:
    """A ``license_link`` as an absolute URL when it names a file of a repo on the Hub."""
    if link.remote or link.path is None or not on_hub(report):
        return link.value.strip()
    rev = report.revision or "main"
    return f"{model_url(report.subject_id)}/blob/{rev}/{link.path}"


def _real(entry: LicenseEntry | None) -> LicenseEntry | None:
    return entry if entry is not None and entry.kind != "placeholder" else None


def term(finding: LicenseFinding, custom_name: str | None = None,
         custom_url: str | None = None, custom_path: str | None = None) -> LicenseTerm | None:
    """``finding`` as a license term; None when nothing was found at all. ``custom_*`` are the
    card's ``license_name``, ``license_link`` (as a URL) and the repo file it names, used for
    ``other``."""
    entry = _real(finding.entry)
    verdict = finding.verdict.value
    custom = finding.raw is not None and finding.raw.split(":", 1)[0] == "other"
    if entry is not None:
        if custom:
            return LicenseTerm(entry.id, entry.name, entry.spdx, custom_url or entry.url,
                               verdict, finding.source, custom_path)
        return LicenseTerm(entry.id, entry.name, entry.spdx, entry.url, verdict, finding.source)
    raw = (custom_name if custom else None) or finding.raw
    if not raw:
        return None
    if custom:
        return LicenseTerm(raw, raw, None, custom_url, verdict, finding.source, custom_path)
    return LicenseTerm(raw, raw, None, None, verdict, finding.source)


def declared_terms(report: Report) -> list[LicenseTerm]:
    """Every license the model declares: each ``license:`` value (``other`` with its
    ``license_name``/``license_link``), then LICENSE files identified as another license."""
    ev = report.evidence
    name = ev.card.meta.text("license_name") if ev.card else None
    link = ev.license_link
    url = _link_url(report, link) if link else None
    path = link.path if link else None
    out: list[LicenseTerm] = []
    for finding in ev.declared:
        found = term(finding, name.strip() if name and name.strip() else None, url, path)
        if found is not None:
            out.append(found)
    for f in ev.license_files:
        if f.status == "match" and f.entry is not None and f.part == "license":
            entry = f.entry
            out.append(LicenseTerm(entry.id, entry.name, entry.spdx, entry.url,
                                   _file_verdict(report, entry), "license-file", f.path))
    return first_of_each(out, lambda t: t.key)


def _file_verdict(report: Report, entry: LicenseEntry) -> str:
    """The verdict of a license identified in a LICENSE file, graded for this model."""
    own = report.evidence.own_license
    if own.entry is not None and own.entry.id == entry.id:
        return own.verdict.value
    from openweights.licensing.grader import GradingContext, grade_license

    ctx = GradingContext(modality=report.evidence.modality)
    return grade_license(entry, ctx, report.evidence.thresholds).verdict.value


def concluded_term(report: Report) -> LicenseTerm | None:
    """The license owcheck concluded governs the weights (lineage applied); None if unknown."""
    lic = report.evidence.weights.license
    entry = _real(lic.entry)
    if entry is None:
        return None
    return LicenseTerm(entry.id, entry.name, entry.spdx, entry.url, lic.verdict.value,
                       lic.source)


def finding_terms(finding: LicenseFinding) -> list[LicenseTerm]:
    """A base model's, a dataset's or a code repository's licenses, as its own card declares
    them: every item of a list (the evidence keeps the least open, with the list as written)."""
    parts = [p.strip() for p in (finding.raw or "").split(",") if p.strip()]
    if len(parts) < 2:
        found = term(finding)
        return [found] if found is not None else []
    from openweights.licensing.catalogue import load_catalogue
    from openweights.licensing.grader import grade_license

    catalogue = load_catalogue()
    out = []
    for part in parts:
        entry = _real(catalogue.resolve(part))
        if entry is None:
            out.append(LicenseTerm(part, part, None, None, "unknown", finding.source))
        else:
            out.append(LicenseTerm(entry.id, entry.name, entry.spdx, entry.url,
                                   grade_license(entry).verdict.value, finding.source))
    return out


# --------------------------------------------------------------------------- owcheck's verdicts


def properties(report: Report) -> Iterator[tuple[str, str]]:
    """owcheck's conclusions as ``owcheck:`` name/value pairs, in a fixed order."""
    g = report.grade
    p = PROPERTY_PREFIX
    yield f"{p}grade", g.letter.value
    yield f"{p}tier", g.tier.value
    yield f"{p}reason", g.reason
    for name in COMPONENTS:
        comp = g.components[name]
        ev = comp.evidence
        yield f"{p}{name}:available", ev.availability
        yield f"{p}{name}:license", ev.license.entry.id if ev.license.entry else "unknown"
        yield f"{p}{name}:verdict", ev.license.verdict.value
        for freedom in Freedom:
            yield f"{p}{name}:{freedom.value}", comp.cells[freedom].mark.value
    fw = g.frameworks
    yield f"{p}framework:osaid", fw.osaid
    yield f"{p}framework:mof", fw.mof
    yield f"{p}framework:debian", fw.debian
    yield f"{p}framework:fsf", fw.fsf
    yield f"{p}framework:open-weights-definition", fw.open_weights_definition
    summary = report.to_dict()["summary"]
    for level in Severity:
        yield f"{p}findings:{level}", str(summary[level.value])
    yield f"{p}version", __version__


def statement(report: Report) -> str:
    """owcheck's verdict in a few sentences, for annotations."""
    g = report.grade
    fw = g.frameworks
    rows = []
    for name in COMPONENTS:
        comp = g.components[name]
        cells = ", ".join(f"{f.value} {comp.cells[f].mark.value}" for f in Freedom)
        rows.append(f"{name}: {cells}")
    active = report.active_findings
    return (
        f"owcheck {__version__}: grade {g.letter} ({g.tier}): {g.reason}. "
        + "; ".join(rows)
        + f". Frameworks: OSAID {fw.osaid}, MOF {fw.mof}, Debian {fw.debian}, FSF {fw.fsf}, "
        f"Open Weights Definition {fw.open_weights_definition}. "
        f"{len(active)} finding(s)"
        + (": " + "; ".join(f"{f.rule} {f.message}" for f in active[:20]) if active else "")
        + "."
    )
