"""``--format cyclonedx``: a CycloneDX 1.6 ML-BOM (JSON), built with ``cyclonedx-python-lib``.

Needs the ``bom`` extra (``pip install 'owcheck[bom]'``); nothing else imports it.

- The model is ``metadata.component``, of type ``machine-learning-model``, with its purl
  (``pkg:huggingface/ORG/NAME@sha``) when it is a Hub repo.
- Its licenses: every declared one (``acknowledgement: declared``: SPDX ids where CycloneDX
  knows them, else name and URL, so custom licenses and ``other`` with ``license_name`` /
  ``license_link`` are kept), and the one owcheck concluded for the weights after lineage
  (``acknowledgement: concluded``). Each carries ``owcheck:verdict`` and ``owcheck:source``.
- Base models are ``pedigree.ancestors`` (nearest first, each with its own license and
  ``owcheck:relation`` / ``owcheck:child``), followed by the bases read from other signals that
  apply to the weights (``owcheck:signal``, ``owcheck:confidence``, the license the base-model
  catalogue records); datasets are ``data`` components with their own licenses, referenced from
  ``modelCard.modelParameters.datasets``; every linked code repository is an ``application``
  component with its ``owcheck:role`` and whether it ``owcheck:counts`` as the model's own code,
  and the model's own training and data-processing code are ``vcs`` references of the model.
- owcheck's grade, tier, grid and framework verdicts are ``owcheck:`` properties of the model,
  and its verdict in words is an annotation.

The library has no model for annotations, model cards or component data yet, so those are
added to its JSON output; tests validate the whole document against the 1.6 schema.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from openweights import __version__
from openweights.formats.bom import (
    PROPERTY_PREFIX,
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
    iso,
    model_url,
    on_hub,
    properties,
    purl,
    split_id,
    statement,
    subject_name,
    timestamp_asked,
)
from openweights.repoids import valid_repo_id
from openweights.report import Report

if TYPE_CHECKING:
    from cyclonedx.model.component import Component
    from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement

SPEC_VERSION = "1.6"
MODEL_REF = "model"
TOOL_REF = "owcheck"
ANNOTATION_REF = "owcheck-verdict"


def _prop(name: str, value: str) -> Any:
    from cyclonedx.model import Property

    return Property(name=name, value=value)


def _uri(url: str | None) -> Any:
    """An ``XsUri``, or None when the string cannot be one (the URL then goes to a property)."""
    if not url:
        return None
    from cyclonedx.exception.model import InvalidUriException
    from cyclonedx.model import XsUri

    try:
        return XsUri(url)
    except InvalidUriException:
        return None


def _license(t: LicenseTerm, ack: LicenseAcknowledgement) -> DisjunctiveLicense:
    from cyclonedx.model.license import DisjunctiveLicense
    from cyclonedx.spdx import is_supported_id

    props = [
        _prop(f"{PROPERTY_PREFIX}license", t.key),
        _prop(f"{PROPERTY_PREFIX}verdict", t.verdict),
        _prop(f"{PROPERTY_PREFIX}source", t.source),
    ]
    url = _uri(t.url)
    if t.url and url is None:
        props.append(_prop(f"{PROPERTY_PREFIX}license-link", t.url))
    if t.spdx and is_supported_id(t.spdx):
        return DisjunctiveLicense(id=t.spdx, url=url, acknowledgement=ack, properties=props)
    if t.spdx:
        props.append(_prop(f"{PROPERTY_PREFIX}spdx", t.spdx))
    return DisjunctiveLicense(name=t.name, url=url, acknowledgement=ack, properties=props)


def _declared(terms: Iterable[LicenseTerm]) -> list[DisjunctiveLicense]:
    from cyclonedx.model.license import LicenseAcknowledgement

    return [_license(t, LicenseAcknowledgement.DECLARED) for t in terms]


def _ref(url: str, kind: str, comment: str | None = None) -> Any:
    from cyclonedx.model import ExternalReference, ExternalReferenceType

    uri = _uri(url)
    if uri is None:
        return None
    return ExternalReference(type=ExternalReferenceType(kind), url=uri, comment=comment)


def _refs(*refs: Any) -> list[Any]:
    return [r for r in refs if r is not None]


def _tool() -> Component:
    from cyclonedx.model.component import Component, ComponentType

    return Component(
        type=ComponentType.APPLICATION, name="owcheck", version=__version__, bom_ref=TOOL_REF,
        external_references=_refs(_ref(TOOL_URL, "website")),
    )


def _ancestors(report: Report) -> list[Component]:
    from cyclonedx.model.component import Component, ComponentType

    out: list[Component] = []
    children: dict[str, list[str]] = {}
    for link in report.evidence.lineage:
        children.setdefault(link.id, []).append(link.child)
    for link in first_of_each(report.evidence.lineage, lambda link: link.id):
        org, name = split_id(link.id)
        revision = ancestor_revision(report, link.id)
        props = [
            _prop(f"{PROPERTY_PREFIX}relation", link.relation or "unstated"),
            *(_prop(f"{PROPERTY_PREFIX}child", child) for child in children[link.id]),
            _prop(f"{PROPERTY_PREFIX}found", "true" if link.found else "false"),
            _prop(f"{PROPERTY_PREFIX}verdict", link.license.verdict.value),
        ]
        out.append(Component(
            type=ComponentType.MACHINE_LEARNING_MODEL, group=org, name=name, version=revision,
            bom_ref=f"ancestor:{link.id}", purl=_purl(link.id, revision),
            licenses=_declared(finding_terms(link.license)),
            external_references=_refs(_ref(model_url(link.id, revision), "website")),
            properties=props,
        ))
    for base in inferred_ancestors(report):
        repo = valid_repo_id(base.name)
        org, name = split_id(base.name) if repo else (None, base.name)
        out.append(Component(
            type=ComponentType.MACHINE_LEARNING_MODEL, group=org, name=name,
            bom_ref=f"inferred:{base.name}", purl=_purl(base.name, None) if repo else None,
            licenses=_declared(finding_terms(base.license)),
            external_references=_refs(_ref(model_url(base.name), "website")) if repo else None,
            properties=[
                _prop(f"{PROPERTY_PREFIX}relation", base.relation or "unstated"),
                _prop(f"{PROPERTY_PREFIX}signal", base.signal.value),
                _prop(f"{PROPERTY_PREFIX}confidence", base.confidence.value),
                _prop(f"{PROPERTY_PREFIX}verdict", base.license.verdict.value),
            ],
        ))
    return out


def _purl(repo_id: str, revision: str | None) -> Any:
    from packageurl import PackageURL

    text = purl(repo_id, revision)
    return PackageURL.from_string(text) if text else None


def _datasets(report: Report) -> list[Component]:
    from cyclonedx.model.component import Component, ComponentType

    out = []
    for d in report.evidence.datasets:
        org, name = split_id(d.id)
        revision = dataset_revision(report, d.id)
        found = "unknown" if d.found is None else ("true" if d.found else "false")
        out.append(Component(
            type=ComponentType.DATA, group=org, name=name, version=revision,
            bom_ref=f"dataset:{d.id}", licenses=_declared(finding_terms(d.license)),
            external_references=_refs(_ref(dataset_url(d.id), "website")),
            properties=[
                _prop(f"{PROPERTY_PREFIX}verdict", d.license.verdict.value),
                _prop(f"{PROPERTY_PREFIX}found", found),
                _prop(f"{PROPERTY_PREFIX}gated", d.gated or "false"),
            ],
        ))
    return out


def _code_name(url: str) -> str:
    """``https://github.com/org/repo/tree/main/x`` -> ``github.com/org/repo``."""
    m = re.match(r"^[a-z]+://([^/]+)/([^/?#]+)/([^/?#]+)", url, re.I)
    return "/".join(m.groups()) if m else url


