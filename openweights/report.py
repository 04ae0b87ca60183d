"""The report: one frozen tree that every format renders. Its JSON form is the registry contract.

``schemas/report.schema.json`` describes ``Report.to_dict()``. SCHEMA_VERSION follows the
rule: major bump when a field is removed or renamed, minor when one is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openweights import __version__
from openweights.evidence import CodeRelease, DataStage, Evidence, LicenseFinding
from openweights.grade import COMPONENTS, Grade
from openweights.licensing.features import Freedom
from openweights.records import field, record
from openweights.rules import Finding, Severity

SCHEMA_VERSION = "1.3"
"""1.1 added the closest license of a modified LICENSE text; 1.2 added ``inferred_bases`` (bases
read from every signal), ``weight_files`` (weight-file headers), ``stages`` (training data by
stage), ``code_repositories`` (every linked repository with its role and the forge's answer) and
the ``forge`` and ``corpus-catalogue`` license sources; 1.3 added ``subject.last_modified``
(the version of a model graded from a card dump)."""


@record
class Report:
    """Everything owcheck concluded about one model."""

    subject_id: str
    """Repo id or path as given."""
    source: str
    """``hub`` or ``local``."""
    revision: str | None
    """Resolved commit sha (hub), or None."""
    grade: Grade
    """Letter, tier, grid, frameworks."""
    evidence: Evidence
    """What the grade was derived from."""
    findings: tuple[Finding, ...] = field(default=())
    """Rule findings, active and suppressed, in code order."""
    unused_suppressions: tuple[tuple[str, int], ...] = ()
    """Inline suppressions that matched nothing: (code, line)."""
    last_modified: str | None = None
    """When the Hub last saw the repo change, when the source says (a dump row); else None."""

    @property
    def active_findings(self) -> list[Finding]:
        """Findings not suppressed."""
        return [f for f in self.findings if f.suppressed is None]

    def worst_severity(self) -> Severity | None:
        """The most severe active finding's severity."""
        return max((f.severity for f in self.active_findings), key=lambda s: s.rank, default=None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (schema_version 1.x): every key always present, order fixed."""
        comps = {}
        for name in COMPONENTS:
            cg = self.grade.components[name]
            ev = cg.evidence
            comps[name] = {
                "available": ev.availability,
                "license": _license_dict(ev.license),
                "freedoms": {f.value: cg.cells[f].mark.value for f in Freedom},
                "reasons": {f.value: cg.cells[f].reason for f in Freedom},
                "evidence": [
                    {"claim": fact.claim, "origin": str(fact.origin)} for fact in ev.facts
                ],
            }
        fw = self.grade.frameworks
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "owcheck", "version": __version__},
            "subject": {"id": self.subject_id, "source": self.source, "revision": self.revision,
                        "last_modified": self.last_modified},
            "grade": self.grade.letter.value,
            "tier": self.grade.tier.value,
            "reason": self.grade.reason,
            "components": comps,
            "frameworks": {
                "osaid": fw.osaid,
                "mof": fw.mof,
                "debian": fw.debian,
                "fsf": fw.fsf,
                "open_weights_definition": fw.open_weights_definition,
            },
            "lineage": [
                {
                    "id": link.id,
                    "relation": link.relation,
                    "child": link.child,
                    "found": link.found,
                    "license": {
                        "id": link.license.entry.id if link.license.entry else None,
                        "verdict": link.license.verdict.value,
                    },
                }
                for link in self.evidence.lineage
            ],
            "inferred_bases": [
                {
                    "name": base.name,
                    "family": base.family,
                    "signal": base.signal.value,
                    "confidence": base.confidence.value,
                    "relation": base.relation,
                    "applied": base.applies,
                    "license": {
                        "id": base.license.entry.id if base.license.entry else None,
                        "verdict": base.license.verdict.value,
                    },
                    "quote": base.quote,
                    "origin": str(base.origin),
                }
                for base in self.evidence.inferred_bases
            ],
            "weight_files": [
                {
                    "path": meta.path,
                    "format": meta.format,
                    "name": meta.name,
                    "license": meta.license,
                    "base_models": [f"{k}={v}" for k, v in meta.base_models],
                    "complete": meta.complete,
                    "problem": meta.problem,
                }
                for meta in self.evidence.weight_files
            ],
            "datasets": [
                {
                    "id": d.id,
                    "found": d.found,
                    "license": {
                        "id": d.license.entry.id if d.license.entry else None,
                        "verdict": d.license.verdict.value,
                    },
                }
                for d in self.evidence.datasets
            ],
            "stages": [_stage_dict(s) for s in self.evidence.stages],
            "code_repositories": [_code_dict(c) for c in self.evidence.code_releases],
            "findings": [_finding_dict(f) for f in self.findings],
            "unused_suppressions": [
                {"rule": code, "line": line} for code, line in self.unused_suppressions
            ],
            "summary": _summary(self.findings),
        }


def _license_dict(lic: LicenseFinding) -> dict[str, Any]:
    return {
        "id": lic.entry.id if lic.entry else None,
        "name": lic.entry.name if lic.entry else None,
        "verdict": lic.verdict.value,
        "source": lic.source,
        "closest": dict(lic.closest) if lic.closest else None,
    }


def _short_license(lic: LicenseFinding) -> dict[str, Any]:
    return {
        "id": lic.entry.id if lic.entry else None,
        "verdict": lic.verdict.value,
        "source": lic.source,
        "origin": str(lic.origin) if lic.source != "none" else None,
    }


def _stage_dict(stage: DataStage) -> dict[str, Any]:
    return {
        "stage": stage.stage,
        "inherited_from": stage.inherited_from,
        "state": stage.state,
        "available": stage.availability,
        "license": _short_license(stage.license),
        "data_information": dict(
            zip(
                ("inventory", "processing_code", "provenance", "unshareable", "labelling"),
                stage.information.points.values(),
                strict=True,
            )
        ),
        "sources": [
            {
                "name": src.name,
                "kind": src.kind,
                "dataset": src.dataset_id,
                "corpus": src.corpus_id,
                "available": src.availability,
                "license": _short_license(src.license),
                "origin": str(src.origin),
                "context": src.context or None,
            }
            for src in stage.sources
        ],
    }


def _code_dict(c: CodeRelease) -> dict[str, Any]:
    forge = c.forge
    return {
        "url": c.url,
        "repository": c.repo,
        "role": c.role,
        "covers": list(c.covers),
        "counts": c.own_code,
        "why": c.why,
        "context": c.context or None,
        "origin": str(c.origin),
        "via": c.via,
        "license": _short_license(c.license),
        "forge": None if forge is None else {
            "status": forge.status.value,
            "canonical": forge.canonical,
            "license": forge.license_id,
            "message": forge.message,
        },
    }


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "component": f.component,
        "location": {"path": f.path, "line": f.line},
        "fix": f.fix,
        "url": f.url,
        "suppressed": f.suppressed,
    }


def _summary(findings: Sequence[Finding]) -> dict[str, int]:
    active = [f for f in findings if f.suppressed is None]
    return {
        "error": sum(f.severity is Severity.ERROR for f in active),
        "warning": sum(f.severity is Severity.WARNING for f in active),
        "info": sum(f.severity is Severity.INFO for f in active),
        "suppressed": sum(f.suppressed is not None for f in findings),
    }
