"""``--format spdx``: an SPDX 3.0.1 document (JSON-LD) with the AI and Dataset profiles.

Written directly with the json module (no extra needed). The model is an ``ai_AIPackage``, each
base model too; each dataset is a ``dataset_DatasetPackage`` whose ``datasetAvailability`` comes
from the Hub's gating (none: ``directDownload``; automatic approval: ``clickthrough``; manual
approval: ``registration``; not found or not looked up: not stated); each code repository the
card links is a ``software_Package`` with purpose ``source``, its role in its comment.

Relationships: ``hasDeclaredLicense`` (what the card and the LICENSE files declare) and
``hasConcludedLicense`` (what owcheck concluded governs the weights, after lineage; the
``NoAssertionLicense`` individual when it could not tell), ``trainedOn`` from the model to its
datasets, ``descendantOf`` from each model to the base it names (and ``hasVariant`` from a base
to its quantization; a base read from another signal than the Hub's lineage that applies to the
weights says where it was read), ``generates`` from the model's own training code to the model
(any other linked code is ``other``). SPDX-listed licenses are
``simplelicensing_LicenseExpression`` elements; any other is an ``expandedlicensing_CustomLicense``
whose id ends in ``LicenseRef-<name>``, with its URL in ``seeAlso`` and, as text, the model's own
LICENSE file when it holds that license (owcheck ships no license texts). owcheck's grade, tier,
grid and framework verdicts are CycloneDX-style ``owcheck:`` properties on the model (the
Extension profile's ``CdxPropertiesExtension``) and a review ``Annotation``.

``CreationInfo.created`` is ``SOURCE_DATE_EPOCH`` when set, else 1970-01-01T00:00:00Z (see
``openweights.formats.bom``), so the same report gives the same bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from openweights import __version__
from openweights.formats.bom import (
    TOOL_URL,
    LicenseTerm,
    ancestor_revision,
    code_note,
    concluded_term,
    created,
    dataset_revision,
    dataset_url,
    declared_terms,
    document_uuid,
    finding_terms,
    first_of_each,
    inferred_ancestors,
    inferred_note,
    iso,
    model_url,
    on_hub,
    properties,
    purl,
    split_id,
    statement,
    subject_name,
)
from openweights.repoids import valid_repo_id
from openweights.report import Report

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
TERMS = "https://spdx.org/rdf/3.0.1/terms/"
NO_ASSERTION = TERMS + "ExpandedLicensing/NoAssertionLicense"
CREATION_INFO = "_:creationinfo"
PROFILES = ["core", "software", "ai", "dataset", "simpleLicensing", "expandedLicensing",
            "extension"]
AVAILABILITY = {None: "directDownload", "auto": "clickthrough", "manual": "registration"}
"""Hub gating -> SPDX datasetAvailability (a dataset that was found on the Hub)."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