def _code(report: Report) -> list[Component]:
    from cyclonedx.model.component import Component, ComponentType

    out = []
    for c in first_of_each(report.evidence.code_releases, lambda c: c.url):
        props = [
            _prop(f"{PROPERTY_PREFIX}role", c.role),
            _prop(f"{PROPERTY_PREFIX}counts", "true" if c.own_code else "false"),
            _prop(f"{PROPERTY_PREFIX}covers", ",".join(c.covers) or "unknown"),
            _prop(f"{PROPERTY_PREFIX}verdict", c.license.verdict.value),
        ]
        if c.forge is not None:
            props.append(_prop(f"{PROPERTY_PREFIX}forge", c.forge.status.value))
        out.append(Component(
            type=ComponentType.APPLICATION, name=c.repo or _code_name(c.url),
            bom_ref=f"code:{c.url}", licenses=_declared(finding_terms(c.license)),
            external_references=_refs(_ref(c.url, "vcs", code_note(c))), properties=props,
        ))
    return out


def _model(report: Report) -> Component:
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.license import LicenseAcknowledgement

    hub = on_hub(report)
    org, name = split_id(report.subject_id) if hub else (None, subject_name(report))
    licenses = _declared(declared_terms(report))
    concluded = concluded_term(report)
    if concluded is not None:
        licenses.append(_license(concluded, LicenseAcknowledgement.CONCLUDED))
    refs = [_ref(model_url(report.subject_id, report.revision), "website")] if hub else []
    for c in first_of_each(report.evidence.code_releases, lambda c: c.url):
        if c.own_code:
            refs.append(_ref(c.url, "vcs", code_note(c)))
    ancestors = _ancestors(report)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, group=org, name=name,
        version=report.revision, bom_ref=MODEL_REF,
        purl=_purl(report.subject_id, report.revision) if hub else None,
        licenses=licenses, external_references=_refs(*refs),
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        properties=[_prop(k, v) for k, v in properties(report)],
    )


