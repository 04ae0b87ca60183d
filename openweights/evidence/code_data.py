"""Training code and training data evidence: links, the openness block, datasets, and the
five-point data-information test."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openweights.card import Card, parse_card
from openweights.evidence.licenses import Resolver, least_open_license
from openweights.evidence.model import (
    CodeRelease,
    DataInformation,
    DatasetEvidence,
    Fact,
    LicenseFinding,
    Origin,
)
from openweights.licensing.grader import least_open
from openweights.repoids import as_list, repo_id_from
from openweights.sources import Bundle, DatasetMaterial

_CODE_HOST = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org|git\.[\w.-]+)"
    r"/[\w.-]+/[\w.-]+[^\s)\]>\"'`]*",
    re.I,
)
# Links into a code host that are not code: documents, policies, issue trackers, images.
_NOT_CODE = re.compile(
    r"/(issues|discussions|pulls?|releases|wiki|assets)\b|\.(md|txt|pdf|png|jpe?g|gif|svg)$",
    re.I,
)
_DOCUMENT_FILE = re.compile(
    r"(licen[cs]e|use_policy|notice|model_card|readme|responsible_use)[\w.-]*", re.I
)
_CONTEXT = 300
"""Characters either side of a link read to guess what the code covers (within its line)."""


def _not_code(url: str) -> bool:
    """A link to a document, not code: an issue tracker, an image, ``/blob/REF/LICENSE``.

    The file name is matched on the last path segment: a pattern such as ``/blob/[^\\s]*/...$``
    would rescan the rest of a long URL from every ``/blob/`` in it.
    """
    if _NOT_CODE.search(url):
        return True
    head, _, name = url.rpartition("/")
    return "/blob/" in head and _DOCUMENT_FILE.fullmatch(name) is not None


_HF_DATASET_LINK = re.compile(r"huggingface\.co/datasets/([\w.-]+/[\w.-]+)", re.I)


def openness_block(card: Card | None) -> Mapping[str, Any]:
    """The ``openness:`` block, every part of it checked for its type (``Card.meta``)."""
    return card.meta.block("openness") if card else {}


def code_releases(
    card: Card, res: Resolver, prose_code: list[LicenseFinding]
) -> list[CodeRelease]:
    out: list[CodeRelease] = []
    block = openness_block(card)
    for i, item in enumerate(as_list(block.get("code"))):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        origin = Origin(card.path, card.line_of("openness", "code", i))
        raw = item.get("license")
        entry = res.entry(raw)
        lic = res.finding(raw if isinstance(raw, str) else None, entry, "openness", origin)
        covers = tuple(c for c in as_list(item.get("covers")) if isinstance(c, str))
        out.append(CodeRelease(item["url"], lic, covers, origin))
    if out:
        return out
    code_license = prose_code[0] if prose_code else None
    seen: set[str] = set()
    for section in card.sections or ():
        title = section.title.lower()
        for m in _CODE_HOST.finditer(section.body):
            url = m.group(0).rstrip(".,;:")
            repo = "/".join(url.split("/")[:5]).lower()
            if repo in seen or _not_code(url):
                continue
            seen.add(repo)
            line = section.line_at(m.start())
            context = (title + " " + _line_around(section.body, m.start())).lower()
            covers = _guess_covers(context)
            if not covers:
                continue
            origin = Origin(card.path, line)
            lic = code_license or res.finding(None, None, "none", origin)
            out.append(CodeRelease(url, lic, covers, origin))
    return out


def _line_around(text: str, pos: int) -> str:
    """The line around ``pos``, at most ``_CONTEXT`` characters either side: bounded, so that
    many links on one long line (a table row) cost linear time, not quadratic."""
    low = max(0, pos - _CONTEXT)
    high = min(len(text), pos + _CONTEXT)
    start = text.rfind("\n", low, pos) + 1 or low
    end = text.find("\n", pos, high)
    return text[start : end if end != -1 else high]


def _guess_covers(context: str) -> tuple[str, ...]:
    covers = []
    if re.search(r"\b(train(ing)?|pre-?train\w*|fine-?tun\w*|reproduc\w*)\b", context):
        covers.append("training")
    if re.search(
        r"\b(data ?(processing|pipeline|prep\w*)|dedup\w*|filter\w*|preprocess\w*)", context
    ):
        covers.append("data-processing")
    if re.search(r"\b(eval\w*|benchmark\w*)\b", context):
        covers.append("evaluation")
    if re.search(r"\b(inference|serv(e|ing)|usage|demo|repository|code|github)\b", context):
        covers.append("inference")
    return tuple(covers)


def datasets_named(card: Card, bundle: Bundle, res: Resolver) -> list[DatasetEvidence]:
    ids: list[tuple[str, Origin]] = []
    for value, line in card.meta.located("datasets"):
        did = repo_id_from(value, "dataset")
        if did:
            ids.append((did, Origin(card.path, line)))
    data_block = openness_block(card).get("data")
    if isinstance(data_block, dict):
        for i, value in enumerate(as_list(data_block.get("datasets"))):
            did = repo_id_from(value, "dataset")
            if did and did not in {d for d, _ in ids}:
                ids.append(
                    (did, Origin(card.path, card.line_of("openness", "data", "datasets", i)))
                )
    stated = {
        str(src.get("id")).lower(): src["license"]
        for src in (as_list(data_block.get("sources")) if isinstance(data_block, dict) else [])
        if isinstance(src, dict) and src.get("id") and isinstance(src.get("license"), str)
    }
    out = []
    for did, origin in ids:
        if not bundle.lineage_resolvable:
            # Local mode cannot look the dataset up; the openness block may name its license.
            raw = stated.get(did.lower())
            entry = res.entry(raw)
            lic = res.finding(raw, entry, "openness" if raw else "none", origin)
            out.append(DatasetEvidence(did, None, lic, origin))
            continue
        material = bundle.datasets.get(did)
        if material is None:
            out.append(DatasetEvidence(did, False, res.finding(None, None, "none", origin), origin))
            continue
        out.append(
            DatasetEvidence(did, True, dataset_license(material, res), origin, material.gated)
        )
    return out


def dataset_license(material: DatasetMaterial, res: Resolver) -> LicenseFinding:
    meta: Mapping[str, Any] = {}
    if material.card_text:
        meta = parse_card(material.card_text, "README.md").metadata
    if not meta and material.api_card_data:
        meta = material.api_card_data
    origin = Origin("README.md", None, None, material.id)
    values = [v for v in as_list(meta.get("license")) if isinstance(v, str)]
    findings = []
    for value in values:
        entry = res.catalogue.resolve(value)
        if entry and entry.kind == "placeholder" and isinstance(meta.get("license_name"), str):
            entry = res.catalogue.resolve(meta["license_name"]) or entry
        findings.append(res.finding(value, entry, "dataset-card", origin))
    if not findings:
        return res.finding(None, None, "dataset-card", origin)
    worst = least_open([f.verdict for f in findings])
    chosen = next(f for f in findings if f.verdict is worst)
    if len(findings) > 1:
        raw = ", ".join(values)
        return LicenseFinding(raw, chosen.entry, chosen.source, origin, chosen.grade)
    return chosen


def data_information(card: Card, datasets: list[DatasetEvidence]) -> DataInformation:
    block = openness_block(card).get("data")
    if isinstance(block, dict):
        sources = [s for s in as_list(block.get("sources")) if isinstance(s, dict)]
        pointer = all((s.get("id") or s.get("url")) for s in sources) and bool(sources)
        sized = all(s.get("size") is not None or s.get("share") is not None for s in sources)
        proc = block.get("processing_code")
        has_code = isinstance(proc, dict) and isinstance(proc.get("url"), str)
        prov = bool(sources) and all(s.get("license") and s.get("provenance") for s in sources)
        unshared = [s for s in sources if s.get("shared") is False]
        unshareable = all(s.get("reason_not_shared") for s in unshared)
        labelling = isinstance(block.get("labelling"), str) and bool(block["labelling"].strip())
        return DataInformation(pointer and sized, has_code, prov, unshareable, labelling)
    # Prose alone rarely passes: the test needs positive evidence on every point.
    sections = card.find_sections(
        r"(training|pre-?training|fine-?tuning)\s+(data|corpus|set)|^data(sets?)?$"
    )
    text = "\n".join(s.body for s in sections)
    pointers = (
        len(_HF_DATASET_LINK.findall(text)) + len(datasets) + len(re.findall(r"https?://", text))
    )
    # Only at the start of a run of digits: from every digit of "1,1,1,..." it is quadratic.
    sizes = re.search(
        r"(?<![\d.,])\b\d[\d.,]*\s*(%|[KMBT]\b|billion|million|tokens|GB|TB|documents)",
        text,
        re.I,
    )
    inventory = pointers >= 1 and bool(sizes)
    processing = bool(re.search(r"(dedup|filter|preprocess)\w*", text, re.I)) and bool(
        _CODE_HOST.search(text)
    )
    provenance = bool(
        re.search(r"\bprovenance\b|\bcollected from\b|\bsourced from\b", text, re.I)
    ) and bool(re.search(r"licen[cs]", text, re.I))
    unshareable = bool(
        re.search(r"(not (be )?(released|shared|public))|(proprietary|private) data", text, re.I)
    )
    labelling = bool(re.search(r"\b(annotat\w+|label(l)?ing|labell?ed)\b", text, re.I))
    return DataInformation(inventory, processing, provenance, unshareable, labelling)


def data_component(
    card: Card | None, datasets: list[DatasetEvidence], res: Resolver
) -> tuple[LicenseFinding, str, list[Fact]]:
    facts: list[Fact] = []
    none = LicenseFinding(None, None, "none", Origin())
    if card is None:
        return none, "unknown", facts
    block = openness_block(card).get("data")
    licenses: list[LicenseFinding] = []
    availability = "unknown"
    if isinstance(block, dict):
        released = block.get("released")
        origin = Origin(card.path, card.line_of("openness", "data"))
        if released is True:
            availability = "released"
        elif released is False:
            availability = "not-released"
        elif released == "partial":
            availability = "released"
            facts.append(Fact("openness block: data partly released", origin))
        raw = block.get("license")
        if isinstance(raw, str):
            licenses.append(res.finding(raw, res.entry(raw), "openness", origin))
        for i, src in enumerate(as_list(block.get("sources"))):
            if (
                isinstance(src, dict)
                and isinstance(src.get("license"), str)
                and src.get("shared", True)
            ):
                sorigin = Origin(card.path, card.line_of("openness", "data", "sources", i))
                licenses.append(
                    res.finding(
                        src["license"], res.entry(src["license"]), "openness", sorigin
                    )
                )
    for d in datasets:
        facts.append(
            Fact(
                f"dataset {d.id}: "
                + (
                    "not found"
                    if d.found is False
                    else (d.license.entry.id if d.license.entry else "license unknown")
                ),
                d.origin,
            )
        )
        if d.found or (d.found is None and (d.license.entry or not licenses)):
            licenses.append(d.license)
    if datasets and availability == "unknown":
        availability = "released" if all(d.found for d in datasets) else "unknown"
    sections = card.find_sections(r"training\s+data|data\s*sets?|training\s+corpus")
    for s in sections[:2]:
        state = "placeholder" if s.is_placeholder else "described"
        facts.append(Fact(f"section '{s.title}' ({state})", Origin(card.path, s.line)))
    if not licenses:
        return none, availability, facts
    return least_open_license(licenses), availability, facts


def datasets_in_prose(card: Card) -> list[tuple[str, int]]:
    """Hub datasets the body links to (``huggingface.co/datasets/org/name``), with their lines."""
    body = card.body
    out = []
    for m in _HF_DATASET_LINK.finditer(body):
        did = repo_id_from(m.group(1), "dataset")
        if did:
            out.append((did, card.body_line(m.start())))
    return out