class _Document:
    """Collects elements with unique ids, in the order they are first added."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.base = f"https://spdx.org/spdxdocs/owcheck-{document_uuid(report, 'spdx')}"
        self.elements: dict[str, dict[str, Any]] = {}
        self.relationships: list[dict[str, Any]] = []
        self._ids: dict[tuple[str, str], str] = {}

    def iri(self, kind: str, key: str) -> str:
        """The id for ``key``: a readable slug, numbered when two keys share one."""
        if (kind, key) in self._ids:
            return self._ids[(kind, key)]
        slug = candidate = f"{self.base}/{kind}/{_slug(key)}"
        n = 1
        while candidate in self._ids.values():
            n += 1
            candidate = f"{slug}-{n}"
        self._ids[(kind, key)] = candidate
        return candidate

    def add(self, kind: str, spdx_type: str, key: str, **fields: Any) -> str:
        """Add an element once (later adds of the same key are ignored); return its id."""
        spdx_id = self.iri(kind, key)
        if spdx_id not in self.elements:
            element = {"type": spdx_type, "spdxId": spdx_id, "creationInfo": CREATION_INFO}
            element.update({k: v for k, v in fields.items() if v not in (None, [], "")})
            self.elements[spdx_id] = element
        return spdx_id

    def relate(self, source: str, kind: str, targets: list[str], comment: str | None = None,
               ) -> None:
        if not targets:
            return
        n = len(self.relationships) + 1
        rel: dict[str, Any] = {
            "type": "Relationship",
            "spdxId": self.iri("relationship", f"{n}-{kind}"),
            "creationInfo": CREATION_INFO,
            "from": source,
            "relationshipType": kind,
            "to": targets,
        }
        if comment:
            rel["comment"] = comment
        self.relationships.append(rel)

    # -- licenses -------------------------------------------------------------------------

    def license(self, t: LicenseTerm) -> str:
        """The element for a license term (listed: a license expression; else a custom one)."""
        if t.spdx:
            return self.add("license", "simplelicensing_LicenseExpression", t.spdx,
                            simplelicensing_licenseExpression=t.spdx)
        return self.add(
            "license", "expandedlicensing_CustomLicense", f"LicenseRef-{t.ref_id}",
            name=t.name,
            simplelicensing_licenseText=self._license_text(t),
            expandedlicensing_seeAlso=[t.url] if t.url else None,
            comment=f"owcheck verdict: {t.verdict} (read from {t.source})",
        )

    def _license_text(self, t: LicenseTerm) -> str:
        """The model's own LICENSE file when it holds this license, else where the text is."""
        ev = self.report.evidence
        texts = ev.bundle.subject.license_files
        paths = [t.path] if t.path else []
        paths += [f.path for f in ev.license_files
                  if f.status == "match" and f.entry is not None and f.entry.id == t.key]
        for path in paths:
            if texts.get(path):
                return texts[path]
        where = f" Its text is published at {t.url}." if t.url else ""
        return (f"{t.name}: owcheck does not reproduce license texts and the model repository "
                f"ships no copy of this one.{where}")

    def licenses(self, source: str, declared: list[LicenseTerm],
                 concluded: LicenseTerm | None, conclude: bool) -> None:
        self.relate(source, "hasDeclaredLicense",
                    [self.license(t) for t in declared] or [NO_ASSERTION])
        if conclude:
            target = self.license(concluded) if concluded is not None else NO_ASSERTION
            self.relate(source, "hasConcludedLicense", [target])


def _model_fields(repo_id: str, revision: str | None, hub: bool) -> dict[str, Any]:
    return {
        "software_packageVersion": revision,
        "software_packageUrl": purl(repo_id, revision) if hub else None,
        "software_downloadLocation": model_url(repo_id, revision) if hub else None,
        "software_homePage": model_url(repo_id) if hub else None,
        "software_primaryPurpose": "model",
    }


def _extension(report: Report) -> list[dict[str, Any]]:
    return [{
        "type": "extension_CdxPropertiesExtension",
        "extension_cdxProperty": [
            {"type": "extension_CdxPropertyEntry", "extension_cdxPropName": name,
             "extension_cdxPropValue": value}
            for name, value in properties(report)
        ],
    }]