def _model_card(report: Report) -> dict[str, Any] | None:
    params: dict[str, Any] = {}
    task = report.evidence.bundle.subject.pipeline_tag
    if task is None and report.evidence.card is not None:
        task = report.evidence.card.meta.text("pipeline_tag")
    if task:
        params["task"] = task
    if report.evidence.datasets:
        params["datasets"] = [{"ref": f"dataset:{d.id}"} for d in report.evidence.datasets]
    return {"modelParameters": params} if params else None


def to_cyclonedx(report: Report) -> dict[str, Any]:
    """The report as a CycloneDX 1.6 BOM (a dict ready for ``json.dumps``)."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.output.json import JsonV1Dot6

    moment = created()
    bom = Bom(serial_number=document_uuid(report, "cyclonedx"))
    bom.metadata.component = _model(report)
    bom.metadata.tools.components.add(_tool())
    for component in [*_datasets(report), *_code(report)]:
        bom.components.add(component)
    with warnings.catch_warnings():
        # The library warns about an incomplete dependency graph: training data and code are
        # not dependencies of a model, so the BOM states none.
        warnings.simplefilter("ignore")
        data: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())

    metadata = data["metadata"]
    if timestamp_asked():
        metadata["timestamp"] = iso(moment)
    else:
        metadata.pop("timestamp", None)
    card = _model_card(report)
    if card is not None:
        metadata["component"]["modelCard"] = card
    for component in data.get("components", []):
        if component.get("type") == "data":
            component["data"] = [{"type": "dataset", "name": component["name"]}]
    tool = next(t for t in metadata["tools"]["components"] if t.get("bom-ref") == TOOL_REF)
    annotator = {k: v for k, v in tool.items() if k != "bom-ref"}  # bom-refs must be unique
    data["annotations"] = [{
        "bom-ref": ANNOTATION_REF,
        "subjects": [MODEL_REF],
        "annotator": {"component": annotator},
        "timestamp": iso(moment),
        "text": statement(report),
    }]
    first = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata",
             "components", "dependencies", "annotations")
    return {**{k: data[k] for k in first if k in data},
            **{k: v for k, v in data.items() if k not in first}}


def render(report: Report) -> str:
    """The report as CycloneDX 1.6 JSON."""
    return json.dumps(to_cyclonedx(report), indent=2, ensure_ascii=False) + "\n"