def to_spdx(report: Report) -> dict[str, Any]:
    """The report as an SPDX 3.0.1 JSON-LD document (a dict ready for ``json.dumps``)."""
    doc = _Document(report)
    ev = report.evidence
    hub = on_hub(report)

    agent = doc.add("agent", "SoftwareAgent", "owcheck", name="owcheck")
    tool = doc.add("tool", "Tool", f"owcheck-{__version__}", name=f"owcheck {__version__}",
                   externalRef=[{"type": "ExternalRef", "externalRefType": "altWebPage",
                                 "locator": [TOOL_URL]}])
    supplier = None
    org, _ = split_id(report.subject_id)
    if hub and org:
        supplier = doc.add("organization", "Organization", org, name=org)
    model = doc.add(
        "model", "ai_AIPackage", report.subject_id,
        name=report.subject_id if hub else subject_name(report),
        suppliedBy=supplier,
        extension=_extension(report),
        **_model_fields(report.subject_id, report.revision, hub),
    )
    ids = {report.subject_id: model}
    doc.licenses(model, list(declared_terms(report)), concluded_term(report), conclude=True)

    for link in ev.lineage:
        if link.id not in ids:
            revision = ancestor_revision(report, link.id)
            ids[link.id] = doc.add(
                "model", "ai_AIPackage", link.id, name=link.id,
                comment=None if link.found else "not found on the Hub",
                **_model_fields(link.id, revision, True),
            )
            doc.licenses(ids[link.id], finding_terms(link.license), None, conclude=False)
    for link in ev.lineage:
        child = ids.get(link.child, model)
        relation = link.relation or "unstated"
        doc.relate(child, "descendantOf", [ids[link.id]], f"base model ({relation})")
        if link.relation == "quantized":
            doc.relate(ids[link.id], "hasVariant", [child], "quantization")
    for base in inferred_ancestors(report):
        repo = valid_repo_id(base.name)
        spdx_id = doc.add("model", "ai_AIPackage", base.name, name=base.name,
                          comment=f"base model {inferred_note(base)}",
                          **_model_fields(base.name, None, repo))
        doc.licenses(spdx_id, finding_terms(base.license), None, conclude=False)
        relation = base.relation or "unstated"
        doc.relate(model, "descendantOf", [spdx_id],
                   f"base model ({relation}), {inferred_note(base)}")

    datasets = []
    for d in ev.datasets:
        availability = AVAILABILITY.get(d.gated) if d.found else None
        spdx_id = doc.add(
            "dataset", "dataset_DatasetPackage", d.id, name=d.id,
            software_packageVersion=dataset_revision(report, d.id),
            software_downloadLocation=dataset_url(d.id) if d.found else None,
            software_homePage=dataset_url(d.id),
            software_primaryPurpose="data",
            dataset_datasetType=["noAssertion"],
            dataset_datasetAvailability=availability,
            comment=None if d.found is not False else "not found on the Hub",
        )
        datasets.append(spdx_id)
        doc.licenses(spdx_id, finding_terms(d.license), None, conclude=False)
    doc.relate(model, "trainedOn", datasets)

    for c in first_of_each(ev.code_releases, lambda c: c.url):
        spdx_id = doc.add("code", "software_Package", c.url, name=c.url,
                          software_downloadLocation=c.url, software_primaryPurpose="source",
                          comment=code_note(c))
        doc.licenses(spdx_id, finding_terms(c.license), None, conclude=False)
        if c.own_code and "training" in c.covers:
            doc.relate(spdx_id, "generates", [model], "training code")
        else:
            doc.relate(model, "other", [spdx_id], f"code linked by the card: {code_note(c)}")

    doc.add("annotation", "Annotation", "owcheck-verdict", annotationType="review",
            subject=model, statement=statement(report))
    cc0 = doc.add("license", "simplelicensing_LicenseExpression", "CC0-1.0",
                  simplelicensing_licenseExpression="CC0-1.0")
    graph = [*doc.elements.values(), *doc.relationships]
    document = {
        "type": "SpdxDocument",
        "spdxId": f"{doc.base}/document",
        "creationInfo": CREATION_INFO,
        "name": f"owcheck: {report.subject_id}",
        "profileConformance": PROFILES,
        "dataLicense": cc0,
        "rootElement": [model],
        "element": [e["spdxId"] for e in graph],
    }
    creation = {
        "type": "CreationInfo",
        "@id": CREATION_INFO,
        "specVersion": SPEC_VERSION,
        "created": iso(created()),
        "createdBy": [agent],
        "createdUsing": [tool],
    }
    return {"@context": CONTEXT, "@graph": [creation, document, *graph]}


def render(report: Report) -> str:
    """The report as SPDX 3.0.1 JSON-LD."""
    return json.dumps(to_spdx(report), indent=2, ensure_ascii=False) + "\n"
